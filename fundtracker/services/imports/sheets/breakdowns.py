"""The breakdowns of results (by region, sex or age group): a result listed here has exactly the
cells listed for it; they add up to its value unless the result explains why not."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
    INT,
    LINE,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import PROJECT_CODE
from fundtracker.services.imports.sheets.results import INDICATOR


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
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
