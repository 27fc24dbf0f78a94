"""Kinds of rule about milestones: due soon and overdue (to the grantee and the officer), and the
officers' weekly digest of their projects' milestones."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
    ReminderKind,
    ReminderRule,
    Role,
    User,
)
from fundtracker.services.notifications import app_path
from fundtracker.services.reminders.kinds import Message, Occurrence, moment, register

WITH_GRANTEE = (MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED)
RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.AT_RISK)


def _milestones(session: Session, due_ranges: list[tuple[date, date]]) -> dict[date, list]:
    """Open milestones of running projects due in any of the ranges of dates, by due date, each
    as (id, its organisation's active grantees' ids, its officer's id if active), in one query:
    a busy fortnight has thousands, so only these columns are read. Overlapping ranges are
    merged, so each milestone comes once."""
    merged: list[list[date]] = []
    for first_due, last_due in sorted(due_ranges):
        if merged and first_due <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last_due)
        else:
            merged.append([first_due, last_due])
    grantee, officer = aliased(User), aliased(User)
    rows = session.execute(
        select(Milestone.id, Milestone.due_date, grantee.id, officer.id)
        .join(Milestone.project)
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
            or_(*(Milestone.due_date.between(first, last) for first, last in merged)),
            Milestone.status.in_(WITH_GRANTEE),
            Project.status.in_(RUNNING),
        )
        .order_by(Milestone.due_date, Milestone.id, grantee.id)
    )
    by_due: dict[date, list] = {}
    for milestone_id, due_date, grantee_id, officer_id in rows:
        milestones = by_due.setdefault(due_date, [])
        if not milestones or milestones[-1][0] != milestone_id:
            milestones.append((milestone_id, [], officer_id))
        if grantee_id is not None:
            milestones[-1][1].append(grantee_id)
    return by_due


def _milestone_offset(rule: ReminderRule) -> timedelta:
    """A milestone rule's reminder on day D is about the milestones due on D + this offset:
    `days` later for a due-soon rule, at least one day earlier for an overdue one."""
    if rule.kind == ReminderKind.MILESTONE_OVERDUE:
        return -timedelta(days=max(rule.days, 1))
    return timedelta(days=rule.days)


def _find_milestone_rules(session, rules, first: date, last: date) -> list[Occurrence]:
    """The occurrences of several milestone rules (due-soon and overdue alike) on days
    first..last, from one query over the union of their ranges of due dates, whatever the
    number of rules: each milestone is mapped back to the rules whose range holds its due
    date."""
    offsets = [(rule, _milestone_offset(rule)) for rule in rules]
    by_due = _milestones(session, [(first + o, last + o) for _, o in offsets])
    found = []
    for rule, offset in offsets:
        day = first
        while day <= last:
            due_at = None
            for milestone_id, grantee_ids, officer_id in by_due.get(day + offset, ()):
                recipients = grantee_ids if rule.to_grantee else []
                if rule.to_officer and officer_id is not None:
                    recipients = [*recipients, officer_id]
                due_at = due_at or moment(rule, day)
                for recipient_id in dict.fromkeys(recipients):
                    found.append(
                        Occurrence(rule.id, rule.kind, milestone_id, recipient_id, day, due_at)
                    )
            day += timedelta(days=1)
    return found


def _milestone_text(session: Session, occurrence: Occurrence, user: User):
    milestone = session.get(Milestone, occurrence.object_id)
    if milestone is None:
        return None
    project = milestone.project
    values = {
        "title": milestone.title,
        "code": project.code,
        "project": project.title(user.locale),
        "date": format_date(milestone.due_date, "long"),
    }
    return milestone, values, app_path("milestones.detail", milestone_id=milestone.id)


@register(
    ReminderKind.MILESTONE_DUE,
    _l("Milestone due (before the due date)"),
    _l("Days before the due date (0: on the day)"),
    find_many=_find_milestone_rules,
)
def _find_due(session, rule, first: date, last: date):
    return _find_milestone_rules(session, [rule], first, last)


@_find_due.message
def _due_message(session, occurrence, user, today):
    found = _milestone_text(session, occurrence, user)
    if found is None or found[0].status not in WITH_GRANTEE:
        return None
    milestone, values, url = found
    if today > occurrence.occurrence and _superseded(session, milestone, user, occurrence, today):
        # Sent late (the scheduler was down on its day), and a later reminder of the same
        # milestone to the same person falls by today, saying what is true now: only that one.
        return None
    if milestone.due_date < today:  # sent late, and overdue by now: "due today" would be wrong
        return _overdue_text(values, url)
    if milestone.due_date == today:
        subject = _l("Due today: «%(title)s»", **values)
    else:
        subject = _l("Reminder: «%(title)s» is due on %(date)s", **values)
    body = _l(
        "The milestone «%(title)s» of project %(code)s «%(project)s» is due on %(date)s. "
        "Please report on it in FundTracker by then.",
        **values,
    )
    return Message(str(subject), str(body), url)


def _superseded(
    session: Session, milestone: Milestone, user: User, occurrence: Occurrence, today: date
) -> bool:
    """Whether another active milestone rule (due sooner, or overdue) reminds `user` (as the
    project's officer, or one of its grantee's people) of `milestone` on a day after the
    occurrence's and up to `today`: a reminder sent late leaves the telling to that one."""
    officer = user.id == milestone.project.officer_id
    rules = session.scalars(
        select(ReminderRule).where(
            ReminderRule.kind.in_([ReminderKind.MILESTONE_DUE, ReminderKind.MILESTONE_OVERDUE]),
            ReminderRule.active.is_(True),
            ReminderRule.id != occurrence.rule_id,
        )
    )
    return any(
        (rule.to_officer if officer else rule.to_grantee)
        and occurrence.occurrence < milestone.due_date - _milestone_offset(rule) <= today
        for rule in rules
    )


def _overdue_text(values: dict, url: str) -> Message:
    subject = _l("Overdue: «%(title)s» was due on %(date)s", **values)
    body = _l(
        "The milestone «%(title)s» of project %(code)s «%(project)s» was due on %(date)s and "
        "has not been reported on yet. Please submit the report or talk to the fund's officer.",
        **values,
    )
    return Message(str(subject), str(body), url)


@register(
    ReminderKind.MILESTONE_OVERDUE,
    _l("Milestone overdue"),
    _l("Days after the due date"),
    find_many=_find_milestone_rules,
)
def _find_overdue(session, rule, first: date, last: date):
    return _find_milestone_rules(session, [rule], first, last)


@_find_overdue.message
def _overdue_message(session, occurrence, user, today):
    found = _milestone_text(session, occurrence, user)
    if found is None or found[0].status not in WITH_GRANTEE:
        return None
    _milestone, values, url = found
    return _overdue_text(values, url)


@register(
    ReminderKind.OFFICER_DIGEST,
    _l("Weekly digest to officers"),
    _l("Day of the week (0 Monday … 6 Sunday)"),
    recipients=_l("Officers"),
)
def _find_digest(session, rule, first: date, last: date):
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() == rule.days % 7]
    if not days:
        return []
    officers = session.scalars(
        select(User.id)
        .where(
            User.active.is_(True),
            User.role.in_((Role.OFFICER, Role.ADMIN)),
            User.id.in_(select(Project.officer_id).where(Project.status.in_(RUNNING))),
        )
        .order_by(User.id)
    ).all()
    found = []
    for day in days:
        due_at = moment(rule, day)
        found += [
            Occurrence(rule.id, rule.kind, officer_id, officer_id, day, due_at)
            for officer_id in officers
        ]
    return found


