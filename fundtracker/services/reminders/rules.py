"""Reminder rules as the admin page keeps them: which kind, how many days, at what time, to whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.models import ReminderKind, ReminderRule, User
from fundtracker.services.errors import DomainError
from fundtracker.services.reminders.kinds import KINDS


@dataclass
class RuleData:
    kind: str
    days: int
    send_time: time
    to_grantee: bool
    to_officer: bool
    grace_days: int
    active: bool


def _check(data: RuleData) -> None:
    if data.kind not in KINDS:
        raise DomainError(_l("Choose a kind of reminder."), "kind")
    if data.kind == ReminderKind.OFFICER_DIGEST and not 0 <= data.days <= 6:
        raise DomainError(_l("For a weekly digest, enter a day from 0 (Monday) to 6."), "days")
    if (
        data.kind in (ReminderKind.MILESTONE_OVERDUE, ReminderKind.FOLLOW_UP_OVERDUE)
        and data.days < 1
    ):
        raise DomainError(_l("An overdue reminder comes at least one day late."), "days")
    if data.kind == ReminderKind.APPLICATION_UNSCORED and data.days < 1:
        raise DomainError(
            _l("A reminder to score an application comes at least one day after assignment."),
            "days",
        )
    if KINDS[data.kind].recipients is None and not (data.to_grantee or data.to_officer):
        raise DomainError(_l("Choose at least one recipient."), "to_grantee")


def create_rule(session: Session, actor: User, data: RuleData) -> ReminderRule:
    _check(data)
    rule = ReminderRule(**vars(data))
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, actor: User, rule: ReminderRule, data: RuleData) -> None:
    _check(data)
    for name, value in vars(data).items():
        setattr(rule, name, value)
    session.flush()


def list_rules(session: Session) -> list[ReminderRule]:
    return list(
        session.scalars(select(ReminderRule).order_by(ReminderRule.kind, ReminderRule.days))
    )
