"""Report builds that survive crashes (issue #23): a build holds its report under a lease that a
heartbeat renews; an abandoned build (its process killed) is taken back by another builder
after the lease and built; a build that fails every attempt ends failed, shown on its page with
a way to ask again, and whoever asked and the administrators are told; a scheduled report is
queued once even by two schedulers starting together; board members are told once; and no
write transaction is open while WeasyPrint prints.

The first tests run on the suite's database (rolled back); those marked no_db make a database
of their own (an SQLite file, or one on the PostgreSQL server) and use real threads and
processes."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import (
    Notification,
    ReportKind,
    ReportStatus,
    Role,
    StoredReport,
    utcnow,
)
from fundtracker.pdf import jobs, render, service
from fundtracker.pdf.params import ReportParams
from fundtracker.services import publications
from tests import factories
from tests.dbutil import is_postgres, migrated_app
from tests.logutil import loggers_on

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 4)
BOARD_FORM = {"period": "2025", "area": "", "region": "", "language": "en"}


def _fake_render(session, report, today, progress=None):
    """A build that takes no time: a one-page PDF, its progress reported as a real one's."""
    if progress:
        progress(25)
        progress(40)
        progress(95, 1)
    pdf = factories.PDF_BYTES + os.urandom(8)  # each build its own file
    return SimpleNamespace(pdf=pdf, pages=1), report.fingerprint, None


def _broken_render(session, report, today, progress=None):
    if progress:
        progress(25)
    raise RuntimeError("the printer caught fire")


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def _reload(report: StoredReport) -> StoredReport:
    db.session.expire_all()
    return db.session.get(StoredReport, report.id)


# Claims and leases ------------------------------------------------------------------------------


def test_a_claim_takes_a_lease_and_counts_an_attempt(app):
    report = factories.StoredReportFactory()
    before = utcnow()
    assert service.claim_build(db.session, report.id) == 1
    assert service.claim_build(db.session, report.id) is None  # exclusive
    report = _reload(report)
    assert (report.status, report.attempts) == (ReportStatus.BUILDING, 1)
    lease = timedelta(seconds=app.config["REPORT_LEASE_SECONDS"])
    assert before + lease <= report.lease_expires_at <= utcnow() + lease

    # Progress renews the lease too, while the report is the build's own.
    db.session.execute(
        update(StoredReport)
        .where(StoredReport.id == report.id)
        .values(lease_expires_at=before - timedelta(seconds=1))
    )
    assert service.set_progress(db.session, report.id, 40, attempt=1)
    assert _reload(report).lease_expires_at > utcnow()
    assert service.renew_lease(db.session, report.id, 1, timedelta(minutes=1))
    assert not service.renew_lease(db.session, report.id, 2, timedelta(minutes=1))


def test_a_build_taken_over_after_its_lease_changes_nothing_any_more(app):
    report = factories.StoredReportFactory()
    assert service.claim_build(db.session, report.id) == 1
    # Its process stalls past the lease: another builder takes the report back and claims it.
    later = utcnow() + timedelta(seconds=app.config["REPORT_LEASE_SECONDS"] + 1)
    assert service.reclaim_abandoned(db.session, later) == (1, 0)
    assert service.reclaim_abandoned(db.session, later) == (0, 0)  # taken back once
    assert service.claim_build(db.session, report.id) == 2

    # The first build wakes up: none of its writes lands.
    assert not service.set_progress(db.session, report.id, 90, attempt=1)
    assert not service.renew_lease(db.session, report.id, 1, timedelta(minutes=2))
    assert not service.finish_build(db.session, report.id, 1, storage_key="stale")
    assert service.give_up_build(db.session, report.id, 1, "late") is None
    report = _reload(report)
    assert (report.status, report.attempts, report.storage_key) == (ReportStatus.BUILDING, 2, None)
    assert service.finish_build(db.session, report.id, 2, storage_key="fresh", pages=3)
    assert _reload(report).status == ReportStatus.DONE


def test_builds_abandoned_every_time_end_failed_and_are_told(app, admin):
    asker = factories.UserFactory(role=Role.OFFICER, locale="en")
    project = factories.ProjectFactory()
    report = factories.StoredReportFactory(for_project=True, project=project, requested_by=asker)
    lease = timedelta(seconds=app.config["REPORT_LEASE_SECONDS"])
    for attempt in (1, 2, 3):
        assert service.claim_build(db.session, report.id) == attempt
        later = utcnow() + lease + timedelta(seconds=1)
        outcome = service.reclaim_abandoned(db.session, later)
        assert outcome == ((1, 0) if attempt < 3 else (0, 1))
    report = _reload(report)
    assert (report.status, report.attempts) == (ReportStatus.FAILED, 3)
    assert "stopped without finishing" in report.error
    assert report.finished_at is not None and report.lease_expires_at is None
    [to_asker] = _notes(asker)
    [to_admin] = _notes(admin)
    assert to_asker.subject == f"The report on project {project.code} could not be built"
    assert to_admin.url == to_asker.url == f"/reports/{report.id}"
    assert service.claim_build(db.session, report.id) is None  # never built again by itself


