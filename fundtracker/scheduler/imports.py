"""The scheduler's part of imports (services/imports/batches.py): a confirmed batch larger than
IMPORT_SYNC_ROWS is applied here, in one transaction, under a lease of IMPORT_LEASE_SECONDS
(a batch whose process died is taken back once its lease ran out, at most MAX_ATTEMPTS times),
and the officer who confirmed it is told how it went."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta

from flask import Flask, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from fundtracker.core import db_events
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import ImportBatch, ImportStatus, User, utcnow
from fundtracker.services import notifications
from fundtracker.services.imports import batches

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["IMPORT_LEASE_SECONDS"])


def claim(session: Session, now: datetime) -> ImportBatch | None:
    """Take one queued batch (or a running one whose lease ran out: its process died) under a
    lease, and commit, so two schedulers never run one batch."""
    candidate = session.scalar(
        select(ImportBatch.id)
        .where(
            or_(
                ImportBatch.status == ImportStatus.QUEUED,
                (ImportBatch.status == ImportStatus.RUNNING) & (ImportBatch.lease_until < now),
            )
        )
        .order_by(ImportBatch.id)
        .limit(1)
    )
    if candidate is None:
        return None
    claimed = session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.id == candidate,
            or_(
                ImportBatch.status == ImportStatus.QUEUED,
                (ImportBatch.status == ImportStatus.RUNNING) & (ImportBatch.lease_until < now),
            ),
        )
        .values(
            status=ImportStatus.RUNNING,
            lease_until=now + _lease(),
            attempt=ImportBatch.attempt + 1,
            started_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:
        return None
    return session.get(ImportBatch, candidate, populate_existing=True)


class _Heartbeat:
    """While a batch is applied: every few seconds, from a connection of its own, renews the
    batch's lease and writes how many rows are done, for the progress page. PostgreSQL only:
    on SQLite the applying transaction holds the one write lock (so no other scheduler can take
    the batch meanwhile either), and the page shows the status alone. Stops once the batch is
    no longer this attempt's."""

    def __init__(self, engine: Engine | None, batch_id: int, attempt: int, lease: timedelta):
        self.engine, self.batch_id, self.attempt, self.lease = engine, batch_id, attempt, lease
        self.done = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def count(self, rows: int) -> None:
        self.done += rows

    def __enter__(self) -> _Heartbeat:
        if self.engine is not None and self.engine.dialect.name == "postgresql":
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        interval = min(2.0, self.lease.total_seconds() / 3)
        while not self._stop.wait(interval):
            try:
                with self.engine.begin() as connection:
                    renewed = connection.execute(
                        update(ImportBatch)
                        .where(
                            ImportBatch.id == self.batch_id,
                            ImportBatch.attempt == self.attempt,
                            ImportBatch.status == ImportStatus.RUNNING,
                        )
                        .values(lease_until=utcnow() + self.lease, done=self.done)
                    ).rowcount
                if not renewed:
                    return
            except Exception as error:  # a lost connection: the next beat tries again
                log.warning("import #%s: lease not renewed: %s", self.batch_id, error)


def _fail(session: Session, batch_id: int, error: str) -> ImportBatch | None:
    session.rollback()
    batch = session.get(ImportBatch, batch_id, populate_existing=True)
    if batch is None:
        return None
    batch.status, batch.error, batch.finished_at = ImportStatus.FAILED, error, utcnow()
    batch.lease_until = None
    return batch


def _engine(session: Session) -> Engine | None:
    """The engine for the heartbeat's own connection; None when the session is bound to one
    connection (tests), where progress waits for the end."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else None


def run_one(session: Session, day: date) -> bool:
    """Apply one queued batch; False when there was none. All or nothing: on any failure the
    batch is failed with nothing written, and the officer told."""
    batch = claim(session, utcnow())
    if batch is None:
        return False
    batch_id = batch.id
    if batch.attempt > MAX_ATTEMPTS:
        batch = _fail(session, batch_id, "too_many_attempts")
    else:
        actor = session.get(User, batch.confirmed_by_id)
        try:
            ctx = batches.check_again(session, actor, batch, day)
            if ctx.problems:
                batches.store(batch, ctx, (batch.summary or {}).get(batches.CSV_SHEET))
                problems = batch.problems
                batch = _fail(session, batch_id, "changed_since_preview")
                batch.problems = problems
            else:
                with _Heartbeat(_engine(session), batch_id, batch.attempt, _lease()) as beat:
                    ctx.progress = beat.count
                    batches.apply(batch, ctx)
        except Exception:  # anything: the import is all or nothing, and the officer is told
            log.exception("import #%s failed", batch_id)
            batch = _fail(session, batch_id, "apply_failed")
    if batch is not None:
        _tell(session, batch)
    session.commit()
    return True


def _tell(session: Session, batch: ImportBatch) -> None:
    officer = session.get(User, batch.confirmed_by_id) if batch.confirmed_by_id else None
    if officer is None:
        return
    path = url_for("imports.preview", batch_id=batch.id)
    with force_locale(officer.locale):
        if batch.status == ImportStatus.DONE:
            subject = _("Import #%(id)s is done", id=batch.id)
            body = _(
                "The workbook %(file)s has been imported: %(num)d changes.",
                file=batch.filename,
                num=batch.total,
            )
        else:
            subject = _("Import #%(id)s failed", id=batch.id)
            body = _(
                "The workbook %(file)s was not imported; nothing was written. The import's page "
                "says why.",
                file=batch.filename,
            )
        notifications.notify(session, officer, subject=subject, body=body, url=path)


def run_queued(app: Flask) -> int:
    """The scheduler's job: apply the queued batches, one after another. When nothing is queued
    (nearly always) this is one indexed SELECT that takes no write lock."""
    with app.app_context():
        db_events.only_reading()
        if not anything_queued(db.session):
            return 0
    done = 0
    with app.app_context(), app.test_request_context(base_url=app.config["EXTERNAL_URL"]):
        while run_one(db.session, today()):
            done += 1
    return done


def anything_queued(session: Session) -> bool:
    return (
        session.scalar(
            select(ImportBatch.id)
            .where(ImportBatch.status.in_([ImportStatus.QUEUED, ImportStatus.RUNNING]))
            .limit(1)
        )
        is not None
    )
