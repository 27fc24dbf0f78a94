"""Bringing an existing portfolio in (issue #24).

`check` reads a workbook (or one CSV file) and returns the Context: every problem with its
sheet, row and column, and every change a confirmed import would make; it writes nothing.
`apply` writes the changes of a clean check in the caller's transaction (flushes, never
commits): the caller commits once, so an import is all or nothing. Each project an import
touches gets one "imported" event on its timeline, and the import one audit event.

Sheets a workbook leaves out change nothing; rows are matched to what exists by the keys each
sheet names (project code, organisation BIN, milestone title within a project, ...), so the
same workbook imported twice changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import Project, User
from fundtracker.services import audit, events
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.imports.core import (
    UNCHANGED,
    Context,
    Problem,
    ordered_sheets,
    read_file,
)

__all__ = ["ImportRefused", "Problem", "apply", "check", "touch"]


class ImportRefused(DomainError):
    """The workbook has problems (or the data changed since its check): nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_l("The file has problems; nothing was imported."))
        self.problems = problems


def check(
    session: Session,
    actor: User,
    data: bytes,
    filename: str,
    today: date,
    csv_sheet: str | None = None,
) -> Context:
    """Every problem and every change of importing `data`; nothing is written."""
    if not permissions.can_import(actor):
        raise NotAllowed(_l("You may not import data."))
    ctx = Context(session, actor, today)
    tables, problems = read_file(data, filename, csv_sheet)
    ctx.problems.extend(problems)
    with session.no_autoflush:
        for sheet in ordered_sheets():
            rows = tables.get(sheet.key)
            if rows is None:
                continue
            # Every row goes to the sheet, also those whose cells failed to parse (`ok` False),
            # so later sheets still know the keys they name (no "unknown project" noise).
            ctx.parse(sheet, rows)
            sheet().check(rows, ctx)
    ctx.problems.sort(key=lambda p: (_sheet_order(p.sheet), p.row or 0, p.column or ""))
    return ctx


def _sheet_order(key: str | None) -> int:
    return next((s.order for s in ordered_sheets() if s.key == key), 0)


def apply(ctx: Context, source: str = "") -> dict[str, dict[str, int]]:
    """Write the changes of a clean check; returns the summary. `source` names the file or the
    batch in the timeline and audit events."""
    if not ctx.ok:
        raise ImportRefused(ctx.problems)
    ctx.state.setdefault("touched", {})
    for sheet in ordered_sheets():
        if any(c.action != UNCHANGED for c in ctx.changes_of(sheet.key)):
            sheet().apply(ctx)
            ctx.session.flush()
    touched: dict[int, tuple[Project, Counter]] = ctx.state["touched"]
    for project, counts in touched.values():
        events.record(
            ctx.session, project, ctx.actor, "imported", source=source, changes=dict(counts)
        )
    summary = ctx.summary()
    audit.record(
        ctx.session,
        ctx.actor,
        "import.applied",
        details={"source": source[:200], "summary": summary},
    )
    ctx.session.flush()
    return summary


def touch(ctx: Context, project: Project, sheet: str, action: str) -> None:
    """Note that applying changed `project` (for its one timeline event); sheets call this from
    `apply` for every created or updated row, after the project has an id."""
    entry = ctx.state.setdefault("touched", {}).setdefault(project.id, (project, Counter()))
    entry[1][f"{sheet}.{action}"] += 1


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as JSON for a batch (`ImportBatch.problems`)."""
    return [p.as_json() for p in problems]
