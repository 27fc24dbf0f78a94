"""Reminders sent late (the scheduler was down on their day, within the rule's grace period) say
what is true on the day they are sent: a milestone overdue by then is not "due today". The
fund's default rules: due in 14, 3 and 0 days (to the grantee), overdue by 1 and 7 days (to the
grantee and the officer), a grace period of 2 days. Almaty is UTC+5: 09:00 there is 04:00 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    Reminder,
    ReminderKind,
    ReminderRule,
    ReminderStatus,
    Role,
)
from fundtracker.scheduler import run_jobs
from tests import factories

DUE = date(2027, 3, 16)  # a Tuesday: no weekly officer digest falls on the days below


def _setup():
    officer = factories.UserFactory(role=Role.OFFICER, locale="en")
    project = factories.ProjectFactory(officer=officer)
    milestone = factories.MilestoneFactory(project=project, due_date=DUE, title="Equipment")
    grantee = factories.UserFactory(
        role=Role.GRANTEE, organisation=project.organisation, locale="en"
    )
    db.session.commit()
    return milestone, grantee, officer


def _subjects(inbox, address) -> list[str]:
    """What `address` was sent, but the officers' weekly digest (due on Mondays)."""
    return sorted(
        m["Subject"]
        for m in inbox.messages
        if m["To"] == address and not m["Subject"].startswith("Weekly")
    )


def _log(milestone, grantee) -> dict:
    rows = db.session.execute(
        select(ReminderRule.kind, ReminderRule.days, Reminder.status)
        .join(Reminder.rule)
        .where(Reminder.object_id == milestone.id, Reminder.recipient_id == grantee.id)
    )
    return {(kind, days): status for kind, days, status in rows}


def _run_at(app, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        run_jobs(app)
        run_jobs(app)  # the next minute's run finds nothing more to do


def test_a_due_today_reminder_sent_the_day_after_gives_way_to_the_overdue_one(app, smtp):
    milestone, grantee, officer = _setup()
    # Down on the due day; back the next day at 09:00 in Almaty: the "due today" reminder is
    # a day late (within its 2-day grace), and the "overdue by 1 day" one falls due now.
    _run_at(app, datetime(2027, 3, 17, 4, 0, tzinfo=UTC))

    assert _subjects(smtp, grantee.email) == ["Overdue: «Equipment» was due on March 16, 2027"]
    assert _subjects(smtp, officer.email) == ["Overdue: «Equipment» was due on March 16, 2027"]
    log = _log(milestone, grantee)
    assert log[(ReminderKind.MILESTONE_DUE, 0)] == ReminderStatus.SKIPPED
    assert log[(ReminderKind.MILESTONE_OVERDUE, 1)] == ReminderStatus.SENT


def test_without_an_overdue_rule_the_late_reminder_says_overdue(app, smtp):
    milestone, grantee, _officer = _setup()
    for rule in db.session.scalars(
        select(ReminderRule).where(ReminderRule.kind == ReminderKind.MILESTONE_OVERDUE)
    ):
        rule.active = False
    db.session.commit()

    _run_at(app, datetime(2027, 3, 17, 4, 0, tzinfo=UTC))

    [message] = [m for m in smtp.messages if m["To"] == grantee.email]
    assert message["Subject"] == "Overdue: «Equipment» was due on March 16, 2027"
    assert "has not been reported on yet" in message.get_body(("plain",)).get_content()
    assert _log(milestone, grantee)[(ReminderKind.MILESTONE_DUE, 0)] == ReminderStatus.SENT


def test_reminders_late_within_the_day_still_say_what_is_true(app, smtp):
    milestone, grantee, _officer = _setup()
    # Down from before 09:00 on 13 March (the 3-day reminder) until 20:00 on the due day: the
    # 3-day reminder now falls on the due date itself, and the due-today one is late by hours.
    _run_at(app, datetime(2027, 3, 16, 15, 0, tzinfo=UTC))

    # The 3-day one is late and the due-today one falls by now: one notice, "due today".
    assert _subjects(smtp, grantee.email) == ["Due today: «Equipment»"]
    log = _log(milestone, grantee)
    assert log[(ReminderKind.MILESTONE_DUE, 3)] == ReminderStatus.SKIPPED
    assert log[(ReminderKind.MILESTONE_DUE, 0)] == ReminderStatus.SENT


def test_a_late_reminder_with_nothing_after_it_says_what_is_true_today(app, smtp):
    milestone, grantee, _officer = _setup()
    for rule in db.session.scalars(
        select(ReminderRule).where(
            ReminderRule.kind == ReminderKind.MILESTONE_DUE, ReminderRule.days == 0
        )
    ):
        rule.active = False
    db.session.commit()
    # The 3-day reminder (13 March), sent two days late: the milestone is due tomorrow.
    _run_at(app, datetime(2027, 3, 15, 4, 0, tzinfo=UTC))
    assert _subjects(smtp, grantee.email) == ["Reminder: «Equipment» is due on March 16, 2027"]
    assert _log(milestone, grantee)[(ReminderKind.MILESTONE_DUE, 3)] == ReminderStatus.SENT


def test_on_time_reminders_are_unchanged(app, smtp):
    _milestone, grantee, _officer = _setup()
    _run_at(app, datetime(2027, 3, 13, 4, 0, tzinfo=UTC))
    _run_at(app, datetime(2027, 3, 16, 4, 0, tzinfo=UTC))
    assert _subjects(smtp, grantee.email) == [
        "Due today: «Equipment»",
        "Reminder: «Equipment» is due on March 16, 2027",
    ]
