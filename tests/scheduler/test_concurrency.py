"""Two scheduler processes at once, each with its own database connections, against a real
database (an SQLite file or the PostgreSQL server): every reminder goes out exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import func, select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import EmailStatus, OutboxEmail, Reminder, ReminderRule, Role
from fundtracker.scheduler import run_jobs
from tests import factories
from tests.conftest import _Inbox, free_port
from tests.dbutil import fresh_database

ROOT = Path(__file__).resolve().parents[2]
MILESTONES = 12
GRANTEES_PER_ORGANISATION = 2


@pytest.fixture
def inbox():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.mark.no_db
def test_two_schedulers_at_once_send_each_reminder_exactly_once(inbox):
    messages, port = inbox
    with fresh_database("scheduler") as url:
        app = create_app(
            "testing", SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port
        )
        with app.app_context():
            upgrade()
            expected = set()
            for n in range(MILESTONES):
                org = factories.OrganisationFactory()
                people = [
                    factories.UserFactory(role=Role.GRANTEE, organisation=org, locale="en")
                    for _ in range(GRANTEES_PER_ORGANISATION)
                ]
                project = factories.ProjectFactory(organisation=org)
                factories.MilestoneFactory(
                    project=project, due_date=date(2027, 3, 16), title=f"Step {n}"
                )
                expected |= {(p.email, f"Step {n}") for p in people}
            db.session.commit()
            db.session.remove()

        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def scheduler_process():
            try:
                start.wait(timeout=30)
                run_jobs(app)  # its own app context, session and connections
                run_jobs(app)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        # 2 March 2027, 09:00 in Almaty: the 14-day reminders fall due.
        with time_machine.travel(datetime(2027, 3, 2, 4, 0, tzinfo=UTC), tick=True):
            threads = [threading.Thread(target=scheduler_process) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert not errors, errors

        sent = Counter(
            (m["To"], m["Subject"].split("«")[1].split("»")[0]) for m in messages.messages
        )
        assert set(sent) == expected
        assert all(count == 1 for count in sent.values()), sent
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Reminder)) == len(expected)
            statuses = set(db.session.scalars(select(OutboxEmail.status)))
            assert statuses == {EmailStatus.SENT}
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db
def test_two_flask_scheduler_processes_send_each_reminder_exactly_once(inbox):
    """Real processes: `flask scheduler --once` twice at the same moment. No time control across
    processes, so the rule fires at 00:00 in Almaty 14 days before the due date: today."""
    messages, port = inbox
    with fresh_database("processes") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade()
            for rule in db.session.scalars(select(ReminderRule)):
                rule.active = False
            factories.ReminderRuleFactory(days=14, send_time=time(0, 0), grace_days=1)
            expected = set()
            for n in range(MILESTONES):
                org = factories.OrganisationFactory()
                people = [
                    factories.UserFactory(role=Role.GRANTEE, organisation=org, locale="en")
                    for _ in range(GRANTEES_PER_ORGANISATION)
                ]
                factories.MilestoneFactory(
                    project=factories.ProjectFactory(organisation=org),
                    due_date=today() + timedelta(days=14),
                    title=f"Step {n}",
                )
                expected |= {(p.email, f"Step {n}") for p in people}
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        env = {
            **os.environ,
            "FLASK_APP": "wsgi",
            "FUNDTRACKER_CONFIG": "development",
            "DATABASE_URL": url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(port),
        }
        flask = str(Path(sys.executable).with_name("flask"))
        processes = [
            subprocess.Popen(
                [flask, "scheduler", "--once"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs

        sent = Counter(
            (m["To"], m["Subject"].split("«")[1].split("»")[0]) for m in messages.messages
        )
        assert set(sent) == expected
        assert all(count == 1 for count in sent.values()), sent
