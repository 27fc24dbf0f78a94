"""Milestones, matched by their title within a project."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
    LINE,
    TEXT,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import PROJECT_CODE


@register
class Milestones(Sheet):
    key = "milestones"
    label = _l("Milestones")
    order = 60
    columns = (
        PROJECT_CODE,
        Column(
            "title",
            _l("Milestone"),
            LINE,
            required=True,
            max_length=300,
            width=40,
            example="Орталық жабдықталды",
        ),
        Column("due_date", _l("Due date"), DATE, required=True, example="30.06.2026"),
        Column("status", _l("Status"), CHOICE, choices="milestone_statuses", example="planned"),
        Column("description", _l("Description"), TEXT, width=40),
        Column("deliverables", _l("Deliverables"), TEXT, width=40),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
