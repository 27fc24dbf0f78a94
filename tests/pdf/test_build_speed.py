"""A report asked for starts building at once and its page shows the pages laid out so far: the
scheduler looks at the report queue every second or two (a cheap read when it is empty) instead
of building at its minute's run. No timings here (bench/report_build.py measures them): the
running scheduler builds a queued report when its minute's jobs cannot have, and the progress it
records counts the pages of the finished PDF."""

from __future__ import annotations

import io
import sqlite3
import threading
import time

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import make_url

from fundtracker.core.extensions import db
from fundtracker.models import ReportKind, ReportStatus, StoredReport
from fundtracker.pdf import jobs, render, service
from fundtracker.pdf.params import ReportParams
from fundtracker.scheduler import runner
from tests import factories
from tests.dbutil import is_postgres, migrated_app


def _project_params(project, locale="en") -> ReportParams:
    return ReportParams(
        ReportKind.PROJECT, locale, project.start_date, project.end_date, project_id=project.id
    )


def test_the_scheduler_looks_at_the_report_queue_every_second(app):
    scheduler = runner.build_scheduler(app)
    job = scheduler.get_job("fundtracker-report-queue")
    assert job.func is runner.report_queue_job and job.args == (app,)
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval.total_seconds() <= 2
    # The minute's run still builds too (and tells the board of scheduled reports).
    minute = scheduler.get_job("fundtracker-jobs")
    assert minute.trigger.interval.total_seconds() == 60


def test_looking_at_an_empty_queue_is_one_read_and_builds_nothing(app, sql_log, monkeypatch):
    monkeypatch.setattr(jobs, "build_one", lambda *a, **k: pytest.fail("built"))
    assert jobs.build_queued(app) == 0
    bookkeeping = ("BEGIN", "ROLLBACK", "SAVEPOINT", "RELEASE")
    statements = [s for s in sql_log if not s.lstrip().upper().startswith(bookkeeping)]
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")


@pytest.mark.no_db
@pytest.mark.skipif(is_postgres(), reason="SQLite's write lock")
def test_on_sqlite_the_look_takes_no_write_lock(tmp_path, monkeypatch):
    """The web server may hold the write lock (BEGIN IMMEDIATE) when the scheduler looks: the
    look reads a snapshot and does not wait for it (waiting would fail after busy_timeout)."""
    monkeypatch.setattr(jobs, "build_one", lambda *a, **k: pytest.fail("built"))
    with migrated_app("look", REPORTS_FOLDER=str(tmp_path)) as app:
        path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        writer = sqlite3.connect(path, isolation_level=None, timeout=0)
        writer.execute("BEGIN IMMEDIATE")
        try:
            assert jobs.build_queued(app) == 0
        finally:
            writer.execute("ROLLBACK")
            writer.close()


def test_a_look_while_a_build_runs_returns_at_once(app, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow(_app):
        started.set()
        release.wait(10)
        return 1

    monkeypatch.setattr(runner, "build_queued", slow)
    worker = threading.Thread(target=runner.report_queue_job, args=(app,))
    worker.start()
    assert started.wait(10)
    try:
        assert runner.report_queue_job(app) == 0  # the running build is not waited for
    finally:
        release.set()
        worker.join(10)


@pytest.mark.no_db
def test_the_running_scheduler_builds_a_queued_report_and_counts_its_pages(tmp_path, monkeypatch):
    # Nothing but the report queue's look can build: the minute's and the day's jobs are none.
    monkeypatch.setattr("fundtracker.scheduler.JOBS", [])
    monkeypatch.setattr(runner, "DAILY_JOBS", [])
    monkeypatch.setattr(render, "PAGES_EVERY", 0.0)  # every page laid out is reported
    recorded: list[tuple[int, int | None]] = []
    original = service.set_progress

    def recording(session, report_id, progress, pages=None, attempt=None):
        recorded.append((progress, pages))
        return original(session, report_id, progress, pages, attempt=attempt)

    monkeypatch.setattr(service, "set_progress", recording)
    with migrated_app(
        "queue", REPORTS_FOLDER=str(tmp_path), SCHEDULER_INTERVAL_SECONDS=3600
    ) as app:
        project = factories.ProjectFactory(title_en="Mobile clinic for Turkistan villages")
        factories.MilestoneFactory(project=project)
        db.session.commit()
        with app.test_request_context():
            report, ready = service.request_report(
                db.session, None, _project_params(project), project.start_date
            )
        db.session.commit()
        assert not ready and report.status == ReportStatus.QUEUED
        report_id = report.id
        db.session.remove()

        scheduler = runner.build_scheduler(app)
        thread = threading.Thread(target=scheduler.start, daemon=True)
        thread.start()
        try:
            for _ in range(600):  # a bound, not a timing: up to a minute on a loaded machine
                status = db.session.scalar(
                    select(StoredReport.status).where(StoredReport.id == report_id)
                )
                db.session.rollback()
                if status in (ReportStatus.DONE, ReportStatus.FAILED):
                    break
                time.sleep(0.1)
        finally:
            scheduler.shutdown(wait=True)
            thread.join(30)
        report = db.session.get(StoredReport, report_id)
        assert report.status == ReportStatus.DONE, report.error
        pdf = service.report_path(report).read_bytes()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert report.pages == pages and report.progress == 100
    # The pages laid out were recorded as they went, up to the whole report.
    counts = [p for _, p in recorded if p is not None]
    assert counts and counts == sorted(counts) and counts[-1] == pages
    assert [p for p, _ in recorded] == sorted(p for p, _ in recorded)
