"""Indicator results per period, matched by project, indicator and period start. Imported
results are marked as imported; they are verified only when the importer may verify them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
    INT,
    LINE,
    TEXT,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import PROJECT_CODE

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
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
