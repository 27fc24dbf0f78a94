"""The lists a CHOICE column takes its values from, for the check (any language's name or the
code is accepted) and for the template's drop-down lists (the names in the reader's language).

Each entry is (stored value, code, {locale: name}).
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.i18n import LANGUAGE_NAMES, LANGUAGES
from fundtracker.models import (
    BudgetCategory,
    Direction,
    Frequency,
    IndicatorType,
    MilestoneStatus,
    ProgrammeArea,
    ProjectStatus,
    Region,
    ResultStatus,
    StandardIndicator,
    TrancheStatus,
)
from fundtracker.models import labels as L  # noqa: N812

Entry = tuple[Any, str, dict[str, str]]


def _translated(labels_of, values) -> list[Entry]:
    out = []
    for value in values:
        names = {}
        for locale in LANGUAGES:
            with force_locale(locale):
                names[locale] = str(labels_of()[value])
        out.append((value, str(value), names))
    return out


def _named(rows) -> list[Entry]:
    return [
        (row.code, row.code, {"kk": row.name_kk, "ru": row.name_ru, "en": row.name_en})
        for row in rows
    ]


def _dimension_labels() -> dict:
    return L.dimension_labels()


def entries(session: Session, name: str) -> list[Entry]:
    if name == "regions":
        return _named(session.scalars(select(Region).order_by(Region.code)))
    if name == "areas":
        return _named(session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.code)))
    if name == "indicator_codes":
        rows = session.scalars(
            select(StandardIndicator)
            .where(StandardIndicator.active.is_(True))
            .order_by(StandardIndicator.code)
        )
        return _named(rows)
    if name == "locales":
        return [(code, code, dict.fromkeys(LANGUAGES, LANGUAGE_NAMES[code])) for code in LANGUAGES]
    enums = {
        "project_statuses": (L.status_labels, ProjectStatus),
        "milestone_statuses": (L.milestone_status_labels, MilestoneStatus),
        "tranche_statuses": (L.tranche_status_labels, TrancheStatus),
        "budget_categories": (L.budget_category_labels, BudgetCategory),
        "indicator_types": (L.indicator_type_labels, IndicatorType),
        "directions": (L.direction_labels, Direction),
        "frequencies": (L.frequency_labels, Frequency),
        "result_statuses": (
            L.result_status_labels,
            (ResultStatus.REPORTED, ResultStatus.VERIFIED),
        ),
        "dimensions": (_dimension_labels, ("region", "sex", "age")),
    }
    if name in enums:
        labels_of, values = enums[name]
        return _translated(labels_of, list(values))
    raise KeyError(f"no reference list {name!r}")


NAMES = (
    "regions",
    "areas",
    "indicator_codes",
    "locales",
    "project_statuses",
    "milestone_statuses",
    "tranche_statuses",
    "budget_categories",
    "indicator_types",
    "directions",
    "frequencies",
    "result_statuses",
    "dimensions",
)
