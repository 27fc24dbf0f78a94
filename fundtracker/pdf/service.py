"""Asking for a report: find a stored one built from the same data, or queue a build. And
building one: claim it, render it, store the file. Services flush; the builders in jobs.py
commit, because a build reports its progress as it goes."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core import data_version
from fundtracker.models import Project, ReportKind, ReportStatus, StoredReport, User, utcnow
from fundtracker.pdf import render
from fundtracker.pdf.context import build_context
from fundtracker.pdf.params import ReportParams, publication_of
from fundtracker.services.errors import DomainError, NotAllowed


def reports_folder() -> Path:
    """Where built PDFs live: outside the web root (the instance folder by default)."""
    folder = current_app.config.get("REPORTS_FOLDER") or Path(current_app.instance_path) / "reports"
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_path(report: StoredReport) -> Path | None:
    if not report.storage_key:
        return None
    path = reports_folder() / f"{report.storage_key}.pdf"
    return path if path.is_file() else None


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
        if done is not None and report_path(done) is not None:
            return done, True
    _, fingerprint = current_data(session, params, today)
    done = _matching(session, params, fingerprint, [ReportStatus.DONE])
    if done is not None and report_path(done) is not None:
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
    )
    session.add(report)
    session.flush()
    return report, False


def claim(session: Session, report_id: int) -> bool:
    """Take a queued report for building. One UPDATE guarded by the status: of two processes
    that try at once, exactly one changes the row."""
    result = session.execute(
        update(StoredReport)
        .where(StoredReport.id == report_id, StoredReport.status == ReportStatus.QUEUED)
        .values(status=ReportStatus.BUILDING, started_at=utcnow(), progress=5)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def set_progress(session: Session, report_id: int, progress: int, pages: int | None = None) -> None:
    """Record how far a build got; `pages`: pages laid out so far (the final count when done)."""
    values = {"progress": progress} if pages is None else {"progress": progress, "pages": pages}
    session.execute(
        update(StoredReport)
        .where(StoredReport.id == report_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


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


def store_pdf(pdf: bytes) -> tuple[str, str]:
    """Write the PDF under a random name; return (storage key, SHA-256)."""
    key = secrets.token_hex(16)
    path = reports_folder() / f"{key}.pdf"
    tmp = path.with_suffix(".part")
    tmp.write_bytes(pdf)
    tmp.replace(path)
    return key, hashlib.sha256(pdf).hexdigest()


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
