"""Asking for a report: find a stored one built from the same data, or queue a build (a
scheduled one at most once: `queue_scheduled`). And building one: claim it under a lease, render
it, store the file; a build that fails or is abandoned (its lease ran out) is queued again a
bounded number of times, then failed, and the people concerned are told. Services flush; the
builders in jobs.py commit, because a build reports its progress as it goes.

Every write about a build in progress is guarded by the report's status and attempt number
(`attempts`, counted by the claim): a builder whose report was taken over after its lease ran out
changes nothing any more."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core import data_version, observability
from fundtracker.core.i18n import format_d
from fundtracker.core.storage import report_storage, reports_root
from fundtracker.models import Project, ReportKind, ReportStatus, Role, StoredReport, User, utcnow
from fundtracker.pdf import render
from fundtracker.pdf.context import build_context
from fundtracker.pdf.params import ReportParams, publication_of
from fundtracker.services import notifications
from fundtracker.services.errors import DomainError, NotAllowed

log = logging.getLogger(__name__)


def reports_folder() -> Path:
    """Where built PDFs live (with the database backend, this machine's copies of them): outside
    the web root (the instance folder by default)."""
    path = reports_root()
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_path(report: StoredReport) -> Path | None:
    """A file on this machine with the report's PDF, or None when it has none."""
    if not report.storage_key:
        return None
    return report_storage().local_path(report.storage_key)


def is_stored(session: Session, report: StoredReport) -> bool:
    """Whether the report's PDF is in storage (without fetching it)."""
    return bool(report.storage_key) and report_storage(session).exists(report.storage_key)


def outdated(session: Session, report: StoredReport) -> bool:
    """A board report that may not be handed out: its dates are no published period, or it was
    built before its period was published (under the rules of before, when any dates could be
    asked for and figures of overlapping periods could be subtracted from each other)."""
    if report.kind != ReportKind.BOARD:
        return False
    publication = publication_of(session, ReportParams.of(report))
    if publication is None:
        return True
    return report.finished_at is not None and report.finished_at < publication.published_at


def author() -> str:
    return current_app.config.get("FUND_NAME") or "FundTracker"


def current_data(session: Session, params: ReportParams, today: date) -> tuple[dict, str]:
    """The report's plain data as it is now, and its fingerprint. The data names the
    publications its outcome figures come from, so a publication added changes it."""
    with force_locale(params.locale):
        data = build_context(session, params, today)
    return data, render.fingerprint(params.as_dict(), data)


def data_stamp(session: Session, params: ReportParams, today: date) -> str | None:
    """What a report's data depends on besides the data itself, and the data version now: while
    this stamp is the same, the data the report was built from has not changed. Read before the
    data is, so a stamp never vouches for data older than it."""
    version = data_version.current(session)
    if version is None:
        return None
    stamp = {
        "params": params.as_dict(),
        "template": render.TEMPLATE_VERSION,
        "today": today.isoformat(),
        "version": version,
    }
    return hashlib.sha256(json.dumps(stamp, sort_keys=True, default=str).encode()).hexdigest()


def _matching(session: Session, params: ReportParams, fingerprint: str, statuses):
    return session.scalar(
        select(StoredReport)
        .where(
            StoredReport.fingerprint == fingerprint,
            StoredReport.kind == params.kind,
            StoredReport.status.in_(statuses),
        )
        .order_by(StoredReport.id.desc())
        .limit(1)
    )


def request_report(
    session: Session,
    actor: User | None,
    params: ReportParams,
    today: date,
    *,
    scheduled: bool = False,
) -> tuple[StoredReport, bool]:
    """A stored report built from the same data, ready to serve (True), or one that is queued or
    building for it, or a new queued one (False). `actor` None: the scheduler."""
    if actor is not None:
        allowed = (
            permissions.can_build_board_report(actor)
            if params.kind == ReportKind.BOARD
            else permissions.can_build_project_report(
                actor, session.get(Project, params.project_id)
            )
        )
        if not allowed:
            raise NotAllowed(_l("You may not build this report."))
    if params.kind == ReportKind.BOARD and publication_of(session, params) is None:
        # Outcome figures leave the fund for published periods only.
        raise DomainError(
            _l("A board report is built for a published period: choose one."), field="period"
        )
    stamp = data_stamp(session, params, today)
    if stamp is not None:
        # Nothing has changed since a stored report was found current: serve it without working
        # the whole report's data out again.
        done = session.scalar(
            select(StoredReport)
            .where(StoredReport.data_stamp == stamp, StoredReport.status == ReportStatus.DONE)
            .order_by(StoredReport.id.desc())
            .limit(1)
        )
        if done is not None and is_stored(session, done):
            return done, True
    _, fingerprint = current_data(session, params, today)
    done = _matching(session, params, fingerprint, [ReportStatus.DONE])
    if done is not None and is_stored(session, done):
        done.data_stamp = stamp
        return done, True
    pending = _matching(session, params, fingerprint, [ReportStatus.QUEUED, ReportStatus.BUILDING])
    if pending is not None:
        return pending, False
    report = StoredReport(
        kind=params.kind,
        locale=params.locale,
        period_start=params.period_start,
        period_end=params.period_end,
        area_id=params.area_id,
        region_id=params.region_id,
        project_id=params.project_id,
        fingerprint=fingerprint,
        status=ReportStatus.QUEUED,
        progress=0,
        scheduled=scheduled,
        requested_by_id=actor.id if actor is not None else None,
        request_id=observability.current_request_id(),
    )
    session.add(report)
    session.flush()
    return report, False


# Scheduled reports ------------------------------------------------------------------------------


def schedule_key_of(params: ReportParams) -> str:
    """A scheduled report's identity: kind, language, dates, area, region, project. Migration
    0015 fills existing rows in with the same format."""

    def part(value) -> str:
        return "-" if value is None else str(value)

    return "/".join(
        [
            params.kind.value,
            params.locale,
            params.period_start.isoformat(),
            params.period_end.isoformat(),
            part(params.area_id),
            part(params.region_id),
            part(params.project_id),
        ]
    )


def scheduled_report(session: Session, params: ReportParams) -> StoredReport | None:
    """The scheduled report of `params` that is queued, building or built (a failed one gives
    its key up)."""
    return session.scalar(
        select(StoredReport).where(StoredReport.schedule_key == schedule_key_of(params))
    )


# A scheduled report that failed is queued again once this long has passed since it failed (the
# administrators were told; anyone may ask for it again sooner), so that a report that cannot be
# built does not fail again every minute.
RETRY_FAILED_AFTER = timedelta(days=1)


def failed_lately(session: Session, params: ReportParams, now: datetime) -> bool:
    """Whether the scheduled report of `params` failed less than RETRY_FAILED_AFTER ago."""
    return (
        session.scalar(
            select(StoredReport.id)
            .where(
                StoredReport.scheduled,
                StoredReport.status == ReportStatus.FAILED,
                StoredReport.kind == params.kind,
                StoredReport.locale == params.locale,
                StoredReport.period_start == params.period_start,
                StoredReport.period_end == params.period_end,
                _same(StoredReport.area_id, params.area_id),
                _same(StoredReport.region_id, params.region_id),
                _same(StoredReport.project_id, params.project_id),
                StoredReport.finished_at > now - RETRY_FAILED_AFTER,
            )
            .limit(1)
        )
        is not None
    )


def _same(column, value):
    return column.is_(None) if value is None else column == value


def queue_scheduled(
    session: Session, params: ReportParams, today: date
) -> tuple[StoredReport, bool]:
    """The scheduled report of `params`, and whether this call queued it (or marked as scheduled
    the same report someone asked for): the one there is, or a new one. Safe when two schedulers
    do it at once: the key is unique, so of two inserts one fails, inside its savepoint, and its
    caller takes the row the other made."""
    existing = scheduled_report(session, params)
    if existing is not None:
        return existing, False
    key = schedule_key_of(params)
    try:
        with session.begin_nested():
            report, _ready = request_report(session, None, params, today, scheduled=True)
            # Someone's request for the same data, queued or built: the board hears of it too.
            report.scheduled = True
            report.schedule_key = key
            session.flush()
    except IntegrityError:
        existing = scheduled_report(session, params)
        if existing is None:  # not the key's race: a real error
            raise
        log.info("scheduled report %s was queued by another scheduler meanwhile", key)
        return existing, False
    return report, True


# Building: claims, leases, outcomes --------------------------------------------------------------


def lease_length() -> timedelta:
    """How long a claimed build stays its builder's without a heartbeat (REPORT_LEASE_SECONDS)."""
    return timedelta(seconds=float(current_app.config.get("REPORT_LEASE_SECONDS", 120)))


def max_attempts() -> int:
    """Builds started before a report that fails or is abandoned is given up (failed)."""
    return max(1, int(current_app.config.get("REPORT_MAX_ATTEMPTS", 3)))


def claim_build(session: Session, report_id: int, now: datetime | None = None) -> int | None:
    """Take a queued report for building, under a lease: one UPDATE guarded by the status, so of
    two processes that try at once exactly one changes the row. Returns the attempt number (the
    builder's token for its later writes), or None when the report is not queued (any more)."""
    now = now or utcnow()
    result = session.execute(
        update(StoredReport)
        .where(StoredReport.id == report_id, StoredReport.status == ReportStatus.QUEUED)
        .values(
            status=ReportStatus.BUILDING,
            started_at=now,
            finished_at=None,
            progress=5,
            pages=None,
            attempts=StoredReport.attempts + 1,
            lease_expires_at=now + lease_length(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return session.scalar(select(StoredReport.attempts).where(StoredReport.id == report_id))


def claim(session: Session, report_id: int) -> bool:
    """claim_build, answering whether this process has the report now."""
    return claim_build(session, report_id) is not None


def _own(report_id: int, attempt: int):
    """The report while it is still the build `attempt`'s (not taken over, not finished)."""
    return update(StoredReport).where(
        StoredReport.id == report_id,
        StoredReport.status == ReportStatus.BUILDING,
        StoredReport.attempts == attempt,
    )


def set_progress(
    session: Session,
    report_id: int,
    progress: int,
    pages: int | None = None,
    attempt: int | None = None,
) -> bool:
    """Record how far a build got; `pages`: pages laid out so far (the final count when done).
    With `attempt`, only while the report is that build's, and its lease is renewed too; False
    when it is not its own any more."""
    values: dict = {"progress": progress}
    if pages is not None:
        values["pages"] = pages
    if attempt is None:
        stmt = update(StoredReport).where(StoredReport.id == report_id)
    else:
        stmt = _own(report_id, attempt)
        values["lease_expires_at"] = utcnow() + lease_length()
    result = session.execute(stmt.values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def renew_lease(
    connection: Connection | Session, report_id: int, attempt: int, lease: timedelta
) -> bool:
    """The heartbeat: the build `attempt` keeps its report for `lease` from now. False when it is
    not its own any more (taken over after its lease ran out). On a connection of its own."""
    result = connection.execute(
        _own(report_id, attempt)
        .values(lease_expires_at=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def finish_build(session: Session, report_id: int, attempt: int, **values) -> bool:
    """Record the built file (`values`: storage_key, sha256, size, pages, fingerprint,
    data_stamp) and mark the report done, if it is still the build's own; False if it was taken
    over (the caller drops its file)."""
    result = session.execute(
        _own(report_id, attempt)
        .values(
            status=ReportStatus.DONE,
            progress=100,
            error="",
            finished_at=utcnow(),
            lease_expires_at=None,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def give_up_build(
    session: Session, report_id: int, attempt: int, error: str
) -> ReportStatus | None:
    """A build that raised: queued again while attempts are left, failed after the last (and
    the people concerned told). None if the report was not the build's own any more."""
    attempts_left = attempt < max_attempts()
    result = session.execute(
        _own(report_id, attempt)
        .values(**_after_attempt(attempts_left, error[:2000]))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    if attempts_left:
        return ReportStatus.QUEUED
    tell_failed(session, session.get(StoredReport, report_id))
    return ReportStatus.FAILED


def _after_attempt(attempts_left: bool, error: str) -> dict:
    """The values of a report whose build did not finish: queued again, or failed (giving its
    schedule key up, so that the monthly job may queue it again later)."""
    if attempts_left:
        return {
            "status": ReportStatus.QUEUED,
            "progress": 0,
            "pages": None,
            "lease_expires_at": None,
            "error": error,
        }
    return {
        "status": ReportStatus.FAILED,
        "lease_expires_at": None,
        "finished_at": utcnow(),
        "schedule_key": None,
        "error": error,
    }


def _abandoned(now: datetime):
    """Reports left building by a builder that stopped: its lease ran out (or, left by a
    version of the app before leases, was never set)."""
    return (
        StoredReport.status == ReportStatus.BUILDING,
        or_(StoredReport.lease_expires_at.is_(None), StoredReport.lease_expires_at < now),
    )


def reclaim_abandoned(session: Session, now: datetime | None = None) -> tuple[int, int]:
    """Take back every build whose lease ran out: queued again while attempts are left, else
    failed and the people concerned told. Each by an UPDATE guarded by the attempt it read, so
    two schedulers never both take one back. Returns (queued again, failed)."""
    now = now or utcnow()
    rows = session.execute(
        select(StoredReport.id, StoredReport.attempts).where(*_abandoned(now))
    ).all()
    limit = max_attempts()
    requeued = failed = 0
    for report_id, attempts in rows:
        attempts_left = attempts < limit
        error = (
            f"The build (attempt {attempts} of {limit}) stopped without finishing: its "
            "process stopped or lost the database."
        )
        result = session.execute(
            update(StoredReport)
            .where(
                StoredReport.id == report_id, StoredReport.attempts == attempts, *_abandoned(now)
            )
            .values(**_after_attempt(attempts_left, error))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            continue  # another scheduler took it back first
        if attempts_left:
            requeued += 1
        else:
            failed += 1
            tell_failed(session, session.get(StoredReport, report_id))
    session.flush()
    return requeued, failed


def anything_to_do(session: Session, now: datetime | None = None) -> bool:
    """Whether a report is queued, or a build was abandoned: one indexed look."""
    now = now or utcnow()
    found = session.scalar(
        select(StoredReport.id)
        .where(or_(StoredReport.status == ReportStatus.QUEUED, and_(*_abandoned(now))))
        .limit(1)
    )
    return found is not None


def period_label(report: StoredReport) -> str:
    """A report's period as its reader names it: "2025 Q4" for a period of the grid."""
    period = ReportParams.of(report).period()
    if period is not None:
        return period.label()
    return f"{format_d(report.period_start)} – {format_d(report.period_end)}"


def tell_failed(session: Session, report: StoredReport) -> int:
    """Tell whoever asked for a report that failed for good, and the administrators, in their
    own language, with a link to its page (where it can be asked for again)."""
    session.refresh(report)
    people = {
        user.id: user
        for user in session.scalars(select(User).where(User.role == Role.ADMIN, User.active))
    }
    if report.requested_by is not None and report.requested_by.active:
        people[report.requested_by.id] = report.requested_by
    path = notifications.app_path("reports.detail", report_id=report.id)
    for user in people.values():
        with force_locale(user.locale):
            if report.is_board:
                subject = _(
                    "The board report for %(period)s could not be built",
                    period=period_label(report),
                )
            else:
                subject = _(
                    "The report on project %(code)s could not be built",
                    code=report.project.code if report.project else "",
                )
            body = _(
                "FundTracker tried %(attempts)d times to build the report and could not. Open "
                "its page to ask for it again.",
                attempts=report.attempts,
            )
        notifications.notify(session, user, subject=subject, body=body, url=path)
    return len(people)


def expected_pages(session: Session, report: StoredReport) -> int | None:
    """Pages of the last report built with the same parameters (its length hardly changes
    between builds): what the progress bar measures the pages laid out against."""
    params = ReportParams.of(report)
    return session.scalar(
        select(StoredReport.pages)
        .where(
            StoredReport.status == ReportStatus.DONE,
            StoredReport.kind == params.kind,
            StoredReport.locale == params.locale,
            StoredReport.period_start == params.period_start,
            StoredReport.period_end == params.period_end,
            StoredReport.pages.is_not(None),
        )
        .order_by(StoredReport.id.desc())
        .limit(1)
    )


def store_pdf(pdf: bytes, session: Session | None = None) -> tuple[str, str]:
    """Store the PDF under a random name (with the database backend, in the session's
    transaction: the caller commits it with the report); return (storage key, SHA-256)."""
    key = secrets.token_hex(16)
    report_storage(session).put_bytes(key, pdf)
    return key, hashlib.sha256(pdf).hexdigest()


def drop_pdf(key: str, session: Session | None = None) -> None:
    """Remove a PDF stored in a transaction that was then rolled back (a build that lost its
    report to another): its pieces went with the transaction; the file or copy goes here."""
    report_storage(session).discard([key])


# The share of the progress bar that laying out the pages fills (from 40 % to 90 %); writing the
# file takes the rest.
LAYOUT_FROM, LAYOUT_TO = 40, 90


def render_report(session: Session, report: StoredReport, today: date, progress=None):
    """Build the PDF of `report` from the data as it is now; returns (rendered, fingerprint,
    data stamp). `progress(percent, pages=None)` is told how far it got: the percent, and the
    pages laid out so far while WeasyPrint lays them out."""
    params = ReportParams.of(report)
    expected = expected_pages(session, report) if progress else None
    stamp = data_stamp(session, params, today)
    data, fingerprint = current_data(session, params, today)
    if progress:
        progress(25)
    if progress:
        progress(LAYOUT_FROM)

    def pages_done(pages: int) -> None:
        share = min(1.0, pages / expected) if expected else 0.0
        progress(round(LAYOUT_FROM + share * (LAYOUT_TO - LAYOUT_FROM)), pages)

    rendered = render.report_to_pdf(
        data, utcnow(), author(), pages_done=pages_done if progress else None
    )
    if progress:
        progress(95, rendered.pages)
    return rendered, fingerprint, stamp