# A build that fails every attempt, as its asker sees it -----------------------------------------


def test_a_report_failing_every_attempt_ends_failed_shown_and_told(
    app, login, admin, publish, monkeypatch
):
    factories.ProjectFactory()
    publish("2025")
    board = factories.UserFactory(role=Role.BOARD, locale="en")
    other_member = factories.UserFactory(role=Role.BOARD, locale="en")
    client = login(board)
    client.post("/reports/board", data=BOARD_FORM)
    report = db.session.scalar(select(StoredReport).order_by(StoredReport.id.desc()))
    monkeypatch.setattr(service, "render_report", _broken_render)

    assert jobs.build_pending(app) == 1
    report = _reload(report)
    assert (report.status, report.attempts) == (ReportStatus.QUEUED, 1)
    assert report.error == "RuntimeError: the printer caught fire"
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'id="report-retry"' in page and "attempt 2 of 3" in page
    assert 'data-finished="no"' in page  # still followed: it is tried again
    assert _notes(board) == [] and _notes(admin) == []

    jobs.build_pending(app)
    jobs.build_pending(app)
    report = _reload(report)
    assert (report.status, report.attempts) == (ReportStatus.FAILED, 3)
    assert jobs.build_pending(app) == 0  # not stuck, not built again
    [told] = _notes(board)
    assert told.subject == "The board report for 2025 could not be built"
    assert "3 times" in told.body and told.url == f"/reports/{report.id}"
    assert len(_notes(admin)) == 1 and _notes(other_member) == []

    # Its page stops following the build, says so, and offers to ask again.
    assert client.get(f"/reports/{report.id}/status").json["finished"] is True
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'data-finished="yes"' in page and 'id="report-progress-bar"' not in page
    assert 'id="report-failed"' in page and "The administrators have been told" in page
    assert 'action="/reports/board"' in page and 'name="period" value="2025"' in page
    assert "printer caught fire" not in page  # the error is for administrators
    assert "printer caught fire" in login(admin).get(f"/reports/{report.id}").get_data(as_text=True)

    client = login(board)
    again = client.post("/reports/board", data=BOARD_FORM)
    fresh = db.session.scalar(select(StoredReport).order_by(StoredReport.id.desc()))
    assert fresh.id != report.id and fresh.status == ReportStatus.QUEUED
    assert again.headers["Location"].endswith(f"/reports/{fresh.id}")


def test_a_failed_project_report_is_asked_for_again_with_its_project(app, login, officer):
    project = factories.ProjectFactory()
    report = factories.StoredReportFactory(
        for_project=True, project=project, status=ReportStatus.FAILED, attempts=3
    )
    page = login(officer).get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'action="/reports/project"' in page
    assert f'name="project" value="{project.id}"' in page and 'name="language" value="en"' in page


# Scheduled reports: queued once, told once -------------------------------------------------------


def test_the_race_of_two_inserts_ends_with_the_first_ones_row(app, publish, monkeypatch):
    factories.ProjectFactory()
    publish("2025")
    factories.UserFactory(role=Role.BOARD, locale="kk")
    [first] = jobs.queue_monthly(db.session, TODAY)
    before = db.session.scalar(select(func.count()).select_from(StoredReport))

    # Another scheduler's view from before the first one committed: no scheduled report, and no
    # report of the same data. Its insert meets the unique key inside its savepoint.
    monkeypatch.setattr(service, "_matching", lambda *a, **k: None)
    looks = Counter()
    real = service.scheduled_report

    def not_seen_yet(session, params):
        looks["n"] += 1
        return None if looks["n"] <= 2 else real(session, params)  # queue_monthly's, then ours

    monkeypatch.setattr(service, "scheduled_report", not_seen_yet)
    assert jobs.queue_monthly(db.session, TODAY) == []
    assert looks["n"] == 3  # the insert failed on the key, and the row there was taken
    assert db.session.scalar(select(func.count()).select_from(StoredReport)) == before
    assert first.schedule_key == "board/kk/2025-01-01/2025-12-31/-/-/-"


