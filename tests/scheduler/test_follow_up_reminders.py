"""Follow-ups after closure are reminded by the admin's rules, as milestones are: a follow-up due
tomorrow and one overdue, each once, to the grantee (and the officer when the rule says so),
through the outbox; none once answered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    FollowUp,
    FollowUpStatus,
    Notification,
    ProjectStatus,
    ReminderKind,
    Role,
)
from fundtracker.scheduler import run_jobs
from tests import factories

DUE = date(2027, 3, 16)
NINE_AM = datetime(2027, 3, 15, 4, 0, tzinfo=UTC)  # 09:00 in Almaty the day before DUE


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _follow_up(officer=None):
    project = factories.ProjectFactory(status=ProjectStatus.CLOSED, officer=officer)
    follow_up = FollowUp(project=project, months_after=12, due_date=DUE)
    db.session.add(follow_up)
    grantee = factories.UserFactory(
        role=Role.GRANTEE, organisation=project.organisation, locale="ru", name="Гульнара"
    )
    return follow_up, grantee


def _to(inbox, address):
    return [m for m in inbox.messages if m["To"] == address]


def test_a_follow_up_due_tomorrow_is_reminded_once_and_then_when_overdue(app, smtp, officer):
    follow_up, grantee = _follow_up(officer)
    factories.ReminderRuleFactory(kind=ReminderKind.FOLLOW_UP_DUE, days=1, to_officer=True)
    factories.ReminderRuleFactory(kind=ReminderKind.FOLLOW_UP_OVERDUE, days=2)
    db.session.commit()

    with _at(NINE_AM):
        run_jobs(app)
        run_jobs(app)  # the next run sends nothing more
    [message] = _to(smtp, grantee.email)
    subject = message["Subject"].replace("\u202f", " ").replace("\xa0", " ")
    assert subject.startswith("Напоминание") and follow_up.project.code in subject
    text = message.get_body(("plain",)).get_content()
    assert f"/follow-ups/{follow_up.id}" in text
    assert len(_to(smtp, officer.email)) == 1

    overdue = NINE_AM + timedelta(days=3)  # two days after DUE
    with _at(overdue):
        run_jobs(app)
        run_jobs(app)
    assert len(_to(smtp, grantee.email)) == 2
    assert "Просрочено" in _to(smtp, grantee.email)[1]["Subject"] or "просрочен" in (
        _to(smtp, grantee.email)[1]["Subject"].lower()
    )
    assert len(_to(smtp, officer.email)) == 1  # the overdue rule is the grantee's only


def test_an_answered_follow_up_is_not_reminded(app, smtp):
    follow_up, grantee = _follow_up()
    follow_up.status = FollowUpStatus.SUBMITTED
    factories.ReminderRuleFactory(kind=ReminderKind.FOLLOW_UP_DUE, days=1)
    db.session.commit()
    with _at(NINE_AM):
        run_jobs(app)
    assert _to(smtp, grantee.email) == []
    assert not db.session.scalars(
        select(Notification).where(Notification.user_id == grantee.id)
    ).all()
