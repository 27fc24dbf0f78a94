"""Demo data for reminders and notifications: a few in-app notifications for the demo accounts,
worded by the real reminder rules, one grantee who chose the daily digest, and a rule reminding
reviewers of applications still unscored 5 days after assignment (the migrations insert only the
milestone and digest rules; a real installation adds this one on the reminders page).

Idempotent: an account that has any notification already gets none, and the rule is added only
when no rule of its kind exists; only adds and flushes.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker.demo.organisations import DEMO_DOMAIN
from fundtracker.models import (
    EmailDelivery,
    Milestone,
    MilestoneStatus,
    Notification,
    Project,
    ReminderKind,
    ReminderRule,
    User,
)
from fundtracker.services import reminders
from fundtracker.services.notifications import notify


def _user(session: Session, local: str) -> User | None:
    return session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))


def _has_notifications(session: Session, user: User) -> bool:
    count = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id)
    )
    return bool(count)


def _rule(session: Session, kind: str, days: int | None = None) -> ReminderRule | None:
    query = select(ReminderRule).where(ReminderRule.kind == kind).order_by(ReminderRule.days)
    if days is not None:
        query = query.where(ReminderRule.days == days)
    return session.scalars(query).first()


UNSCORED_DAYS = 5


def _unscored_rule(session: Session) -> None:
    if _rule(session, ReminderKind.APPLICATION_UNSCORED) is None:
        session.add(
            ReminderRule(
                kind=ReminderKind.APPLICATION_UNSCORED,
                days=UNSCORED_DAYS,
                send_time=time(9, 0),
                to_grantee=False,
                to_officer=False,
                grace_days=2,
                active=True,
            )
        )


def _tell(session: Session, rule: ReminderRule | None, object_id: int, user: User, day: date):
    if rule is None:
        return 0
    occurrence = reminders.Occurrence(
        rule.id, rule.kind, object_id, user.id, day, reminders.moment(rule, day)
    )
    message = reminders.message_for(session, occurrence, user)
    if message is None:
        return 0
    # In-app only: demo data sends no email.
    notify(session, user, subject=message.subject, body=message.body, url=message.url, email=False)
    return 1


def seed_reminders(session: Session, today: date) -> int:
    """Give the demo grantee and officer a few notifications; return how many were made."""
    _unscored_rule(session)
    made = 0
    grantee = _user(session, "grantee")
    if grantee is not None and grantee.organisation_id and not _has_notifications(session, grantee):
        open_milestones = session.scalars(
            select(Milestone)
            .join(Milestone.project)
            .where(
                Project.organisation_id == grantee.organisation_id,
                Milestone.status.in_((MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED)),
            )
            .order_by(Milestone.due_date)
        ).all()
        for milestone in open_milestones[:3]:
            if milestone.due_date < today:
                rule = _rule(session, ReminderKind.MILESTONE_OVERDUE)
                day = milestone.due_date + timedelta(days=1)
                made += _tell(session, rule, milestone.id, grantee, day)
            else:
                rule = _rule(session, ReminderKind.MILESTONE_DUE, 14)
                made += _tell(session, rule, milestone.id, grantee, today)
    officer = _user(session, "officer")
    if officer is not None and not _has_notifications(session, officer):
        rule = _rule(session, ReminderKind.OFFICER_DIGEST)
        made += _tell(session, rule, officer.id, officer, today - timedelta(today.weekday()))
    second = _user(session, "grantee-b")
    if second is not None and not _has_notifications(session, second):
        second.email_delivery = EmailDelivery.DAILY.value
    session.flush()
    return made
