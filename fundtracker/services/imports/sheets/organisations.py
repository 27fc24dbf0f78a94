"""Organisations, matched by BIN."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    BIN,
    CHOICE,
    EMAIL,
    LINE,
    Column,
    Context,
    Row,
    Sheet,
    register,
)


@register
class Organisations(Sheet):
    key = "organisations"
    label = _l("Organisations")
    order = 10
    columns = (
        Column("bin", _l("BIN"), BIN, required=True, example="220140000008", width=14),
        Column(
            "name",
            _l("Name"),
            LINE,
            required=True,
            max_length=255,
            width=40,
            example="Қоғамдық қор «Мейірім»",
        ),
        Column("region", _l("Region"), CHOICE, required=True, choices="regions", example="Almaty"),
        Column("address", _l("Address"), LINE, max_length=500, width=30),
        Column("contact_name", _l("Contact person"), LINE, max_length=200, width=24),
        Column("contact_email", _l("Contact email"), EMAIL, width=24),
        Column("contact_phone", _l("Contact phone"), LINE, max_length=50),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
