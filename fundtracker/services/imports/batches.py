"""Import batches: an uploaded workbook from its check (the preview) to its application.

- `create` checks the file and keeps it with what the check found; nothing else is written.
- `confirm` checks the kept file again (the data may have changed since the preview): if the
  check differs, the batch shows the new preview and nothing is written. Otherwise a batch of
  at most IMPORT_SYNC_ROWS changes is applied at once, in the caller's transaction; a larger
  one is queued for the scheduler (`run_queued`, looked for every second like report builds),
  which applies it in one transaction under a lease (a crashed run is taken back) and tells
  the officer who confirmed it.
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import ImportBatch, ImportKind, ImportStatus, User, utcnow
from fundtracker.services import imports
from fundtracker.services.errors import Conflict, NotAllowed
from fundtracker.services.imports.core import UNCHANGED, Context

MAX_STORED_PROBLEMS = 2000
MAX_STORED_CHANGES = 2000
CSV_SHEET = "__csv_sheet__"  # kept in `summary` beside the counts: which sheet a CSV holds


def store(batch: ImportBatch, ctx: Context, csv_sheet: str | None) -> None:
    batch.summary = dict(ctx.summary(), **({CSV_SHEET: csv_sheet} if csv_sheet else {}))
    batch.problems = [p.as_json() for p in ctx.problems[:MAX_STORED_PROBLEMS]]
    changed = [c for c in ctx.changes if c.action != UNCHANGED]
    batch.changes = [c.as_json() for c in changed[:MAX_STORED_CHANGES]]
    batch.total = len(changed)


def counts(batch: ImportBatch) -> dict[str, dict[str, int]]:
    """The batch's counts per sheet (without the CSV note)."""
    return {k: v for k, v in (batch.summary or {}).items() if k != CSV_SHEET}


def check_again(session: Session, actor: User, batch: ImportBatch, day: date) -> Context:
    csv_sheet = (batch.summary or {}).get(CSV_SHEET)
    return imports.check(session, actor, batch.data, batch.filename, day, csv_sheet)


def new_batch(kind: ImportKind, actor: User, filename: str, data: bytes) -> ImportBatch:
    """A batch for an uploaded file (a workbook, or a bank statement: services/imports/bank.py),
    waiting for its preview to be confirmed."""
    return ImportBatch(
        kind=kind,
        status=ImportStatus.CHECKED,
        filename=(filename or "")[:255],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        created_by_id=actor.id,
        attempt=0,
        done=0,
        error="",
    )


def create(
    session: Session,
    actor: User,
    filename: str,
    data: bytes,
    day: date,
    csv_sheet: str | None = None,
) -> ImportBatch:
    """Check `data` and keep it with what the check found, for the preview."""
    if not permissions.can_import(actor):
        raise NotAllowed(_l("You may not import data."))
    ctx = imports.check(session, actor, data, filename, day, csv_sheet)
    batch = new_batch(ImportKind.WORKBOOK, actor, filename, data)
    store(batch, ctx, csv_sheet)
    session.add(batch)
    session.flush()
    return batch


def confirm(session: Session, actor: User, batch: ImportBatch, day: date) -> str:
    """ "applied", "queued", or "changed" (the check differs from the preview: the batch now
    shows the new one and nothing was written)."""
    if not permissions.can_view_import(actor, batch):
        raise NotAllowed(_l("You may not import data."))
    if batch.status != ImportStatus.CHECKED or batch.kind != ImportKind.WORKBOOK:
        raise Conflict(_l("This import is no longer waiting for confirmation."))
    ctx = check_again(session, actor, batch, day)
    before = (counts(batch), batch.problems)
    store(batch, ctx, (batch.summary or {}).get(CSV_SHEET))
    if ctx.problems or (counts(batch), batch.problems) != before:
        session.flush()
        return "changed"
    batch.confirmed_by_id, batch.confirmed_at = actor.id, utcnow()
    if batch.total > current_app.config["IMPORT_SYNC_ROWS"]:
        batch.status = ImportStatus.QUEUED
        session.flush()
        return "queued"
    apply(batch, ctx)
    return "applied"


def apply(batch: ImportBatch, ctx: Context) -> None:
    batch.started_at = batch.started_at or utcnow()
    imports.apply(ctx, source=_source(batch))
    batch.status, batch.done, batch.finished_at = ImportStatus.DONE, batch.total, utcnow()
    batch.lease_until = None
    ctx.session.flush()


def _source(batch: ImportBatch) -> str:
    return f"import #{batch.id}: {batch.filename}"


def discard(session: Session, actor: User, batch: ImportBatch) -> None:
    if not permissions.can_view_import(actor, batch):
        raise NotAllowed(_l("You may not import data."))
    if batch.status != ImportStatus.CHECKED:
        raise Conflict(_l("This import is no longer waiting for confirmation."))
    batch.status = ImportStatus.DISCARDED
    session.flush()


def touched_projects(batch: ImportBatch) -> list[str]:
    """The codes of the projects a done batch created or changed, as its preview listed them."""
    codes = []
    for change in batch.changes or []:
        if change["sheet"] == "projects" and change["key"] not in codes:
            codes.append(change["key"])
    return codes
