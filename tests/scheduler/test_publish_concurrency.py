"""The monthly publishing job run by two schedulers at once (two app instances with their own
connections, on an SQLite file or the PostgreSQL server): each period is published once, the
board is told once, and the one that lost the race logs no error."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import Notification, Publication, ResultStatus, Role
from fundtracker.scheduler import jobs
from tests import factories
from tests.dbutil import is_postgres, migrated_app
from tests.logutil import loggers_on

Q1, Q2 = date(2025, 1, 1), date(2025, 4, 1)
FIFTH_OF_MARCH = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)  # 06:00 in Almaty
# The project ran in the first half of 2025: every period of 2025 is ready.
READY = {"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025-H1", "2025-H2", "2025"}


def _ready_periods() -> None:
    """Q1 and Q2 2025 verified; the project ended with June."""
    officer = factories.UserFactory(role=Role.OFFICER)
    project = factories.ProjectFactory(
        officer=officer, start_date=date(2025, 1, 15), end_date=date(2025, 6, 30)
    )
    indicator = factories.ProjectIndicatorFactory(project=project, by_region=False)
    for start in (Q1, Q2):
        factories.indicator_result(
            indicator, start, 12, ResultStatus.VERIFIED, {"sex": {"female": 6, "male": 6}}
        )
    factories.UserFactory(role=Role.BOARD, locale="en")
    db.session.commit()
    db.session.remove()


@pytest.mark.no_db
def test_two_schedulers_publish_each_period_once(monkeypatch, app_log):
    with migrated_app("publish") as app:
        loggers_on()
        _ready_periods()
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
        start = threading.Barrier(2, timeout=30)
        if is_postgres():
            # Both have read which periods are ready before either publishes: the race. (On
            # SQLite the reads wait for each other's writes instead.)
            real = jobs.oldest_first

            def read_then_wait(rows):
                ordered = real(rows)
                start.wait()
                return ordered

            monkeypatch.setattr(jobs, "oldest_first", read_then_wait)
        outcomes: list[dict] = []

        def scheduler(instance):
            if not is_postgres():
                start.wait()
            outcomes.append(jobs.publish_job(instance))

        with time_machine.travel(FIFTH_OF_MARCH, tick=True):
            threads = [threading.Thread(target=scheduler, args=(a,)) for a in (app, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert len(outcomes) == 2
        published = Counter(p for outcome in outcomes for p in outcome["published"])
        assert set(published) == READY and set(published.values()) == {1}
        assert not [r for r in app_log.records if r.levelno >= logging.ERROR], [
            r.getMessage() for r in app_log.records
        ]
        assert [o["skipped"] for o in outcomes] == [{}, {}]
        if is_postgres():  # the race was run: one published each period, the other saw it
            assert any("published meanwhile" in r.getMessage() for r in app_log.records)
        with app.app_context():
            assert sorted(db.session.scalars(select(Publication.period))) == sorted(READY)
            told = Counter(
                db.session.execute(select(Notification.user_id, Notification.subject)).all()
            )
            # The officer and the board member, each once per publication.
            assert len(told) == 2 * len(READY) and set(told.values()) == {1}
            db.session.remove()
        with other.app_context():
            db.engine.dispose()


@pytest.mark.no_db
def test_periods_another_scheduler_published_after_the_read_are_not_reported(monkeypatch, app_log):
    """What the CI once saw on SQLite: one scheduler has read which periods are ready, then the
    other publishes them all before the first one's checks run. The first finds each "published
    already": published meanwhile, not a reason to report."""
    with migrated_app("publish-after-read") as app:
        loggers_on()
        _ready_periods()
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
        real = jobs.publications.problems
        first: list[dict] = []
        calls = []

        def others_first(*args, **kwargs):
            calls.append(1)
            if len(calls) == 1:  # between this scheduler's read and its first check
                first.append(jobs.publish_job(other))
            return real(*args, **kwargs)

        monkeypatch.setattr(jobs.publications, "problems", others_first)
        with time_machine.travel(FIFTH_OF_MARCH, tick=True):
            late = jobs.publish_job(app)
        assert set(first[0]["published"]) == READY
        assert late == {"published": [], "skipped": {}}
        assert not [r for r in app_log.records if r.levelno >= logging.ERROR]
        assert any("published meanwhile" in r.getMessage() for r in app_log.records)
        with other.app_context():
            db.engine.dispose()