def test_a_failed_scheduled_report_is_queued_again_a_day_later(app, publish, admin):
    factories.ProjectFactory()
    publish("2025")
    factories.UserFactory(role=Role.BOARD, locale="en")
    [report] = jobs.queue_monthly(db.session, TODAY)
    # Left building by a process that stopped: taken back and queued again, not queued twice.
    db.session.execute(
        update(StoredReport)
        .where(StoredReport.id == report.id)
        .values(status=ReportStatus.BUILDING, attempts=1, lease_expires_at=None)
    )
    assert service.reclaim_abandoned(db.session) == (1, 0)
    assert jobs.queue_monthly(db.session, TODAY) == []
    assert _reload(report).status == ReportStatus.QUEUED

    # Abandoned at its last attempt: failed, its key given up, the administrators told ...
    db.session.execute(
        update(StoredReport)
        .where(StoredReport.id == report.id)
        .values(status=ReportStatus.BUILDING, attempts=3, lease_expires_at=None)
    )
    assert service.reclaim_abandoned(db.session) == (0, 1)
    report = _reload(report)
    assert (report.status, report.schedule_key) == (ReportStatus.FAILED, None)
    assert len(_notes(admin)) == 1
    # ... not queued again at once (it would fail every minute) ...
    assert jobs.queue_monthly(db.session, TODAY) == []
    # ... but a day later.
    report.finished_at = utcnow() - service.RETRY_FAILED_AFTER - timedelta(minutes=1)
    db.session.commit()
    [again] = jobs.queue_monthly(db.session, TODAY)
    assert again.id != report.id and again.scheduled and again.schedule_key is not None


def test_board_members_are_told_once_even_by_two_schedulers(app, publish, monkeypatch):
    factories.ProjectFactory()
    publish("2025")
    member = factories.UserFactory(role=Role.BOARD, locale="en")
    monkeypatch.setattr(service, "render_report", _fake_render)
    [report] = jobs.queue_monthly(db.session, TODAY)
    jobs.build_pending(app)
    report = _reload(report)
    assert report.status == ReportStatus.DONE and report.notified_at is not None
    assert len(_notes(member)) == 1
    # A second scheduler that read the report before the notice was recorded.
    stale = SimpleNamespace(
        id=report.id, status=ReportStatus.DONE, notified_at=None, locale=report.locale
    )
    with app.test_request_context():
        assert jobs.notify_board(db.session, stale) == 0
    assert len(_notes(member)) == 1


# Real databases, threads and processes ----------------------------------------------------------


def _publish_portfolio(app, locales) -> None:
    """A project, the year 2025 published, one board member per language."""
    officer = factories.UserFactory(role=Role.OFFICER)
    factories.ProjectFactory()
    for locale in locales:
        factories.UserFactory(role=Role.BOARD, locale=locale)
    db.session.commit()
    publications.publish(db.session, officer, "2025", TODAY, tell=False)
    db.session.commit()
    db.session.remove()


