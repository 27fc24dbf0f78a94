"""The monthly job that publishes outcome figures: every ended period whose results are all
verified, oldest first, as the scheduler (no actor), telling the board; a period that is not
ready, too recent or that fails is logged and left, never stopping the others."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from fundtracker import scheduler
from fundtracker.core.extensions import db
from fundtracker.models import Notification, Publication, ResultStatus, Role
from fundtracker.scheduler import run_jobs, runner
from fundtracker.scheduler.jobs import publish_job
from fundtracker.scheduler.runner import MONTHLY_JOBS
from fundtracker.services import publications
from fundtracker.services.errors import Conflict
from tests import factories

Q1, Q2, Q3 = date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)
FIFTH_OF_MARCH = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)  # 06:00 in Almaty


@pytest.fixture
def data(officer):
    """2025: Q1 and Q2 verified, Q3 reported only, Q4 nothing reported."""
    project = factories.ProjectFactory(
        officer=officer, start_date=date(2025, 1, 15), end_date=date(2026, 12, 31)
    )
    indicator = factories.ProjectIndicatorFactory(project=project, by_region=False)
    for start in (Q1, Q2):
        factories.indicator_result(
            indicator, start, 12, ResultStatus.VERIFIED, {"sex": {"female": 6, "male": 6}}
        )
    factories.indicator_result(indicator, Q3, 9)
    board = factories.UserFactory(role=Role.BOARD)
    db.session.commit()
    return board


@pytest.fixture
def caplog(caplog, monkeypatch):
    """The job's log, which the migrations' logging set-up (Alembic's fileConfig) turns off."""
    logger = logging.getLogger("fundtracker.scheduler.jobs")
    monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.INFO, logger=logger.name)
    return caplog


def _published() -> list[Publication]:
    return list(db.session.scalars(select(Publication).order_by(Publication.id)))


def test_the_job_publishes_every_ready_period_oldest_first_and_logs_the_rest(data, app, caplog):
    with time_machine.travel(FIFTH_OF_MARCH, tick=False):
        outcome = run_publish(app)
    assert outcome["published"] == ["2025-Q1", "2025-Q2", "2025-H1", "2025-Q4"]
    assert [p.period for p in _published()] == outcome["published"]
    assert all(p.published_by_id is None for p in _published())
    # Held back by Q3's result, and the periods it is part of.
    assert set(outcome["skipped"]) == {"2025-Q3", "2025-H2", "2025"}
    assert "1 result of 2025 Q3 is not verified yet" in outcome["skipped"]["2025-Q3"]
    assert "2025-Q3 not published: 1 result of 2025 Q3 is not verified yet" in caplog.text
    assert "published 2025-Q1, 2025-Q2, 2025-H1, 2025-Q4" in caplog.text
    # The board is told of each publication.
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == data.id).order_by(Notification.id)
    ).all()
    assert [n.subject for n in told] == [
        f"Outcome figures for {p} are published"
        for p in ("2025 Q1", "2025 Q2", "2025 H1", "2025 Q4")
    ]
    # Once published, nothing more until something is ready.
    with time_machine.travel(FIFTH_OF_MARCH, tick=False):
        assert run_publish(app)["published"] == []


def run_publish(app):
    outcome = publish_job(app)
    db.session.expire_all()
    return outcome


def test_the_job_waits_a_month_after_a_period_ends(data, app):
    with time_machine.travel(datetime(2025, 7, 5, 1, 0, tzinfo=UTC), tick=False):
        outcome = run_publish(app)
    assert outcome["published"] == ["2025-Q1"]
    assert outcome["skipped"]["2025-Q2"] == "it ended less than 30 days ago"
    app.config["PUBLISH_AFTER_DAYS"] = 0
    try:
        with time_machine.travel(datetime(2025, 7, 5, 1, 0, tzinfo=UTC), tick=False):
            assert run_publish(app)["published"] == ["2025-Q2", "2025-H1"]
    finally:
        del app.config["PUBLISH_AFTER_DAYS"]


def test_a_period_that_fails_is_logged_and_the_others_still_go(data, app, monkeypatch, caplog):
    real = publications.publish

    def failing(session, actor, key, today, **kw):
        if key == "2025-Q1":
            raise Conflict("cannot be protected alone")
        if key == "2025-Q2":
            raise RuntimeError("the database went away")
        return real(session, actor, key, today, **kw)

    monkeypatch.setattr(publications, "publish", failing)
    with time_machine.travel(FIFTH_OF_MARCH, tick=False):
        outcome = run_publish(app)
    # H1 publishes the quarters that failed on their own; the error is in the log.
    assert outcome["published"] == ["2025-Q1", "2025-Q2", "2025-H1", "2025-Q4"]
    assert "publishing 2025-Q2 failed" in caplog.text and "the database went away" in caplog.text


def test_the_job_runs_with_the_monthly_jobs_and_on_demand(data, app, monkeypatch):
    assert [publish_job] == MONTHLY_JOBS
    with time_machine.travel(datetime(2025, 6, 5, 1, 0, tzinfo=UTC), tick=False):
        run_jobs(app, MONTHLY_JOBS)
    db.session.expire_all()
    assert [p.period for p in _published()] == ["2025-Q1"]
    # `flask scheduler --once --monthly` runs them too (the other jobs left out here).
    monkeypatch.setattr(scheduler, "JOBS", [])
    monkeypatch.setattr(runner, "DAILY_JOBS", [])
    with time_machine.travel(FIFTH_OF_MARCH, tick=False):
        result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        assert len(_published()) == 1
        result = app.test_cli_runner().invoke(args=["scheduler", "--once", "--monthly"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert [p.period for p in _published()][1:] == ["2025-Q2", "2025-H1", "2025-Q4"]
