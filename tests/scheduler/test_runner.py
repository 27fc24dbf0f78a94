"""The scheduler runs in its own process, started by `flask scheduler`; the web app never
starts one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import ProjectStatus, Role
from fundtracker.scheduler import DAILY_JOBS, JOBS, run_jobs
from fundtracker.scheduler.jobs import heartbeat_job
from fundtracker.scheduler.runner import MONTHLY_JOBS, build_scheduler
from tests import factories


@pytest.fixture
def starts(monkeypatch):
    calls = []
    monkeypatch.setattr(BaseScheduler, "start", lambda self, *a, **k: calls.append(self))
    return calls


def test_starting_the_web_app_starts_no_scheduler(app, login, starts):
    web = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    assert web.test_client().get("/auth/login").status_code == 200
    client = login(factories.UserFactory(role=Role.OFFICER))
    assert client.get("/").status_code == 200
    assert client.get("/notifications").status_code == 200
    assert starts == []
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]


def test_flask_scheduler_builds_one_blocking_scheduler_running_the_jobs(app, starts):
    result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    [scheduler] = starts
    job, daily, monthly, _reports, _imports, heartbeat = scheduler.get_jobs()
    # The heartbeat beats in a thread of its own too, whatever a long minute's run is doing.
    assert heartbeat.args == (app, [heartbeat_job]) and heartbeat.max_instances == 1
    assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval.total_seconds() == 60
    assert job.func is run_jobs and job.args == (app,) and job.max_instances == 1
    # The portfolio-wide risk check runs once a day at 06:00 Almaty (and at start).
    assert isinstance(daily.trigger, CronTrigger) and daily.args == (app, DAILY_JOBS)
    assert str(daily.trigger.fields[5]) == "6" and str(daily.trigger.fields[6]) == "0"
    # Publishing the outcome figures that are ready: on the 5th of each month at 06:00.
    assert isinstance(monthly.trigger, CronTrigger) and monthly.args == (app, MONTHLY_JOBS)
    assert str(monthly.trigger.fields[2]) == "5" and str(monthly.trigger.fields[5]) == "6"


def test_the_jobs_are_a_plain_list_of_functions_of_the_app(app):
    assert [job.__name__ for job in JOBS] == [
        "heartbeat_job",
        "reminders_job",
        "digest_job",
        "outbox_job",
        "monthly_board_report",
        "build_pending",
        "run_queued",
        "backup_job",
    ]
    scheduler = build_scheduler(app)
    assert scheduler.get_jobs()[0].coalesce is True


def test_flask_scheduler_once_runs_the_jobs_and_exits(app, smtp):
    milestone = factories.MilestoneFactory(due_date=datetime(2027, 3, 16).date())
    grantee = factories.UserFactory(
        role=Role.GRANTEE, organisation=milestone.project.organisation, locale="en"
    )
    db.session.commit()
    with time_machine.travel(datetime(2027, 3, 2, 4, 0, tzinfo=UTC), tick=False):
        result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.messages] == [grantee.email]


def test_the_daily_risk_check_flags_a_project_with_an_overdue_milestone(app):
    milestone = factories.MilestoneFactory(due_date=datetime(2027, 3, 1).date())
    project = milestone.project
    db.session.commit()
    with time_machine.travel(datetime(2027, 3, 20, 4, 0, tzinfo=UTC), tick=False):
        run_jobs(app, DAILY_JOBS)
    db.session.refresh(project)
    assert project.status == ProjectStatus.AT_RISK and project.status_auto
