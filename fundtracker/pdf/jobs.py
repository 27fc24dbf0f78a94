"""Background work on reports, as plain `job(app)` functions that are safe to run twice, and at
once in two processes (the scheduler adds them; `flask reports build-pending` runs the builder
once).

- build_pending(app): take back the builds whose lease ran out (service.reclaim_abandoned), then
  build every queued report, one at a time. A row is claimed with a guarded UPDATE, so two
  processes never build the same report, and under a lease (REPORT_LEASE_SECONDS) that a
  heartbeat thread renews while the build works: a builder that dies (kill -9, a lost database)
  leaves a report that any scheduler takes back once the lease has run out, queued again or,
  after REPORT_MAX_ATTEMPTS builds, failed and the people concerned told. No write transaction
  is open while WeasyPrint prints: each write (the claim, progress, the heartbeat, the outcome)
  is a short transaction of its own.
- build_queued(app): the same, but first one cheap indexed look at the queue: the scheduler runs
  it every REPORT_POLL_SECONDS (1 s), so a report asked for starts building within about a
  second instead of at the next minute's run.
- monthly_board_report(app): queue the board report of the latest published period (one per
  language board members use) unless it exists, and build it; board members are told through
  notifications.notify when it is ready. A board report's outcome figures are a publication's,
  so a new scheduled report comes with each newly published period, not with each month. A
  scheduled report is queued once (a unique key; service.queue_scheduled), and board members
  are told once (a guarded UPDATE of notified_at, in the transaction of the notices).
"""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta

