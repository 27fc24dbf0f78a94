"""Indicator results per period, matched by project, indicator and period start. Imported
results are marked as imported; they are verified only when the importer may verify them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import permissions
from fundtracker.models import (
    IndicatorResult,
    IndicatorType,
    ProjectIndicator,
    ResultRevision,
    ResultStatus,
    utcnow,
)
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
    INT,
    LINE,
    MESSAGES,
    TEXT,
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
    first_seen,
    norm_key,
    plan,
    present,
)
from fundtracker.services.imports.sheets.indicators import existing_indicators
from fundtracker.services.outcomes.periods import period_of
from fundtracker.services.outcomes.results import cells_snapshot
from fundtracker.services.publications.publish import is_published

INDICATOR = Column(
    "indicator",
    _l("Indicator"),
    LINE,
    required=True,
    max_length=300,
    width=32,
)


@register
class Results(Sheet):
    key = "results"
    label = _l("Results")
    order = 90
    columns = (
        PROJECT_CODE,
        INDICATOR,
        Column("period_start", _l("Period start"), DATE, required=True, example="01.01.2026"),
        Column("period_end", _l("Period end"), DATE, required=True, example="31.03.2026"),
        Column("value", _l("Value"), INT, required=True, example=34),
        Column("status", _l("Status"), CHOICE, choices="result_statuses", example="verified"),
        Column("explanation", _l("Explanation"), TEXT, width=40),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        existing = existing_results(ctx)
        planned = ctx.planned.setdefault("results", {})
        for row in rows:
            v = row.values
            code, label, start = v.get("project_code"), v.get("indicator"), v.get("period_start")
            if code is None or not label or start is None:
                continue
            key = (norm_key(code), norm_key(label), start)
            planned[key] = v
            if not check_project(ctx, self.key, row) or not first_seen(ctx, self.key, row, key):
                continue
            spec = indicator_spec(ctx, code, label)
            if spec is None:
                ctx.problem(
                    self.key,
                    row.number,
                    "indicator",
                    "unknown_indicator",
                    value=label,
                    code=str(code),
                )
                continue
            if not row.ok:
                continue
            result = existing.get(key)
            status = self._check_row(ctx, row, spec, result)
            if status is None:
                continue
            new = present(row, {k: v.get(k) for k in ("period_end", "value", "explanation")})
            new["status"] = status
            current = None
            if result is not None:
                current = {
                    "period_end": result.period_end,
                    "value": result.value,
                    "explanation": result.explanation,
                    "status": result.status,
                }
            else:
                new.update(project_code=code, indicator=label, period_start=start)
            label_text = f"{code} · {label} · {start.strftime('%d.%m.%Y')}"
            plan(ctx, self.key, row, label_text, result, new, current).values["key"] = key

    def _check_row(self, ctx: Context, row: Row, spec: dict, result) -> ResultStatus | None:
        v = row.values

        def problem(column, code, **params):
            row.ok = False
            ctx.problem(self.key, row.number, column, code, **params)

        start, end = v["period_start"], v["period_end"]
        if end < start:
            problem("period_end", "ends_before_start")
        elif period_of(spec["frequency"], start) != (start, end):
            problem("period_start", "period_not_frequency")
        top = {IndicatorType.PERCENTAGE: 100, IndicatorType.YES_NO: 1}.get(spec["type"])
        if top is not None and v["value"] > top:
            problem("value", "indicator_over_top", top=top)
        if (result is not None and result.locked) or _published(ctx, end):
            problem("period_start", "result_published")
        may_verify = spec["may_verify"](ctx.actor)
        status = v.get("status") or (ResultStatus.VERIFIED if may_verify else ResultStatus.REPORTED)
        if status == ResultStatus.VERIFIED and not may_verify:
            problem("status", "may_not_verify")
        return status if row.ok else None

    def apply(self, ctx: Context) -> None:
        now = utcnow()
        indicators = existing_indicators(ctx)
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            values = change.values
            result = change.target
            if result is None:
                code, label, start = values["key"]
                result = IndicatorResult(
                    indicator=indicators[(code, label)], period_start=start, cells=[]
                )
                ctx.session.add(result)
            else:
                result.revisions.append(
                    ResultRevision(
                        value=result.value,
                        cells=cells_snapshot(result),
                        status=result.status,
                        reason=str(IMPORT_REASON),
                        changed_by_id=ctx.actor.id,
                    )
                )
            for name in ("period_end", "value", "status"):
                if name in values:
                    setattr(result, name, values[name])
            if "explanation" in values:
                result.explanation = values["explanation"] or ""
            result.imported = True
            result.reported_by_id, result.reported_at = ctx.actor.id, now
            if result.status == ResultStatus.VERIFIED:
                result.reviewed_by_id, result.reviewed_at = ctx.actor.id, now
            touch(ctx, result.indicator.project, self.key, change.action)
            ctx.progress(1)
        ctx.session.flush()
        ctx.state.pop("results_by_key", None)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        return [
            {
                "project_code": code,
                "indicator": label,
                "period_start": r.period_start,
                "period_end": r.period_end,
                "value": r.value,
                # A query is a conversation with the grantee, not data: it goes as reported.
                "status": ResultStatus.REPORTED if r.status == ResultStatus.QUERIED else r.status,
                "explanation": r.explanation,
            }
            for code, label, r in exported_results(session, projects)
        ]


IMPORT_REASON = _l("Imported from a workbook")


def exported_results(session: Session, projects: list):
    """(project code, indicator label, result) of the projects' reported results, in order."""
    ids = [p.id for p in projects]
    rows = session.scalars(
        select(IndicatorResult)
        .join(IndicatorResult.indicator)
        .options(
            joinedload(IndicatorResult.indicator).joinedload(ProjectIndicator.standard),
            joinedload(IndicatorResult.indicator).joinedload(ProjectIndicator.project),
            selectinload(IndicatorResult.cells),
        )
        .where(
            ProjectIndicator.project_id.in_(ids),
            IndicatorResult.status.in_(
                [ResultStatus.REPORTED, ResultStatus.QUERIED, ResultStatus.VERIFIED]
            ),
        )
        .order_by(ProjectIndicator.project_id, ProjectIndicator.id, IndicatorResult.period_start)
    )
    for r in rows:
        indicator = r.indicator
        label = indicator.standard.code if indicator.standard else indicator.name
        yield indicator.project.code, label, r


