"""Demo notifications: the demo grantee and officer have some, and seeding again adds none."""

from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import seed_demo
from fundtracker.demo.reminders import seed_reminders
from fundtracker.models import Notification, OutboxEmail, ReminderKind, ReminderRule, User


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_notifications_are_made_once(app):
    seed_demo(db.session)
    grantee = db.session.scalar(select(User).where(User.email == "grantee@demo.fundtracker.kz"))
    officer = db.session.scalar(select(User).where(User.email == "officer@demo.fundtracker.kz"))
    mine = select(func.count()).select_from(Notification).where(Notification.user_id == grantee.id)
    assert db.session.scalar(mine) >= 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == officer.id)
        )
        == 1
    )
    before = _count(Notification)
    assert seed_reminders(db.session, today()) == 0
    assert _count(Notification) == before
    assert _count(OutboxEmail) == 0  # demo data sends no email
    # the reviewers' rule, which no migration inserts, is added once
    unscored = select(ReminderRule).where(ReminderRule.kind == ReminderKind.APPLICATION_UNSCORED)
    [rule] = db.session.scalars(unscored)
    assert rule.days == 5 and rule.active
