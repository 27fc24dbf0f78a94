"""Users of grantee organisations, matched by email."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    EMAIL,
    LINE,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import ORGANISATION_BIN


@register
class Users(Sheet):
    key = "users"
    label = _l("Grantee users")
    order = 20
    columns = (
        Column("email", _l("Email"), EMAIL, required=True, width=28, example="director@example.kz"),
        Column(
            "name",
            _l("Full name"),
            LINE,
            required=True,
            max_length=200,
            width=28,
            example="Айгүл Серікова",
        ),
        ORGANISATION_BIN,
        Column("language", _l("Language"), CHOICE, choices="locales", example="kk"),
        Column("active", _l("Active"), BOOL, example="yes"),
        Column("send_invitation", _l("Send an invitation"), BOOL, example="yes"),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