def _published(ctx: Context, day) -> bool:
    cache = ctx.state.setdefault("published_days", {})
    if day not in cache:
        cache[day] = is_published(ctx.session, day)
    return cache[day]


def indicator_spec(ctx: Context, code: Any, label: Any) -> dict | None:
    """What a result needs of its indicator (type, frequency, breakdowns, who may verify), from
    the indicators sheet's plan or the database; None when neither has it."""
    key = (norm_key(code), norm_key(label))
    indicator = existing_indicators(ctx).get(key)
    planned = ctx.planned.get("indicators", {}).get(key)
    if indicator is None and planned is None:
        return None
    spec = {}
    if indicator is not None:
        spec = {
            "type": indicator.type,
            "frequency": indicator.frequency,
            "by_region": indicator.by_region,
            "by_sex": indicator.by_sex,
            "by_age": indicator.by_age,
        }
    if planned is not None:
        spec.update({k: planned[k] for k in spec.keys() | planned.keys() if k in planned})
    # Staff verify results; an import brings history, so a closed project's verified results
    # come in verified too (on the page, a closed project's results are no longer verified).
    spec["may_verify"] = permissions.is_staff
    return spec


def existing_results(ctx: Context) -> dict[tuple, IndicatorResult]:
    if "results_by_key" not in ctx.state:
        indicators = existing_indicators(ctx)
        by_id: dict[int, list[tuple[str, str]]] = {}
        for key, indicator in indicators.items():
            by_id.setdefault(indicator.id, []).append(key)
        rows = ctx.session.scalars(
            select(IndicatorResult).options(selectinload(IndicatorResult.cells))
        )
        found = {}
        for r in rows:
            for code, label in by_id.get(r.indicator_id, ()):
                found[(code, label, r.period_start)] = r
        ctx.state["results_by_key"] = found
    return ctx.state["results_by_key"]


MESSAGES.update(
    {
        "unknown_indicator": _l(
            "Project %(code)s has no indicator “%(value)s”, here or in the Indicators sheet."
        ),
        "period_not_frequency": _l(
            "This period is not one of the indicator's reporting periods (month, quarter, "
            "half-year or year as it is reported)."
        ),
        "result_published": _l(
            "The outcome figures of this period are published: its results no longer change."
        ),
        "may_not_verify": _l("You may not verify results of this project."),
    }
)
