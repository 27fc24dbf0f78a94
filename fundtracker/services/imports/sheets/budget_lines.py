"""Budget lines, matched by project, category and description."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker.models import BudgetLine
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    CHOICE,
    LINE,
    MONEY,
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
    find_project,
    first_seen,
    norm_key,
    plan,
)


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
        existing = _existing(ctx)
        for row in rows:
            if not check_project(ctx, self.key, row) or not row.ok:
                continue
            v = row.values
            key = (norm_key(v["project_code"]), v["category"], norm_key(v.get("description")))
            if not first_seen(ctx, self.key, row, key):
                continue
            line = existing.get(key)
            new = {"amount": v["amount"]}
            if line is None:
                new.update(
                    project_code=v["project_code"],
                    category=v["category"],
                    description=v.get("description") or "",
                )
            current = {"amount": line.amount} if line is not None else None
            label = f"{v['project_code']} · {v.get('description') or v['category']}"
            plan(ctx, self.key, row, label, line, new, current)

    def apply(self, ctx: Context) -> None:
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            line = change.target
            if line is None:
                project = find_project(ctx, change.values["project_code"])
                line = BudgetLine(
                    project=project,
                    category=change.values["category"],
                    description=change.values["description"],
                    amount=change.values["amount"],
                )
                ctx.session.add(line)
            else:
                line.amount = change.values["amount"]
                project = line.project
            touch(ctx, project, self.key, change.action)
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        return [
            {
                "project_code": project.code,
                "category": line.category,
                "description": line.description,
                "amount": Decimal(line.amount) / 100,
            }
            for project in projects
            for line in sorted(project.budget_lines, key=lambda b: b.id)
        ]


def _existing(ctx: Context) -> dict[tuple, BudgetLine]:
    lines = ctx.session.scalars(select(BudgetLine).options(joinedload(BudgetLine.project)))
    return {(norm_key(b.project.code), b.category, norm_key(b.description)): b for b in lines}
