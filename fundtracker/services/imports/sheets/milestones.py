"""Milestones, matched by their title within a project."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker.models import Milestone, MilestoneStatus, UpdateStatus, utcnow
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
    LINE,
    MESSAGES,
    TEXT,
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
    present,
    project_dates,
)


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
        existing = existing_milestones(ctx)
        planned = ctx.planned.setdefault("milestones", {})
        for row in rows:
            code, title = row.values.get("project_code"), row.values.get("title")
            if code is None or not title:
                continue
            key = (norm_key(code), norm_key(title))
            planned.setdefault(key, row.number)
            if not check_project(ctx, self.key, row) or not first_seen(ctx, self.key, row, key):
                continue
            if not row.ok:
                continue
            milestone = existing.get(key)
            self._check_row(ctx, row, milestone)
            if not row.ok:
                continue
            v = row.values
            new = present(
                row,
                {
                    k: v.get(k)
                    for k in ("title", "due_date", "status", "description", "deliverables")
                },
            )
            if new.get("status") is None:
                new.pop("status", None)
                if milestone is None:
                    new["status"] = MilestoneStatus.PLANNED
            if milestone is None:
                new["project_code"] = code
            current = _current(milestone) if milestone is not None else None
            plan(ctx, self.key, row, f"{code} · {title}", milestone, new, current)

    def _check_row(self, ctx: Context, row: Row, milestone: Milestone | None) -> None:
        start, end = project_dates(ctx, row.values["project_code"])
        due = row.values.get("due_date")
        if due and start and end and not start <= due <= end:
            row.ok = False
            ctx.problem(
                self.key,
                row.number,
                "due_date",
                "due_outside_project",
                start=start.strftime("%d.%m.%Y"),
                end=end.strftime("%d.%m.%Y"),
            )
        status = row.values.get("status")
        if (
            milestone is not None
            and status is not None
            and status != milestone.status
            and any(
                u.status in (UpdateStatus.DRAFT, UpdateStatus.SUBMITTED) for u in milestone.updates
            )
        ):
            row.ok = False
            ctx.problem(self.key, row.number, "status", "milestone_in_review")

    def apply(self, ctx: Context) -> None:
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            milestone = change.target
            if milestone is None:
                milestone = Milestone(project=find_project(ctx, change.values["project_code"]))
                ctx.session.add(milestone)
            for name, value in change.values.items():
                if name == "project_code":
                    continue
                setattr(milestone, name, value if value is not None else "")
            if milestone.status == MilestoneStatus.ACCEPTED and milestone.accepted_at is None:
                milestone.accepted_at = utcnow()
            touch(ctx, milestone.project, self.key, change.action)
            ctx.progress(1)
        ctx.session.flush()
        ctx.state.pop("milestones_by_key", None)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        return [
            dict(_current(m), project_code=project.code)
            for project in projects
            for m in project.milestones
        ]


def _current(milestone: Milestone) -> dict[str, Any]:
    return {
        "title": milestone.title,
        "due_date": milestone.due_date,
        "status": milestone.status,
        "description": milestone.description,
        "deliverables": milestone.deliverables,
    }


def existing_milestones(ctx: Context) -> dict[tuple[str, str], Milestone]:
    """Every milestone by (project code, title), normalised; loaded once per check."""
    if "milestones_by_key" not in ctx.state:
        rows = ctx.session.scalars(
            select(Milestone).options(
                joinedload(Milestone.project), selectinload(Milestone.updates)
            )
        )
        ctx.state["milestones_by_key"] = {
            (norm_key(m.project.code), norm_key(m.title)): m for m in rows
        }
    return ctx.state["milestones_by_key"]


MESSAGES.update(
    {
        "due_outside_project": _l("The due date is outside the project's %(start)s–%(end)s."),
        "milestone_in_review": _l(
            "This milestone has an update in progress or waiting for review: its status "
            "changes there, not by an import."
        ),
    }
)
