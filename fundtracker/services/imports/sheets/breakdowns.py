"""The breakdowns of results (by region, sex or age group): a result listed here has exactly the
cells listed for it; they add up to its value unless the result explains why not."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.models import AGE_GROUPS, SEXES, Dimension, ResultCell
from fundtracker.models.labels import category_labels
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
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
    first_seen,
    norm_key,
    plan,
)
from fundtracker.services.imports.sheets.results import (
    INDICATOR,
    existing_results,
    exported_results,
    indicator_spec,
)
from fundtracker.services.outcomes.results import cells_snapshot


@register
class Breakdowns(Sheet):
    key = "breakdowns"
    label = _l("Breakdowns")
    order = 100
    columns = (
        PROJECT_CODE,
        INDICATOR,
        Column("period_start", _l("Period start"), DATE, required=True, example="01.01.2026"),
        Column(
            "dimension", _l("Breakdown"), CHOICE, required=True, choices="dimensions", example="sex"
        ),
        Column("category", _l("Category"), LINE, required=True, max_length=60, example="female"),
        Column("value", _l("Value"), INT, required=True, example=18),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        existing = existing_results(ctx)
        planned = ctx.planned.get("results", {})
        wanted: dict[tuple, dict[str, Any]] = {}
        for row in rows:
            if not check_project(ctx, self.key, row) or not row.ok:
                continue
            v = row.values
            key = (norm_key(v["project_code"]), norm_key(v["indicator"]), v["period_start"])
            if key not in existing and key not in planned:
                ctx.problem(self.key, row.number, "period_start", "unknown_result")
                continue
            spec = indicator_spec(ctx, v["project_code"], v["indicator"]) or {}
            dimension = v["dimension"]
            if not spec.get(f"by_{dimension}"):
                ctx.problem(self.key, row.number, "dimension", "dimension_not_reported")
                continue
            category = _category(ctx, dimension, v["category"])
            if category is None:
                ctx.problem(
                    self.key, row.number, "category", "unknown_category", value=v["category"]
                )
                continue
            if not first_seen(ctx, self.key, row, (key, dimension, category)):
                continue
            entry = wanted.setdefault(key, {"row": row, "cells": {}})
            entry["cells"].setdefault(dimension, {})[category] = v["value"]
        for key, entry in wanted.items():
            self._plan_result(ctx, key, entry, existing.get(key), planned.get(key))

    def _plan_result(self, ctx, key, entry, result, planned) -> None:
        row = entry["row"]
        value = planned.get("value") if planned else None
        if value is None and result is not None:
            value = result.value
        explanation = (planned or {}).get("explanation")
        if explanation is None and result is not None:
            explanation = result.explanation
        for cells in entry["cells"].values():
            if value is not None and sum(cells.values()) != value and not explanation:
                ctx.problem(
                    self.key,
                    row.number,
                    "value",
                    "breakdown_not_total",
                    total=sum(cells.values()),
                    value=value,
                )
                return
        new = {"cells": _text(entry["cells"])}
        current = {"cells": _text(cells_snapshot(result))} if result is not None else None
        code, label, start = row.values["project_code"], row.values["indicator"], key[2]
        change = plan(
            ctx,
            self.key,
            row,
            f"{code} · {label} · {start.strftime('%d.%m.%Y')}",
            result,
            new,
            current,
        )
        change.values.update(key=key, wanted=entry["cells"])

    def apply(self, ctx: Context) -> None:
        results = existing_results(ctx)
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            result = results[change.values["key"]]
            wanted = change.values["wanted"]
            for cell in list(result.cells):
                result.cells.remove(cell)
            ctx.session.flush()
            for dimension, cells in wanted.items():
                for category, value in cells.items():
                    result.cells.append(
                        ResultCell(dimension=Dimension(dimension), category=category, value=value)
                    )
            touch(ctx, result.indicator.project, self.key, change.action)
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        return [
            {
                "project_code": code,
                "indicator": label,
                "period_start": r.period_start,
                "dimension": cell.dimension.value,
                "category": cell.category,
                "value": cell.value,
            }
            for code, label, r in exported_results(session, projects)
            for cell in sorted(r.cells, key=lambda c: (c.dimension.value, c.category))
        ]


def _text(cells: dict) -> str:
    """Breakdowns as the preview compares them: "age 0-2=3; sex female=5"."""
    return "; ".join(
        f"{str(getattr(d, 'value', d))} {k}={v}"
        for d, values in sorted(cells.items(), key=lambda i: str(getattr(i[0], "value", i[0])))
        for k, v in sorted(values.items())
    )


def _category(ctx: Context, dimension: str, text: str) -> str | None:
    """The stored category for what a reader wrote: a region's code or name, a sex or an age
    group as stored or by its label in kk, ru or en."""
    if dimension == "region":
        return ctx.refs.find("regions", text)
    wanted = norm_key(text)
    stored = SEXES if dimension == "sex" else AGE_GROUPS
    for category in stored:
        if wanted == norm_key(category):
            return category
    names = ctx.state.get("category_names")
    if names is None:
        names = {}
        for locale in ("kk", "ru", "en"):
            with force_locale(locale):
                for category, label in category_labels().items():
                    names.setdefault(norm_key(str(label)), category)
        ctx.state["category_names"] = names
    found = names.get(wanted)
    return found if found in stored else None


MESSAGES.update(
    {
        "unknown_result": _l(
            "No result of this project, indicator and period, here or in the Results sheet."
        ),
        "dimension_not_reported": _l("This indicator is not broken down this way."),
        "unknown_category": _l("“%(value)s” is not one of this breakdown's categories."),
        "breakdown_not_total": _l(
            "This breakdown adds up to %(total)s, but the result is %(value)s: correct it or "
            "explain why in the result's explanation."
        ),
    }
)
