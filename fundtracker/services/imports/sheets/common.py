"""What several sheets share: columns, finding projects by code (in the database or planned by
the workbook's projects sheet), duplicate rows, and turning a row into a create, an update or
nothing."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from fundtracker.models import Project
from fundtracker.services.imports.core import (
    BIN,
    CREATE,
    LINE,
    MESSAGES,
    UNCHANGED,
    UPDATE,
    Change,
    Column,
    Context,
    Row,
    shown,
)

PROJECT_CODE = Column(
    "project_code", _l("Project code"), LINE, required=True, max_length=32, example="QH-2026-001"
)
ORGANISATION_BIN = Column(
    "organisation_bin", _l("Organisation BIN"), BIN, required=True, example="220140000008"
)

MESSAGES.update(
    {
        "unknown_project": _l(
            "No project has the code “%(value)s”, here or in the Projects sheet."
        ),
        "unknown_organisation": _l(
            "No organisation has the BIN %(value)s, here or in the Organisations sheet."
        ),
    }
)


def norm_key(text: Any) -> str:
    """A matching key as compared: case and runs of spaces do not matter."""
    return " ".join(str(text or "").split()).casefold()


def projects(ctx: Context) -> dict[str, Project]:
    """Every project by its code (normalised), loaded once per check."""
    if "projects_by_code" not in ctx.state:
        rows = ctx.session.scalars(
            select(Project).options(
                joinedload(Project.organisation),
                joinedload(Project.area),
                joinedload(Project.officer),
                selectinload(Project.regions),
            )
        ).unique()
        ctx.state["projects_by_code"] = {norm_key(p.code): p for p in rows}
    return ctx.state["projects_by_code"]


def find_project(ctx: Context, code: Any) -> Project | None:
    return projects(ctx).get(norm_key(code))


def project_known(ctx: Context, code: Any) -> bool:
    """A project in the database, or one the workbook's projects sheet has."""
    return find_project(ctx, code) is not None or norm_key(code) in ctx.planned.get("projects", {})


def project_dates(ctx: Context, code: Any) -> tuple[Any, Any]:
    """The project's start and end as they will be after the import: the projects sheet's when
    it has them, else the database's."""
    project = find_project(ctx, code)
    planned = ctx.planned.get("projects", {}).get(norm_key(code), {})
    start = planned.get("start_date") or (project.start_date if project else None)
    end = planned.get("end_date") or (project.end_date if project else None)
    return start, end


def project_award(ctx: Context, code: Any) -> int | None:
    """The project's award (tiyn) as it will be after the import."""
    project = find_project(ctx, code)
    planned = ctx.planned.get("projects", {}).get(norm_key(code), {})
    if planned.get("awarded") is not None:
        return planned["awarded"]
    return project.awarded_amount if project else None


def project_problem(ctx: Context, sheet: str, row: Row, column: str = "project_code") -> None:
    ctx.problem(sheet, row.number, column, "unknown_project", value=str(row.raw.get(column)))


def check_project(ctx: Context, sheet: str, row: Row) -> bool:
    """Whether the row's project is known; a problem at its place if not."""
    code = row.values.get("project_code")
    if code is None:
        return False
    if not project_known(ctx, code):
        project_problem(ctx, sheet, row)
        return False
    return True


def first_seen(ctx: Context, sheet: str, row: Row, key: Any) -> bool:
    """False (and a duplicate_row problem) when an earlier row of the sheet had the same key."""
    seen = ctx.state.setdefault(f"seen:{sheet}", {})
    if key in seen:
        ctx.problem(sheet, row.number, None, "duplicate_row", row=seen[key])
        return False
    seen[key] = row.number
    return True


def present(row: Row, values: dict[str, Any]) -> dict[str, Any]:
    """`values` for the columns the sheet has: a column left out of the file changes nothing."""
    return {key: value for key, value in values.items() if key in row.raw}


def same(old: Any, new: Any) -> bool:
    """Equal as stored: an empty cell and an empty text are the same."""
    if old in (None, "") and new in (None, ""):
        return True
    return old == new


def plan(
    ctx: Context,
    sheet: str,
    row: Row,
    key: str,
    target: Any,
    new: dict[str, Any],
    current: dict[str, Any] | None = None,
) -> Change:
    """A CREATE when there is no `target`; otherwise an UPDATE naming each value of `new` that
    differs from `current` (old and new as text), or UNCHANGED."""
    if target is None:
        return ctx.change(Change(sheet, row.number, CREATE, key, values=new))
    current = current or {}
    fields = {
        name: (shown(current.get(name)), shown(value))
        for name, value in new.items()
        if not same(current.get(name), value)
    }
    action = UPDATE if fields else UNCHANGED
    changed = {name: new[name] for name in fields}
    return ctx.change(
        Change(sheet, row.number, action, key, values=changed, fields=fields, target=target)
    )