@pytest.mark.no_db
def test_two_schedulers_starting_together_queue_one_report_per_language(
    tmp_path, monkeypatch, app_log
):
    locales = ["en", "kk", "ru"]
    folder = str(tmp_path / "reports")
    with migrated_app("monthly", REPORTS_FOLDER=folder) as app:
        loggers_on()
        _publish_portfolio(app, locales)
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=url, REPORTS_FOLDER=folder)
        monkeypatch.setattr(service, "render_report", _fake_render)

        start = threading.Barrier(2, timeout=30)
        if is_postgres():
            # Both have looked for the report (scheduled, or queued by someone with the same
            # data) and found nothing before either inserts it: the race that queued the report
            # twice. (On SQLite the first to write holds the lock until it commits, so the
            # second waits for it instead.)
            looked = threading.local()
            real = service._matching

            def matching_then_wait(*args, **kwargs):
                found = real(*args, **kwargs)
                looked.count = getattr(looked, "count", 0) + 1
                if looked.count == 2:  # the look for a queued one, just before the insert
                    start.wait()
                return found

            monkeypatch.setattr(service, "_matching", matching_then_wait)
        errors: list = []

        def scheduler(instance):
            try:
                if not is_postgres():
                    start.wait()
                jobs.monthly_board_report(instance)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        # The first of a month, 06:00 in Almaty.
        with time_machine.travel(datetime(2027, 1, 1, 1, 0, tzinfo=UTC), tick=True):
            threads = [threading.Thread(target=scheduler, args=(a,)) for a in (app, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert not errors, errors
        assert not [r for r in app_log.records if r.levelno >= logging.WARNING], app_log.text
        if is_postgres():  # both inserted; the unique key turned the second insert away
            assert "was queued by another scheduler meanwhile" in app_log.text

        with app.app_context():
            reports = db.session.scalars(select(StoredReport)).all()
            assert sorted(r.locale for r in reports) == locales  # one per language
            assert all(r.scheduled and r.status == ReportStatus.DONE for r in reports)
            assert all(r.attempts == 1 for r in reports)  # each built once
            told = Counter(db.session.scalars(select(Notification.user_id)))
            assert sorted(told.values()) == [1, 1, 1]  # each member told once
            db.session.remove()
        with other.app_context():
            db.engine.dispose()


def _queued_project_report() -> int:
    project = factories.ProjectFactory()
    factories.MilestoneFactory(project=project)
    report = service.request_report(
        db.session,
        None,
        ReportParams(
            ReportKind.PROJECT, "en", project.start_date, project.end_date, project_id=project.id
        ),
        TODAY,
    )[0]
    db.session.commit()
    report_id = report.id
    db.session.remove()
    return report_id


def _row(report_id: int) -> StoredReport:
    """The report's row as it is now, read in a transaction that ends at once (on SQLite a
    transaction left open would hold the write lock the builders need)."""
    db.session.expire_all()
    row = db.session.get(StoredReport, report_id)
    db.session.expunge(row)
    db.session.rollback()
    return row


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.no_db
def test_a_build_killed_mid_way_is_built_by_another_builder_after_its_lease(tmp_path):
    lease = 1.5
    folder = tmp_path / "reports"
    marker = tmp_path / "printing"
    with migrated_app("killed", REPORTS_FOLDER=str(folder), REPORT_LEASE_SECONDS=lease) as app:
        report_id = _queued_project_report()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        builder = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/pdf/blocked_builder.py")]
            + [url, str(folder), str(lease), str(marker)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(marker.exists, 60, "the builder to start printing")
            row = _row(report_id)
            assert (row.status, row.attempts, row.progress) == (ReportStatus.BUILDING, 1, 40)

            # Printing for longer than the lease: the heartbeat keeps the report its builder's.
            first = row.lease_expires_at
            time.sleep(2 * lease)
            assert service.reclaim_abandoned(db.session) == (0, 0)
            db.session.commit()
            assert _row(report_id).lease_expires_at > first
        finally:
            builder.send_signal(signal.SIGKILL)
            output = builder.communicate(timeout=30)[0].decode()
        assert builder.returncode == -signal.SIGKILL, output

        # Nobody renews the lease now; once it has run out, the next builder takes it back.
        _wait_for(lambda: _row(report_id).lease_expires_at < utcnow(), 3 * lease, "the lease")
        assert jobs.build_pending(app) == 1
        row = _row(report_id)
        assert (row.status, row.attempts, row.progress) == (ReportStatus.DONE, 2, 100)
        assert row.lease_expires_at is None and row.error == ""
        path = service.report_path(row)
        assert path is not None and path.read_bytes().startswith(b"%PDF")


def _open_transactions(url: str):
    """A way to ask, from outside, whether a writer's transaction is open: on SQLite, whether
    BEGIN IMMEDIATE succeeds at once; on PostgreSQL, whether a session is idle in one."""
    if not is_postgres():
        path = make_url(url).database

        def sqlite_locked() -> bool:
            connection = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                connection.close()

        return sqlite_locked, lambda: None
    engine = create_engine(url)

    def postgres_open() -> bool:
        with engine.connect() as connection:
            return bool(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                )
            )

    return postgres_open, engine.dispose


@pytest.mark.no_db
def test_no_write_transaction_is_open_while_the_pdf_is_printed(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    with migrated_app("printing", REPORTS_FOLDER=str(folder)) as app:
        report_id = _queued_project_report()
        locked, close = _open_transactions(app.config["SQLALCHEMY_DATABASE_URI"])
        seen: list[tuple[str, bool]] = []
        real = render.report_to_pdf

        def watched(data, generated_at, author, pages_done=None):
            seen.append(("printing starts", locked()))

            def pages(count):
                pages_done(count)
                seen.append(("pages laid out", locked()))

            rendered = real(data, generated_at, author, pages_done=pages if pages_done else None)
            seen.append(("file written", locked()))
            return rendered

        monkeypatch.setattr(render, "report_to_pdf", watched)
        try:
            assert jobs.build_pending(app) == 1
        finally:
            close()
        assert _row(report_id).status == ReportStatus.DONE
        assert seen[0][0] == "printing starts" and seen[-1][0] == "file written"
        assert [moment for moment, held in seen if held] == []
