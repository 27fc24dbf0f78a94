"""Reminders end to end: the scheduler's jobs under controlled time, sending to a real SMTP
server on 127.0.0.1. Almaty is UTC+5, so 09:00 there is 04:00 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import (
    EmailStatus,
    Notification,
    OutboxEmail,
    ProjectStatus,
    Reminder,
    ReminderRule,
    ReminderStatus,
    Role,
)
from fundtracker.scheduler import run_jobs
from fundtracker.scheduler.jobs import outbox_job, reminders_job
from fundtracker.services import notifications, reminders
from fundtracker.services.reminders import sending
from tests import factories

DUE = date(2027, 3, 16)  # a Tuesday: no weekly officer digest falls on the days below
FOURTEEN_BEFORE = datetime(2027, 3, 2, 4, 0, tzinfo=UTC)  # 09:00 in Almaty on 2 March


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _grantee(organisation, locale="ru", **kwargs):
    return factories.UserFactory(
        role=Role.GRANTEE, organisation=organisation, locale=locale, **kwargs
    )


def _milestone(due=DUE, officer=None, **kwargs):
    project = factories.ProjectFactory(officer=officer, **kwargs)
    return factories.MilestoneFactory(project=project, due_date=due, title="Оборудование")


def _to(inbox, address, weekly=True):
    return [
        m
        for m in inbox.messages
        if m["To"] == address and (weekly or not m["Subject"].startswith("Weekly"))
    ]


def test_a_milestone_due_in_14_days_is_reminded_once_at_0900_almaty(app, smtp):
    milestone = _milestone()
    grantee = _grantee(milestone.project.organisation, locale="ru", name="Гульнара")
    db.session.commit()

    with _at(FOURTEEN_BEFORE - timedelta(minutes=1)):  # 08:59 in Almaty
        run_jobs(app)
    assert _to(smtp, grantee.email) == []

    with _at(FOURTEEN_BEFORE):
        run_jobs(app)
        run_jobs(app)  # the next minute's run finds nothing more to do
    with _at(FOURTEEN_BEFORE + timedelta(hours=3)):
        run_jobs(app)

    [message] = _to(smtp, grantee.email)
    subject = message["Subject"].replace("\u202f", " ").replace("\xa0", " ")
    assert subject == "Напоминание: «Оборудование» — срок 16 марта 2027 г."
    text = message.get_body(("plain",)).get_content()
    assert "Гульнара" in text
    assert f"http://127.0.0.1:5000/milestones/{milestone.id}" in text
    html = message.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:5000/milestones/{milestone.id}"' in html
    # ... and the in-app notification
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == grantee.id))
    assert note.url == f"/milestones/{milestone.id}" and note.read_at is None


def test_overdue_reminders_reach_grantee_and_officer_each_in_their_language(app, smtp):
    officer = factories.UserFactory(role=Role.OFFICER, locale="en")
    milestone = _milestone(officer=officer)
    grantee = _grantee(milestone.project.organisation, locale="kk")
    db.session.commit()

    with _at(datetime(2027, 3, 16, 4, 0, tzinfo=UTC)):  # due today
        run_jobs(app)
    [due_today] = _to(smtp, grantee.email)
    assert due_today["Subject"] == "Мерзімі бүгін: «Оборудование»"
    assert _to(smtp, officer.email, weekly=False) == []  # due-date rules: the grantee only

    smtp.messages.clear()
    with _at(datetime(2027, 3, 17, 4, 0, tzinfo=UTC)):  # one day late, 09:00 in Almaty
        run_jobs(app)
    [to_grantee] = _to(smtp, grantee.email)
    [to_officer] = _to(smtp, officer.email, weekly=False)
    assert to_officer["Subject"] == "Overdue: «Оборудование» was due on March 16, 2027"
    assert "мерзімі өтті" in to_grantee["Subject"].lower()
    assert "Overdue" not in to_grantee["Subject"]


def test_a_days_downtime_sends_each_missed_reminder_once_and_skips_stale_ones(app, smtp):
    org = factories.OrganisationFactory()
    grantee = _grantee(org, locale="en")
    # 14-day reminders that fell due on 2 and 3 March, while the scheduler was down...
    first = _milestone(due=DUE, organisation=org)
    second = _milestone(due=DUE + timedelta(days=1), organisation=org)
    # ... and one from 24 February, long past its 2-day grace when the scheduler returns.
    stale = _milestone(due=date(2027, 3, 10), organisation=org)
    db.session.commit()

    back = datetime(2027, 3, 3, 10, 30, tzinfo=UTC)  # a day and six hours later
    with _at(back):
        run_jobs(app)
        run_jobs(app)

    subjects = sorted(m["Subject"] for m in _to(smtp, grantee.email))
    assert subjects == [
        "Reminder: «Оборудование» is due on March 16, 2027",
        "Reminder: «Оборудование» is due on March 17, 2027",
    ]
    rows = {
        (r.object_id, r.status)
        for r in db.session.scalars(select(Reminder).where(Reminder.recipient_id == grantee.id))
    }
    assert (first.id, ReminderStatus.SENT) in rows and (second.id, ReminderStatus.SENT) in rows
    assert (stale.id, ReminderStatus.SKIPPED) in rows
    assert (stale.id, ReminderStatus.SENT) not in rows


def test_a_crash_between_claim_and_send_ends_in_exactly_one_send(app, smtp, monkeypatch):
    milestone = _milestone()
    grantee = _grantee(milestone.project.organisation, locale="en")
    db.session.commit()

    # The process dies while notifying: the claim is rolled back with it.
    def die(*args, **kwargs):
        raise SystemError("killed")

    with _at(FOURTEEN_BEFORE), monkeypatch.context() as patch:
        patch.setattr(sending, "notify", die)
        reminders_job(app)
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0

    # Restarted, it claims the reminder; this time it dies after claiming the email, before
    # the SMTP conversation.
    with _at(FOURTEEN_BEFORE + timedelta(minutes=1)):
        reminders_job(app)
        with app.app_context():
            claimed = notifications.claim_emails(db.session, datetime.now(UTC))
            db.session.commit()
            assert [e.to_address for e in claimed] == [grantee.email]
    # Another process does not touch a claim that may still be in progress ...
    with _at(FOURTEEN_BEFORE + timedelta(minutes=2)):
        outbox_job(app)
    assert _to(smtp, grantee.email) == []
    # ... but takes over once the claim's lease has run out, and sends it once.
    with _at(FOURTEEN_BEFORE + timedelta(minutes=12)):
        run_jobs(app)
        run_jobs(app)
    assert len(_to(smtp, grantee.email)) == 1
    assert db.session.scalar(select(OutboxEmail.status)) == EmailStatus.SENT


def test_failed_sends_are_retried_with_backoff_and_shown_to_admins(app, smtp, login, admin):
    milestone = _milestone()
    grantee = _grantee(milestone.project.organisation, locale="en")
    db.session.commit()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = factories_free_port()  # nothing listens there
    try:
        with _at(FOURTEEN_BEFORE):
            run_jobs(app)
    finally:
        app.config["MAIL_PORT"] = port
    email = db.session.scalar(select(OutboxEmail))
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert email.next_attempt_at == FOURTEEN_BEFORE + timedelta(minutes=1)
    assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error

    page = login(admin).get("/admin/reminders").get_data(as_text=True)
    assert grantee.email in page and "Retrying" in page

    with _at(FOURTEEN_BEFORE + timedelta(seconds=30)):  # not yet: the backoff holds
        run_jobs(app)
    assert _to(smtp, grantee.email) == []
    with _at(FOURTEEN_BEFORE + timedelta(minutes=1)):
        run_jobs(app)
    assert len(_to(smtp, grantee.email)) == 1


def factories_free_port() -> int:
    from tests.conftest import free_port

    return free_port()


def test_a_user_who_chose_the_daily_digest_gets_one_email_a_day(app, smtp):
    user = factories.UserFactory(role=Role.OFFICER, locale="en", email_delivery="daily")
    db.session.commit()
    with _at(datetime(2027, 3, 2, 6, 0, tzinfo=UTC)):
        notifications.notify(db.session, user, subject="First", body="One", url="/projects")
        notifications.notify(db.session, user, subject="Second", body="Two", url="")
        db.session.commit()
    with _at(datetime(2027, 3, 2, 7, 0, tzinfo=UTC)):
        run_jobs(app)
    assert _to(smtp, user.email) == []  # not before 09:00 tomorrow
    with _at(datetime(2027, 3, 3, 4, 0, tzinfo=UTC)):
        run_jobs(app)
        run_jobs(app)
    [digest] = _to(smtp, user.email)
    assert digest["Subject"] == "FundTracker: your daily digest (2)"
    text = digest.get_body(("plain",)).get_content()
    assert "First" in text and "Second" in text and "http://127.0.0.1:5000/projects" in text
    # both stay in the in-app list, unread
    assert notifications.unread_count(db.session, user) == 2


def test_the_weekly_digest_tells_an_officer_what_is_overdue_and_due(app, smtp):
    officer = factories.UserFactory(role=Role.OFFICER, locale="en")
    late = _milestone(due=date(2027, 2, 20), officer=officer)
    soon = _milestone(due=date(2027, 3, 5), officer=officer)
    db.session.commit()
    with _at(datetime(2027, 3, 1, 4, 0, tzinfo=UTC)):  # Monday 09:00 in Almaty
        run_jobs(app)
    [digest] = [m for m in _to(smtp, officer.email) if "Weekly" in m["Subject"]]
    assert digest["Subject"] == "Weekly summary: 1 overdue, 1 due soon"
    text = digest.get_body(("plain",)).get_content()
    assert late.project.code in text and soon.project.code in text


def test_inactive_rules_send_nothing(app, smtp):
    milestone = _milestone()
    grantee = _grantee(milestone.project.organisation, locale="en")
    for rule in db.session.scalars(select(ReminderRule)):
        rule.active = False
    db.session.commit()
    with _at(FOURTEEN_BEFORE):
        run_jobs(app)
    assert _to(smtp, grantee.email) == []


def test_a_reminder_another_process_sent_meanwhile_is_not_sent_again(app, smtp):
    milestone = _milestone()
    grantee = _grantee(milestone.project.organisation, locale="en")
    db.session.commit()
    with _at(FOURTEEN_BEFORE):
        # This process has found what is due; before it sends, another one sends it all.
        mine = reminders.due_occurrences(db.session, datetime.now(UTC))
        db.session.rollback()
        assert [o.recipient_id for o in mine] == [grantee.id]
        reminders_job(app)
        assert [reminders.send(db.session, o, datetime.now(UTC)) for o in mine] == [None]
        db.session.commit()
        outbox_job(app)
    assert len(_to(smtp, grantee.email)) == 1


def test_upcoming_with_a_limit_is_the_start_of_the_full_list(app):
    """The admin page asks for the first rows only; they are found in growing windows of days
    and must be exactly the first rows of the whole fortnight, in order."""
    start = date(2027, 3, 3)
    for k in range(12):
        milestone = _milestone(due=start + timedelta(days=k))
        _grantee(milestone.project.organisation)
    db.session.commit()
    now = datetime(2027, 3, 2, 5, 0, tzinfo=UTC)
    everything = reminders.upcoming(db.session, now)
    assert len(everything) > 5
    for limit in (1, 3, 5, len(everything), len(everything) + 10):
        assert reminders.upcoming(db.session, now, limit=limit) == everything[:limit]


def test_milestone_rules_found_together_are_what_each_finds_alone(app):
    """The sweep and the admin page find all milestone rules with one query over the union of
    their ranges of due dates; the rows mapped back to each rule must be what the rule's own
    `find` gives, recipients included."""
    factories.ReminderRuleFactory(kind="milestone_due", days=5, to_grantee=True, to_officer=True)
    to_officer_only = factories.ReminderRuleFactory(
        kind="milestone_overdue", days=2, to_grantee=False, to_officer=True
    )
    officer = factories.UserFactory(role=Role.OFFICER)
    gone = factories.UserFactory(role=Role.OFFICER, active=False)
    start = date(2027, 2, 20)
    for n in range(14):
        milestone = _milestone(
            due=start + timedelta(days=3 * n), officer=(officer, gone, None)[n % 3]
        )
        _grantee(milestone.project.organisation)
        if n % 2:
            _grantee(milestone.project.organisation)  # two people at the grantee
            _grantee(milestone.project.organisation, active=False)
    _milestone(due=DUE, status=ProjectStatus.SUSPENDED)  # not running: nothing
    db.session.commit()

    first, last = date(2027, 3, 1), date(2027, 3, 12)
    rules = [r for r in reminders.active_rules(db.session) if r.kind != "officer_digest"]
    alone = [o for r in rules for o in reminders.KINDS[r.kind].find(db.session, r, first, last)]
    together = [
        o for o in reminders.occurrences(db.session, first, last) if o.kind != "officer_digest"
    ]
    assert len(alone) > 20
    assert sorted(together, key=lambda o: o.key) == sorted(alone, key=lambda o: o.key)
    assert {o.recipient_id for o in together if o.rule_id == to_officer_only.id} == {officer.id}


def test_what_the_log_has_is_not_listed_as_upcoming(app):
    """An occurrence already sent stays out of the upcoming list even when its due time moves
    later (here: the rule's time of day changed after it was sent)."""
    milestone = _milestone()
    _grantee(milestone.project.organisation)
    db.session.commit()
    with _at(FOURTEEN_BEFORE):
        reminders_job(app)
    rule = db.session.scalar(
        select(ReminderRule).where(ReminderRule.kind == "milestone_due", ReminderRule.days == 14)
    )
    rule.send_time = time(18, 0)
    db.session.commit()

    now = FOURTEEN_BEFORE + timedelta(hours=1)
    listed = reminders.upcoming(db.session, now)
    assert listed and all(o.rule_id != rule.id for o in listed)
    assert reminders.upcoming(db.session, now, limit=1) == listed[:1]
