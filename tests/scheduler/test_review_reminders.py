"""Reminders to reviewers of an application still unscored N days after their assignment: the
scheduler's jobs under controlled time, sending to a real SMTP server on 127.0.0.1. Almaty is
UTC+5, so 09:00 there is 04:00 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import delete, select

from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationStatus,
    Notification,
    OutboxEmail,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
)
from fundtracker.scheduler import run_jobs
from fundtracker.services import decisions, reminders, reviews
from tests import factories

# 11:30 in Almaty on Monday 1 March; five days later is Saturday 6 March, 09:00 in Almaty.
ASSIGNED = datetime(2027, 3, 1, 6, 30, tzinfo=UTC)
FIVE_DAYS = datetime(2027, 3, 6, 4, 0, tzinfo=UTC)


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _rule(days=5, **kwargs):
    return factories.ReminderRuleFactory(
        kind=ReminderKind.APPLICATION_UNSCORED,
        days=days,
        to_grantee=False,
        to_officer=False,
        **kwargs,
    )


def _assign(application, locale="ru", at=ASSIGNED, **kwargs):
    officer = factories.UserFactory(role=Role.OFFICER)
    reviewer = factories.UserFactory(role=Role.REVIEWER, locale=locale, **kwargs)
    with _at(at):
        assignment = reviews.assign_reviewer(db.session, officer, application, reviewer)
    # The notice of the assignment itself (tested with the notifier) is not a reminder.
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.recipient_id == reviewer.id))
    db.session.execute(delete(Notification).where(Notification.user_id == reviewer.id))
    return assignment


def _under_review(**kwargs):
    return factories.application_in(ApplicationStatus.SCREENED, title="Оңалту орталығы", **kwargs)


def _to(inbox, address):
    return [m for m in inbox.messages if m["To"] == address]


def test_an_unscored_assignment_is_reminded_once_at_0900_almaty_in_the_reviewers_language(
    app, smtp
):
    _rule()
    application = _under_review()
    assignment = _assign(application, locale="ru", name="Айгерим")
    reviews.declare_conflict(db.session, assignment.reviewer, assignment, False)
    reviewer = assignment.reviewer
    db.session.commit()

    with _at(FIVE_DAYS - timedelta(minutes=1)):  # 08:59 in Almaty
        run_jobs(app)
    assert _to(smtp, reviewer.email) == []

    with _at(FIVE_DAYS):
        run_jobs(app)
        run_jobs(app)  # the next minute's run finds it done
    with _at(FIVE_DAYS + timedelta(hours=3)):
        run_jobs(app)

    [message] = _to(smtp, reviewer.email)
    assert message["Subject"] == f"Ждёт вашей оценки: заявка № {application.id}"
    text = message.get_body(("plain",)).get_content().replace("\u202f", " ").replace("\xa0", " ")
    assert "Айгерим" in text
    assert "1 марта 2027 г. вас назначили экспертом по заявке «Оңалту орталығы»" in text
    assert application.call.title_ru in text
    assert f"http://127.0.0.1:5000/reviews/{assignment.id}" in text
    html = message.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:5000/reviews/{assignment.id}"' in html
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == reviewer.id))
    assert note.url == f"/reviews/{assignment.id}"
    [row] = db.session.scalars(select(Reminder).where(Reminder.recipient_id == reviewer.id))
    assert (row.object_id, row.occurrence, row.status) == (
        assignment.id,
        date(2027, 3, 6),
        ReminderStatus.SENT,
    )


def test_scored_and_conflicted_assignments_get_none_and_undeclared_ones_tell_no_title(app, smtp):
    _rule()
    application = _under_review()
    scored = _assign(application, locale="en")
    conflicted = _assign(application, locale="en")
    undeclared = _assign(application, locale="kk")
    reviews.declare_conflict(db.session, scored.reviewer, scored, False)
    reviews.submit_scores(
        db.session,
        scored.reviewer,
        scored,
        {c.id: (4, "") for c in application.call.criteria},
    )
    reviews.declare_conflict(
        db.session, conflicted.reviewer, conflicted, True, "The applicant's director is my cousin."
    )
    db.session.commit()

    with _at(FIVE_DAYS):
        run_jobs(app)

    assert _to(smtp, scored.reviewer.email) == []
    assert _to(smtp, conflicted.reviewer.email) == []
    [message] = _to(smtp, undeclared.reviewer.email)
    assert message["Subject"] == f"Сіздің бағалауыңызды күтуде: № {application.id} өтінім"
    text = message.get_body(("plain",)).get_content()
    # Until the reviewer declares no conflict, the application's contents stay hidden.
    assert "мүдделер қақтығысыңыз" in text and "Оңалту орталығы" not in text
    assert f"/reviews/{undeclared.id}" in text


def test_an_application_that_left_review_or_a_late_score_stops_the_reminder(app, smtp):
    _rule()
    rejected = _under_review()
    off_review = _assign(rejected, locale="en")
    officer = factories.UserFactory(role=Role.OFFICER)
    decisions.reject(db.session, officer, rejected, "Outside the call's priorities.")
    kept = _under_review()
    scored_in_time = _assign(kept, locale="en")
    db.session.commit()

    with _at(FIVE_DAYS - timedelta(hours=1)):
        # found as due before 09:00 ...
        pending = reminders.upcoming(db.session, datetime.now(UTC), days=1)
        assert [o.object_id for o in pending] == [scored_in_time.id]
        # ... but scored before the reminder goes out
        reviews.declare_conflict(db.session, scored_in_time.reviewer, scored_in_time, False)
        reviews.submit_scores(
            db.session,
            scored_in_time.reviewer,
            scored_in_time,
            {c.id: (5, "") for c in kept.call.criteria},
        )
        db.session.commit()
    with _at(FIVE_DAYS):
        run_jobs(app)
        # the message function checks again: a stale occurrence is not sent
        assert reminders.send(db.session, pending[0], datetime.now(UTC)) == ReminderStatus.SKIPPED
        db.session.rollback()

    assert _to(smtp, off_review.reviewer.email) == []
    assert _to(smtp, scored_in_time.reviewer.email) == []


def test_days_count_in_almaty_and_a_reminder_missed_beyond_its_grace_is_skipped(app, smtp):
    _rule(grace_days=1)
    application = _under_review()
    # 01:00 in Almaty on 2 March is still 1 March in UTC: five days run from 2 March.
    early = _assign(application, locale="en", at=datetime(2027, 3, 1, 20, 0, tzinfo=UTC))
    # Assigned on 25 February: its reminder fell due on 2 March, long before the scheduler ran.
    stale = _assign(application, locale="en", at=datetime(2027, 2, 25, 6, 0, tzinfo=UTC))
    db.session.commit()

    with _at(FIVE_DAYS):
        run_jobs(app)
    assert _to(smtp, early.reviewer.email) == []
    assert _to(smtp, stale.reviewer.email) == []
    [skipped] = db.session.scalars(select(Reminder).where(Reminder.object_id == stale.id))
    assert skipped.status == ReminderStatus.SKIPPED

    with _at(datetime(2027, 3, 7, 4, 0, tzinfo=UTC)):
        run_jobs(app)
        run_jobs(app)
    assert len(_to(smtp, early.reviewer.email)) == 1
    assert _to(smtp, stale.reviewer.email) == []
    [sent] = db.session.scalars(select(Reminder).where(Reminder.object_id == early.id))
    assert (sent.occurrence, sent.status) == (date(2027, 3, 7), ReminderStatus.SENT)


def test_finding_unscored_assignments_takes_the_same_queries_for_one_or_many(app, sql_log):
    rule = _rule()
    first = _under_review()
    _assign(first)

    def queries():
        db.session.flush()
        start = len(sql_log)
        found = reminders.KINDS[ReminderKind.APPLICATION_UNSCORED].find(
            db.session, rule, date(2027, 3, 1), date(2027, 3, 10)
        )
        return len(sql_log) - start, len(found)

    one = queries()
    for _ in range(3):
        _assign(_under_review())
        _assign(first)
    many = queries()
    assert one == (1, 1) and many == (1, 7)
