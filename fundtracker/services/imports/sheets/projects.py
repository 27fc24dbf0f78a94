"""Projects, matched by code. "Paid to date" and "Overdue milestones" are exported for reading
and ignored on import."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    DATE,
    EMAIL,
    INT,
    LINE,
    MONEY,
    TEXT,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import ORGANISATION_BIN


@register
class Projects(Sheet):
    key = "projects"
    label = _l("Projects")
    order = 30
    columns = (
        Column("code", _l("Code"), LINE, required=True, max_length=32, example="QH-2026-001"),
        Column(
            "title_kk",
            _l("Title (Kazakh)"),
            LINE,
            max_length=300,
            width=40,
            example="Аутизмі бар балаларға арналған оңалту орталығы",
        ),
        Column(
            "title_ru",
            _l("Title (Russian)"),
            LINE,
            max_length=300,
            width=40,
            example="Реабилитационный центр для детей с аутизмом",
        ),
        Column(
            "title_en",
            _l("Title (English)"),
            LINE,
            max_length=300,
            width=40,
            example="Rehabilitation centre for children with autism",
        ),
        ORGANISATION_BIN,
        Column(
            "area", _l("Programme area"), CHOICE, required=True, choices="areas", example="health"
        ),
        Column(
            "status",
            _l("Status"),
            CHOICE,
            required=True,
            choices="project_statuses",
            example="active",
        ),
        Column("awarded", _l("Awarded, ₸"), MONEY, required=True, example="25 000 000,00"),
        Column("start_date", _l("Start date"), DATE, required=True, example="01.03.2026"),
        Column("end_date", _l("End date"), DATE, required=True, example="28.02.2027"),
        Column("officer_email", _l("Officer's email"), EMAIL, width=24),
        Column("agreement_number", _l("Agreement number"), LINE, max_length=40),
        Column("agreement_signed_on", _l("Agreement signed on"), DATE, example="14.02.2026"),
        Column("confidential", _l("Confidential"), BOOL, example="no"),
        Column("summary_kk", _l("Summary (Kazakh)"), TEXT, width=40),
        Column("summary_ru", _l("Summary (Russian)"), TEXT, width=40),
        Column("summary_en", _l("Summary (English)"), TEXT, width=40),
        Column("paid", _l("Paid to date, ₸"), MONEY, read_only=True),
        Column("overdue", _l("Overdue milestones"), INT, read_only=True),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
