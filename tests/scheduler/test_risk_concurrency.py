"""The daily at-risk check run by two schedulers at once (two app instances with their own
connections, on an SQLite file or the PostgreSQL server): each change is made once, and
neither fails with StaleDataError or logs a traceback."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import Project, ProjectEvent, ProjectStatus
from fundtracker.scheduler import DAILY_JOBS, jobs, run_jobs
from tests import factories
from tests.dbutil import migrated_app
from tests.logutil import loggers_on

OVERDUE = 12  # running projects with an overdue milestone: flagged
RECOVERED = 6  # flagged by the check earlier, signals gone since: lifted


def _portfolio() -> tuple[set[int], set[int]]:
    flag, lift = set(), set()
    for _ in range(OVERDUE):
        milestone = factories.MilestoneFactory(due_date=today() - timedelta(days=10))
        flag.add(milestone.project_id)
    for _ in range(RECOVERED):
        project = factories.ProjectFactory(status=ProjectStatus.AT_RISK, status_auto=True)
        factories.MilestoneFactory(project=project, due_date=today() + timedelta(days=30))
        lift.add(project.id)
    db.session.commit()
    return flag, lift


@pytest.mark.no_db
def test_two_risk_checks_at_once_make_each_change_once(monkeypatch, app_log):
    with migrated_app("risk") as app:
        loggers_on()
        flag, lift = _portfolio()
        db.session.remove()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        # A second scheduler: an app of its own, with its own engine and connections.
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=url)

        # Both read the portfolio before either writes: the race of two schedulers started
        # together, made certain.
        both_read = threading.Barrier(2, timeout=30)
        real = jobs.risk_changes

        def read_then_wait(session, day: date):
            changes = real(session, day)
            both_read.wait()
            return changes

        monkeypatch.setattr(jobs, "risk_changes", read_then_wait)
        results: list = []

        def scheduler(instance):
            run_jobs(instance, DAILY_JOBS)  # logs, rather than raises, a job that fails
            results.append(instance)

        threads = [threading.Thread(target=scheduler, args=(a,)) for a in (app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(results) == 2
        errors = [r for r in app_log.records if r.levelno >= logging.ERROR]
        assert errors == [], app_log.text
        assert "StaleDataError" not in app_log.text
        assert "risk:" in app_log.text  # the log is heard

        with app.app_context():
            statuses = dict(db.session.execute(select(Project.id, Project.status)).all())
            assert {p for p in flag if statuses[p] == ProjectStatus.AT_RISK} == flag
            assert {p for p in lift if statuses[p] == ProjectStatus.ACTIVE} == lift
            changes = Counter(
                db.session.scalars(
                    select(ProjectEvent.project_id).where(ProjectEvent.kind == "status_changed")
                )
            )
            assert changes == Counter(flag | lift)  # each change made (and recorded) once
            db.session.remove()
        with other.app_context():
            db.engine.dispose()
