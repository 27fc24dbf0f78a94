"""Kinds of rule about follow-ups after closure (issue #21): due soon and overdue, to the
grantee and, if the rule says so, the officer, as the milestone kinds are."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from fundtracker.models import (
    FollowUp,
    FollowUpStatus,
    Project,
    ProjectStatus,
    ReminderKind,
    ReminderRule,
    Role,
    User,
)
from fundtracker.services.notifications import app_path
from fundtracker.services.reminders.kinds import Message, Occurrence, moment, register

WITH_GRANTEE = (FollowUpStatus.SCHEDULED, FollowUpStatus.RETURNED)


def _offset(rule: ReminderRule) -> timedelta:
    """A rule's reminder on day D is about the follow-ups due on D + this offset."""
    if rule.kind == ReminderKind.FOLLOW_UP_OVERDUE:
        return -timedelta(days=max(rule.days, 1))
    return timedelta(days=rule.days)


def _find(session: Session, rules: list[ReminderRule], first: date, last: date):
    """The occurrences of follow-up rules on days first..last: one query per rule over the
    follow-ups due in its range, with the organisation's active grantees and the officer."""
    found = []
    grantee, officer = aliased(User), aliased(User)
    for rule in rules:
        offset = _offset(rule)
        rows = session.execute(
            select(FollowUp.id, FollowUp.due_date, grantee.id, officer.id)
            .join(FollowUp.project)
            .outerjoin(
                grantee,
                and_(
                    grantee.organisation_id == Project.organisation_id,
                    grantee.role == Role.GRANTEE,
                    grantee.active.is_(True),
                ),
            )
            .outerjoin(officer, and_(officer.id == Project.officer_id, officer.active.is_(True)))
            .where(
                FollowUp.due_date.between(first + offset, last + offset),
                FollowUp.status.in_(WITH_GRANTEE),
                Project.status == ProjectStatus.CLOSED,
            )
            .order_by(FollowUp.due_date, FollowUp.id, grantee.id)
        )
        seen: set[tuple[int, int]] = set()
        for follow_up_id, due_date, grantee_id, officer_id in rows:
            day = due_date - offset
            recipients = [grantee_id] if rule.to_grantee and grantee_id is not None else []
            if rule.to_officer and officer_id is not None:
                recipients.append(officer_id)
            for recipient_id in recipients:
                if (follow_up_id, recipient_id) in seen:
                    continue
                seen.add((follow_up_id, recipient_id))
                found.append(
                    Occurrence(
                        rule.id, rule.kind, follow_up_id, recipient_id, day, moment(rule, day)
                    )
                )
    return found


def _values(session: Session, occurrence: Occurrence, user: User):
    follow_up = session.get(FollowUp, occurrence.object_id)
    if follow_up is None or follow_up.status not in WITH_GRANTEE:
        return None
    project = follow_up.project
    values = {
        "code": project.code,
        "project": project.title(user.locale),
        "months": follow_up.months_after,
        "date": format_date(follow_up.due_date, "long"),
    }
    return follow_up, values, app_path("follow_ups.detail", follow_up_id=follow_up.id)


def _overdue_text(values: dict, url: str) -> Message:
    subject = _l("Overdue: the follow-up of %(code)s was due on %(date)s", **values)
    body = _l(
        "The follow-up %(months)d months after the closing of the project %(code)s "
        "«%(project)s» was due on %(date)s and has not been answered yet. Please answer it in "
        "FundTracker or talk to the fund's officer.",
        **values,
    )
    return Message(str(subject), str(body), url)


@register(
    ReminderKind.FOLLOW_UP_DUE,
    _l("Follow-up after closure due (before the due date)"),
    _l("Days before the due date (0: on the day)"),
    find_many=_find,
)
def _find_due(session, rule, first: date, last: date):
    return _find(session, [rule], first, last)


@_find_due.message
def _due_message(session, occurrence, user, today):
    found = _values(session, occurrence, user)
    if found is None:
        return None
    follow_up, values, url = found
    if follow_up.due_date < today:  # sent late, and overdue by now
        return _overdue_text(values, url)
    subject = _l("Reminder: the follow-up of %(code)s is due on %(date)s", **values)
    body = _l(
        "The follow-up %(months)d months after the closing of the project %(code)s "
        "«%(project)s» is due on %(date)s. Please tell the fund in FundTracker whether the "
        "service is still running and how many people it reached in the last year.",
        **values,
    )
    return Message(str(subject), str(body), url)


@register(
    ReminderKind.FOLLOW_UP_OVERDUE,
    _l("Follow-up after closure overdue"),
    _l("Days after the due date"),
    find_many=_find,
)
def _find_overdue(session, rule, first: date, last: date):
    return _find(session, [rule], first, last)


@_find_overdue.message
def _overdue_message(session, occurrence, user, today):
    found = _values(session, occurrence, user)
    if found is None:
        return None
    return _overdue_text(found[1], found[2])
