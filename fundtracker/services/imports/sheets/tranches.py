"""Payment tranches with the payments made, matched within a project by their milestone's title,
or by the planned date for a tranche tied to no milestone. A project's tranches add up to its
award."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
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
class Tranches(Sheet):
    key = "tranches"
    label = _l("Tranches")
    order = 70
    columns = (
        PROJECT_CODE,
        Column(
            "milestone",
            _l("Milestone"),
            LINE,
            max_length=300,
            width=40,
            example="Орталық жабдықталды",
        ),
        Column("planned_date", _l("Planned date"), DATE, required=True, example="15.07.2026"),
        Column("amount", _l("Amount, ₸"), MONEY, required=True, example="12 500 000"),
        Column("status", _l("Status"), CHOICE, choices="tranche_statuses", example="paid"),
        Column("paid_on", _l("Paid on"), DATE, example="20.07.2026"),
        Column(
            "payment_reference", _l("Payment reference"), LINE, max_length=100, example="ПП-000123"
        ),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