DIGEST_HORIZON = 14


@_find_digest.message
def _digest_message(session, occurrence, user, today):
    day = today  # a digest sent late lists what is overdue on the day it is sent
    milestones = session.scalars(
        select(Milestone)
        .join(Milestone.project)
        .where(
            Project.officer_id == user.id,
            Project.status.in_(RUNNING),
            Milestone.status.in_(WITH_GRANTEE),
            Milestone.due_date <= day + timedelta(days=DIGEST_HORIZON),
        )
        .options(selectinload(Milestone.project))
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    overdue = [m for m in milestones if m.due_date < day]
    soon = [m for m in milestones if m.due_date >= day]

    def item(m: Milestone) -> str:
        return f"- {m.project.code} · {m.title} · {format_date(m.due_date, 'medium')}"

    lines = [str(_l("Overdue milestones: %(count)d", count=len(overdue)))]
    lines += [item(m) for m in overdue]
    lines.append("")
    lines.append(
        str(_l("Due in the next %(days)d days: %(count)d", days=DIGEST_HORIZON, count=len(soon)))
    )
    lines += [item(m) for m in soon]
    subject = _l(
        "Weekly summary: %(overdue)d overdue, %(soon)d due soon",
        overdue=len(overdue),
        soon=len(soon),
    )
    return Message(str(subject), "\n".join(lines), app_path("main.dashboard_view"))
