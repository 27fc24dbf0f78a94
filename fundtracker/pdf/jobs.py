"""Background work on reports, as plain `job(app)` functions that are safe to run twice (the
scheduler adds them at merge; `flask reports build-pending` runs the builder once).

- build_pending(app): build every queued report, one at a time; a row is claimed with a guarded
  UPDATE, so two processes never build the same report.
- build_queued(app): the same, but first one cheap indexed look at the queue: the scheduler runs
  it every REPORT_POLL_SECONDS (1 s), so a report asked for starts building within about a
  second instead of at the next minute's run.
- monthly_board_report(app): queue the board report of the latest published period (one per
  language board members use) unless it exists, and build it; board members are told through
  notifications.notify when it is ready. A board report's outcome figures are a publication's,
  so a new scheduled report comes with each newly published period, not with each month.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Flask, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core import db_events
from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_d
from fundtracker.core.time import today as almaty_today
from fundtracker.models import ReportKind, ReportStatus, Role, StoredReport, User, utcnow
from fundtracker.pdf import service
from fundtracker.pdf.params import ReportParams
from fundtracker.services import notifications, publications

log = logging.getLogger(__name__)


def build_one(session: Session, report_id: int, today: date) -> bool:
    """Claim and build one queued report; commits as it goes. False if another process has it."""
    if not service.claim(session, report_id):
        session.rollback()
        return False
    session.commit()

    def progress(percent: int, pages: int | None = None) -> None:
        service.set_progress(session, report_id, percent, pages)
        session.commit()

    report = session.get(StoredReport, report_id)
    session.refresh(report)
    try:
        rendered, fingerprint, stamp = service.render_report(session, report, today, progress)
        key, sha256 = service.store_pdf(rendered.pdf)
    except Exception as error:  # a failed build is shown to the user, never left "building"
        session.rollback()
        log.exception("Report %s failed", report_id)
        report = session.get(StoredReport, report_id)
        report.status = ReportStatus.FAILED
        report.error = f"{type(error).__name__}: {error}"[:2000]
        report.finished_at = utcnow()
        session.commit()
        return True
    report.storage_key = key
    report.sha256 = sha256
    report.size = len(rendered.pdf)
    report.pages = rendered.pages
    # The data may have changed since it was queued: keep the fingerprint of what was built.
    report.fingerprint = fingerprint
    report.data_stamp = stamp
    report.status = ReportStatus.DONE
    report.progress = 100
    report.finished_at = utcnow()
    session.commit()
    if report.scheduled:
        notify_board(session, report)
    return True


def notify_board(session: Session, report: StoredReport) -> int:
    """Tell the active board members who read the report's language that it is ready (once)."""
    if report.notified_at is not None or report.status != ReportStatus.DONE:
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
    report.notified_at = utcnow()
    session.commit()
    return len(members)


def _period(report: StoredReport) -> str:
    """A report's period as its reader names it: "2025 Q4" for a period of the grid."""
    period = ReportParams.of(report).period()
    if period is not None:
        return period.label()
    return f"{format_d(report.period_start)} – {format_d(report.period_end)}"


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
    return (
        session.scalar(
            select(StoredReport.id).where(StoredReport.status == ReportStatus.QUEUED).limit(1)
        )
        is not None
    )


def _build_pending(session: Session, today: date) -> int:
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
    ):
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
    read, unless it exists; nothing while no period is published."""
    publication = publications.find(session, None)
    if publication is None:
        return []
    locales = sorted(
        set(session.scalars(select(User.locale).where(User.role == Role.BOARD, User.active)))
    ) or ["kk"]
    queued = []
    for locale in locales:
        exists = session.scalar(
            select(StoredReport.id).where(
                StoredReport.kind == ReportKind.BOARD,
                StoredReport.scheduled,
                StoredReport.locale == locale,
                StoredReport.period_start == publication.period_start,
                StoredReport.period_end == publication.period_end,
                StoredReport.area_id.is_(None),
                StoredReport.region_id.is_(None),
                StoredReport.status != ReportStatus.FAILED,
            )
        )
        if exists:
            continue
        params = ReportParams.board(publication, locale)
        report, _ready = service.request_report(session, None, params, today, scheduled=True)
        if report.scheduled:
            queued.append(report)
        else:  # the same report, asked for by someone: mark it so the board hears of it
            report.scheduled = True
            queued.append(report)
    session.commit()
    return queued


def monthly_board_report(app: Flask) -> int:
    """Queue the latest published period's board report and build what is queued; board
    members are told."""

    def work(session):
        today = almaty_today()
        queue_monthly(session, today)
        return _build_pending(session, today)

    return _in_context(app, work)