from flask import Flask, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from fundtracker.core import db_events, observability
from fundtracker.core.extensions import db
from fundtracker.core.time import today as almaty_today
from fundtracker.models import ReportStatus, Role, StoredReport, User, utcnow
from fundtracker.pdf import service
from fundtracker.pdf.params import ReportParams
from fundtracker.services import notifications, publications

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews a build's lease every third of it, from a thread of its own with a connection of
    its own, each renewal one short transaction, until the build ends. WeasyPrint may work for
    long without a progress report (writing the PDF takes seconds, and a long print lays out in
    other processes): the heartbeat keeps the lease alive meanwhile, and stops with the process.
    It stops too once the report is no longer the build's (taken over after its lease ran out,
    e.g. while the database was out of reach): the build's own writes then change nothing."""

    def __init__(self, engine: Engine | None, report_id: int, attempt: int, lease: timedelta):
        self.engine, self.report_id, self.attempt, self.lease = engine, report_id, attempt, lease
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.engine is not None:  # None: a session bound to one connection (tests)
            self._thread = threading.Thread(
                target=self._beat, name=f"report-{self.report_id}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                with self.engine.begin() as connection:
                    renewed = service.renew_lease(
                        connection, self.report_id, self.attempt, self.lease
                    )
            except Exception as error:  # a busy or lost database: try again at the next beat
                log.warning("report %s: lease not renewed: %s", self.report_id, error)
                continue
            if not renewed:
                log.warning("report %s was taken over by another builder", self.report_id)
                return


def _own_engine(session: Session) -> Engine | None:
    """The engine the heartbeat takes its connections from: the session's own, unless the
    session is bound to one connection (then progress reports alone renew the lease)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else None


def build_one(session: Session, report_id: int, today: date) -> bool:
    """Claim and build one queued report; commits as it goes. False if another process has it,
    or took it over meanwhile (its lease ran out)."""
    attempt = service.claim_build(session, report_id)
    if attempt is None:
        session.rollback()
        return False
    origin = session.scalar(select(StoredReport.request_id).where(StoredReport.id == report_id))
    session.commit()
    with (
        observability.carrying(origin),
        Heartbeat(_own_engine(session), report_id, attempt, service.lease_length()),
    ):
        log.info("Building report %s (attempt %s)", report_id, attempt)
        built = _build(session, report_id, attempt, today)
        if built is not None and built.scheduled:
            notify_board(session, built)
    return built is not None


def _build(session: Session, report_id: int, attempt: int, today: date) -> StoredReport | None:
    """Render and store the report claimed as `attempt`, each write a short transaction of its
    own; the report, done or given up, or None when it was taken over."""

    def progress(percent: int, pages: int | None = None) -> None:
        # Also ends the transaction of what was read before: none stays open while printing.
        service.set_progress(session, report_id, percent, pages, attempt=attempt)
        session.commit()

    report = session.get(StoredReport, report_id)
    session.refresh(report)
    try:
        rendered, fingerprint, stamp = service.render_report(session, report, today, progress)
        key, sha256 = service.store_pdf(rendered.pdf, session)
    except Exception as error:  # a failed build is tried again or shown, never left "building"
        session.rollback()
        log.exception("Report %s failed (attempt %s)", report_id, attempt)
        status = service.give_up_build(
            session, report_id, attempt, f"{type(error).__name__}: {error}"
        )
        session.commit()
        return session.get(StoredReport, report_id) if status is not None else None
    # The data may have changed since it was queued: keep the fingerprint of what was built.
    finished = service.finish_build(
        session,
        report_id,
        attempt,
        storage_key=key,
        sha256=sha256,
        size=len(rendered.pdf),
        pages=rendered.pages,
        fingerprint=fingerprint,
        data_stamp=stamp,
    )
    if not finished:
        # Rolled back, pieces and all (database storage): nothing names this build's file.
        session.rollback()
        log.warning("Report %s was built by another builder too: this build is dropped", report_id)
        service.drop_pdf(key, session)
        return None
    session.commit()
    report = session.get(StoredReport, report_id)
    session.refresh(report)
    return report


def notify_board(session: Session, report: StoredReport) -> int:
    """Tell the active board members who read the report's language that it is ready, once: the
    notice is claimed by setting notified_at with an UPDATE guarded by it, in the transaction of
    the notices, so two schedulers never both tell them."""
    if report.notified_at is not None or report.status != ReportStatus.DONE:
        return 0
    claimed = session.execute(
        update(StoredReport)
        .where(
            StoredReport.id == report.id,
            StoredReport.status == ReportStatus.DONE,
            StoredReport.notified_at.is_(None),
        )
        .values(notified_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return 0
    members = session.scalars(
        select(User).where(User.role == Role.BOARD, User.active, User.locale == report.locale)
    ).all()
    path = url_for("reports.detail", report_id=report.id)
    for member in members:
        with force_locale(member.locale):
            notifications.notify(
                session,
                member,
                subject=_("The board report for %(period)s is ready", period=_period(report)),
                body=_(
                    "The impact report for %(period)s has been built. Download it from the "
                    "reports page.",
                    period=_period(report),
                ),
                url=path,
            )
    session.commit()
    return len(members)


def _period(report: StoredReport) -> str:
    return service.period_label(report)


def pending_ids(session: Session) -> list[int]:
    """Queued reports, those someone asked for (and waits for) before the scheduled ones."""
    return list(
        session.scalars(
            select(StoredReport.id)
            .where(StoredReport.status == ReportStatus.QUEUED)
            .order_by(StoredReport.scheduled, StoredReport.id)
        )
    )


def anything_queued(session: Session) -> bool:
    """A report queued, or a build abandoned to take back: one indexed look."""
    return service.anything_to_do(session)


def reclaim(session: Session) -> tuple[int, int]:
    """Take back the builds whose lease ran out (service.reclaim_abandoned), and commit."""
    requeued, failed = service.reclaim_abandoned(session)
    session.commit()
    if requeued or failed:
        log.warning("reports: %s abandoned builds queued again, %s failed", requeued, failed)
    return requeued, failed


def _build_pending(session: Session, today: date) -> int:
    reclaim(session)
    built = 0
    for report_id in pending_ids(session):
        built += build_one(session, report_id, today)
    # A scheduled report built earlier whose notice did not go out (e.g. the process stopped).
    for report in session.scalars(
        select(StoredReport).where(
            StoredReport.scheduled,
            StoredReport.status == ReportStatus.DONE,
            StoredReport.notified_at.is_(None),
        )
    ).all():
        notify_board(session, report)
    return built


def _in_context(app: Flask, work):
    with app.app_context(), app.test_request_context(base_url=app.config["EXTERNAL_URL"]):
        return work(db.session)


def build_pending(app: Flask) -> int:
    """Build every queued report; returns how many this process built."""
    return _in_context(app, lambda session: _build_pending(session, almaty_today()))


def build_queued(app: Flask) -> int:
    """Build what is queued, if anything is. When nothing is (nearly always) this is one indexed
    SELECT in a read-only transaction: on SQLite a plain BEGIN that takes no write lock, so a
    poll every second or two never holds up the web server's writes."""
    with app.app_context():
        # Read as a GET does (fundtracker.core.db_events): no BEGIN IMMEDIATE for a look.
        db_events.only_reading()
        queued = anything_queued(db.session)
    return build_pending(app) if queued else 0


def queue_monthly(session: Session, today: date) -> list[StoredReport]:
    """Queue the board report of the latest published period in each language board members
    read, unless it is queued, building or built (one that failed is queued again a day after,
    service.RETRY_FAILED_AFTER); nothing while no period is published. Two schedulers at once
    queue each once (service.queue_scheduled)."""
    publication = publications.find(session, None)
    if publication is None:
        return []
    locales = sorted(
        set(session.scalars(select(User.locale).where(User.role == Role.BOARD, User.active)))
    ) or ["kk"]
    now = utcnow()
    queued = []
    for locale in locales:
        params = ReportParams.board(publication, locale)
        if service.scheduled_report(session, params) is not None:
            continue
        if service.failed_lately(session, params, now):
            continue
        report, new = service.queue_scheduled(session, params, today)
        if new:
            queued.append(report)
    session.commit()
    return queued


def monthly_board_report(app: Flask) -> int:
    """Queue the latest published period's board report and build what is queued; board
    members are told."""

    def work(session):
        today = almaty_today()
        reclaim(session)  # an abandoned build is queued again (or failed) before the look
        queue_monthly(session, today)
        return _build_pending(session, today)

    return _in_context(app, work)
