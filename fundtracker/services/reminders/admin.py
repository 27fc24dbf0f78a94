"""What the reminders admin page shows: occurrences and logged reminders with the names of their
objects and recipients, and a preview of the message a rule sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import FUND_TZ
from fundtracker.models import (
    Application,
    FollowUp,
    Milestone,
    Project,
    Reminder,
    ReminderKind,
    ReminderRule,
    ReviewAssignment,
    User,
)
from fundtracker.services.reminders.kinds import KINDS, Message, Occurrence, moment
from fundtracker.services.reminders.sending import message_for


@dataclass(frozen=True)
class Row:
    """An occurrence or a logged reminder with what the admin page shows of it."""

    rule_id: int
    kind: str
    object_id: int
    object_label: str
    recipient_id: int
    recipient_name: str
    occurrence: date
    due_at: datetime
    status: str = ""

    @property
    def sent(self) -> bool:
        return self.status == "sent"


MILESTONE_KINDS = {ReminderKind.MILESTONE_DUE, ReminderKind.MILESTONE_OVERDUE}
ASSIGNMENT_KINDS = {ReminderKind.APPLICATION_UNSCORED}
FOLLOW_UP_KINDS = {ReminderKind.FOLLOW_UP_DUE, ReminderKind.FOLLOW_UP_OVERDUE}


def _follow_up_labels(session: Session, items) -> dict[int, str]:
    ids = {i.object_id for i in items if i.kind in FOLLOW_UP_KINDS}
    if not ids:
        return {}
    rows = session.execute(
        select(FollowUp.id, Project.code, FollowUp.months_after)
        .join(FollowUp.project)
        .where(FollowUp.id.in_(ids))
    )
    return {
        id_: code + " · " + str(_l("follow-up after %(months)d months", months=months))
        for id_, code, months in rows
    }


def _labels(session: Session, items) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Labels of the milestones, review assignments and users the items name, read as rows."""
    milestone_ids = {i.object_id for i in items if i.kind in MILESTONE_KINDS}
    assignment_ids = {i.object_id for i in items if i.kind in ASSIGNMENT_KINDS}
    user_ids = {i.recipient_id for i in items} | {
        i.object_id for i in items if i.kind == ReminderKind.OFFICER_DIGEST
    }
    milestones = {}
    if milestone_ids:
        rows = session.execute(
            select(Milestone.id, Project.code, Milestone.title)
            .join(Milestone.project)
            .where(Milestone.id.in_(milestone_ids))
        )
        milestones = {id_: f"{code} · {title}" for id_, code, title in rows}
    assignments = {}
    if assignment_ids:
        rows = session.execute(
            select(ReviewAssignment.id, Application.id, Application.title)
            .join(ReviewAssignment.application)
            .where(ReviewAssignment.id.in_(assignment_ids))
        )
        for id_, application_id, title in rows:
            number = _l("Application no. %(id)d", id=application_id)
            assignments[id_] = f"{number} · {title}"
    users = {}
    if user_ids:
        users = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    return milestones, assignments, users


def describe(session: Session, found: list[Occurrence]) -> list[Row]:
    milestones, assignments, users = _labels(session, found)
    follow_ups = _follow_up_labels(session, found)
    rows = []
    for o in found:
        if o.kind in FOLLOW_UP_KINDS:
            label = follow_ups.get(o.object_id, f"#{o.object_id}")
        elif o.kind in MILESTONE_KINDS:
            label = milestones.get(o.object_id, f"#{o.object_id}")
        elif o.kind in ASSIGNMENT_KINDS:
            label = assignments.get(o.object_id, f"#{o.object_id}")
        else:
            label = users.get(o.object_id, f"#{o.object_id}")
        rows.append(
            Row(
                o.rule_id,
                o.kind,
                o.object_id,
                label,
                o.recipient_id,
                users.get(o.recipient_id, ""),
                o.occurrence,
                o.due_at,
            )
        )
    return rows


def describe_log(session: Session, logged: list[Reminder]) -> list[Row]:
    found = [
        Occurrence(r.rule_id, r.rule.kind, r.object_id, r.recipient_id, r.occurrence, r.due_at)
        for r in logged
    ]
    rows = describe(session, found)
    return [
        Row(**{**vars(row), "status": r.status.value}) for row, r in zip(rows, logged, strict=True)
    ]


def preview(
    session: Session, rule: ReminderRule, now: datetime, object_id=None, recipient_id=None, day=None
) -> tuple[Occurrence, User, Message] | None:
    """The reminder `rule` would send (or sent) for the given object, recipient and day; without
    them, its next upcoming one, or else its latest. Reads only."""
    if object_id and recipient_id and day:
        occurrence = Occurrence(rule.id, rule.kind, object_id, recipient_id, day, moment(rule, day))
    else:
        today = now.astimezone(FUND_TZ).date()
        kind = KINDS.get(rule.kind)
        if kind is None:
            return None
        found = sorted(
            kind.find(session, rule, today, today + timedelta(days=30)), key=lambda o: o.due_at
        )
        if not found:
            found = sorted(
                kind.find(session, rule, today - timedelta(days=30), today), key=lambda o: o.due_at
            )[-1:]
        if not found:
            return None
        occurrence = found[0]
    recipient = session.get(User, occurrence.recipient_id)
    if recipient is None:
        return None
    message = message_for(session, occurrence, recipient)
    return (occurrence, recipient, message) if message else None
