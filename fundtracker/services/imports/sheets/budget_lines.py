"""Budget lines, matched by project, category and description."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    CHOICE,
    LINE,
    MONEY,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import PROJECT_CODE


@register
class BudgetLines(Sheet):
    key = "budget_lines"
    label = _l("Budget lines")
    order = 50
    columns = (
        PROJECT_CODE,
        Column(
            "category",
            _l("Category"),
            CHOICE,
            required=True,
            choices="budget_categories",
            example="equipment",
        ),
        Column(
            "description",
            _l("Description"),
            LINE,
            max_length=300,
            width=40,
            example="Сенсорлық бөлме жабдығы",
        ),
        Column("amount", _l("Amount, ₸"), MONEY, required=True, example="4 500 000"),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
