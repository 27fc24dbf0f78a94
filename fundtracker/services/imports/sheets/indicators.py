"""A project's indicators, matched within the project by the standard indicator's code or, for
a project's own indicator, by its name."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker.models import (
    Direction,
    Frequency,
    IndicatorType,
    ProjectIndicator,
    StandardIndicator,
)
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    INT,
    LINE,
    MESSAGES,
    UNCHANGED,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import (
    PROJECT_CODE,
    check_project,
    find_project,
    first_seen,
    norm_key,
    plan,
    present,
)


@register
class Indicators(Sheet):
    key = "indicators"
    label = _l("Indicators")
    order = 80
    columns = (
        PROJECT_CODE,
        Column(
            "standard_code", _l("Standard indicator"), CHOICE, choices="indicator_codes", width=24
        ),
        Column("name", _l("Indicator"), LINE, max_length=300, width=40),
        Column("unit", _l("Unit"), LINE, max_length=60),
        Column("type", _l("Type"), CHOICE, choices="indicator_types", example="count"),
        Column("baseline", _l("Baseline"), INT, example=0),
        Column("target", _l("Target"), INT, example=120),
        Column("direction", _l("Direction"), CHOICE, choices="directions", example="higher"),
        Column("cumulative", _l("Cumulative"), BOOL, example="no"),
        Column("frequency", _l("Frequency"), CHOICE, choices="frequencies", example="quarterly"),
        Column("by_region", _l("By region"), BOOL, example="no"),
        Column("by_sex", _l("By sex"), BOOL, example="yes"),
        Column("by_age", _l("By age group"), BOOL, example="yes"),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        existing = existing_indicators(ctx)
        standards = {s.code: s for s in ctx.session.scalars(select(StandardIndicator))}
        ctx.state["standards"] = standards
        planned = ctx.planned.setdefault("indicators", {})
        for row in rows:
            v = row.values
            code, label = v.get("project_code"), v.get("standard_code") or v.get("name")
            if code is None:
                continue
            if not label:
                if row.ok:
                    ctx.problem(self.key, row.number, "name", "indicator_needs_name")
                continue
            key = (norm_key(code), norm_key(label))
            if not check_project(ctx, self.key, row) or not first_seen(ctx, self.key, row, key):
                continue
            indicator = existing.get(key)
            standard = standards.get(v.get("standard_code"))
            new = present(row, {c.key: v.get(c.key) for c in self.writable()})
            new.pop("project_code")
            for name, default in DEFAULTS.items():
                if new.get(name) is None:
                    new.pop(name, None)
                    if indicator is None:
                        new[name] = default
            if standard is not None:
                new["type"] = standard.type
            planned[key] = dict(new, project_code=code)
            if not row.ok or not self._row_ok(ctx, row, indicator, new):
                continue
            current = _current(indicator) if indicator is not None else None
            plan(ctx, self.key, row, f"{code} · {label}", indicator, new, current)

    def _row_ok(self, ctx, row, indicator, new) -> bool:
        merged = dict(_current(indicator) if indicator is not None else {}, **new)

        def problem(column, code, **params):
            row.ok = False
            ctx.problem(self.key, row.number, column, code, **params)

        kind = merged.get("type")
        top = {IndicatorType.PERCENTAGE: 100, IndicatorType.YES_NO: 1}.get(kind)
        if top is not None and max(merged.get("baseline") or 0, merged.get("target") or 0) > top:
            problem("target", "indicator_over_top", top=top)
        if kind != IndicatorType.COUNT and any(merged.get(f) for f in FLAGS):
            problem("by_sex", "breakdown_only_counts")
        if (
            indicator is not None
            and indicator.results
            and merged.get("frequency") != indicator.frequency
        ):
            problem("frequency", "frequency_fixed")
        return row.ok

    def apply(self, ctx: Context) -> None:
        standards = ctx.state.get("standards", {})
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            indicator = change.target
            if indicator is None:
                project = find_project(ctx, ctx.planned["indicators"][_key(change)]["project_code"])
                indicator = ProjectIndicator(project=project)
                ctx.session.add(indicator)
            for name, value in change.values.items():
                if name == "standard_code":
                    indicator.standard = standards.get(value) if value else None
                elif name in ("name", "unit"):
                    setattr(indicator, name, value or "")
                else:
                    setattr(indicator, name, value if value is not None else DEFAULTS.get(name))
            touch(ctx, indicator.project, self.key, change.action)
            ctx.progress(1)
        ctx.session.flush()
        ctx.state.pop("indicators_by_key", None)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        ids = [p.id for p in projects]
        code_of = {p.id: p.code for p in projects}
        rows = session.scalars(
            select(ProjectIndicator)
            .options(joinedload(ProjectIndicator.standard))
            .where(ProjectIndicator.project_id.in_(ids))
            .order_by(ProjectIndicator.project_id, ProjectIndicator.id)
        )
        return [dict(_current(i), project_code=code_of[i.project_id]) for i in rows]


FLAGS = ("by_region", "by_sex", "by_age")
DEFAULTS = {
    "type": IndicatorType.COUNT,
    "direction": Direction.HIGHER,
    "frequency": Frequency.QUARTERLY,
    "baseline": 0,
    "target": 0,
}


def _key(change) -> tuple[str, str]:
    code, label = change.key.split(" · ", 1)
    return norm_key(code), norm_key(label)


def _current(indicator: ProjectIndicator) -> dict[str, Any]:
    return {
        "standard_code": indicator.standard.code if indicator.standard else None,
        "name": indicator.name,
        "unit": indicator.unit,
        "type": indicator.type,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "direction": indicator.direction,
        "cumulative": indicator.cumulative,
        "frequency": indicator.frequency,
        "by_region": indicator.by_region,
        "by_sex": indicator.by_sex,
        "by_age": indicator.by_age,
    }


def existing_indicators(ctx: Context) -> dict[tuple[str, str], ProjectIndicator]:
    """Every project indicator by (project code, standard code) and (project code, name)."""
    if "indicators_by_key" not in ctx.state:
        rows = ctx.session.scalars(
            select(ProjectIndicator).options(
                joinedload(ProjectIndicator.project),
                joinedload(ProjectIndicator.standard),
                selectinload(ProjectIndicator.results),
            )
        )
        found: dict[tuple[str, str], ProjectIndicator] = {}
        for i in rows:
            code = norm_key(i.project.code)
            if i.standard is not None:
                found.setdefault((code, norm_key(i.standard.code)), i)
            if i.name:
                found.setdefault((code, norm_key(i.name)), i)
        ctx.state["indicators_by_key"] = found
    return ctx.state["indicators_by_key"]


MESSAGES.update(
    {
        "indicator_needs_name": _l("Give the standard indicator's code or the indicator's name."),
        "indicator_over_top": _l("The baseline and target of this type are at most %(top)s."),
        "breakdown_only_counts": _l("Only a count is broken down by region, sex or age."),
        "frequency_fixed": _l(
            "Results have been reported: the reporting frequency can no longer change."
        ),
    }
)
