"""Reminder rules and the reminders they produce.

Each kind of rule is one entry of KINDS: a function that finds the rule's occurrences in a range
of days (what object, whom, on which day) and one that words the message for a recipient. The
scheduler's job calls `due_occurrences` and `send`; `send` claims an occurrence by inserting its
row (unique per rule, object, recipient and day) in the same transaction as the notification, so
two scheduler processes never both send it, and a process that dies before committing leaves
nothing behind to block the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, selectinload

from fundtracker.core.time import FUND_TZ, start_of, to_utc
from fundtracker.models import (
    Application,
    ApplicationStatus,
    ConflictDeclaration,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
    Reminder,
    ReminderKind,
    ReminderRule,
    ReminderStatus,
    ReviewAssignment,
    Role,
    User,
    utcnow,
)
from fundtracker.services.errors import DomainError
from fundtracker.services.notifications import app_path, notify

# How far back beyond a rule's grace period a run looks, so that reminders missed during a long
# downtime are recorded as skipped rather than silently forgotten.
LOOKBACK_DAYS = 7
WITH_GRANTEE = (MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED)
RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.AT_RISK)


@dataclass(frozen=True)
class Occurrence:
    rule_id: int
    kind: str
    object_id: int
    recipient_id: int
    occurrence: date
    due_at: datetime  # UTC

    @property
    def key(self) -> tuple[int, int, int, date]:
        return (self.rule_id, self.object_id, self.recipient_id, self.occurrence)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str


@dataclass(frozen=True)
class Kind:
    label: object  # lazy string
    days_label: object
    # (session, rule, first day, last day) -> occurrences on those days (Asia/Almaty dates)
    find: Callable[[Session, ReminderRule, date, date], Iterable[Occurrence]]
    # (session, occurrence, recipient) -> message, called inside force_locale(recipient.locale)
    message: Callable[[Session, Occurrence, User], Message | None]
    # Who the kind always goes to (a lazy string), or None when the rule's to_grantee and
    # to_officer choose.
    recipients: object | None = None
    # (session, rules, first day, last day) -> the occurrences of several rules at once, for
    # kinds that share it: the sweep and the admin page call it once for all those rules.
    find_many: Callable[[Session, list[ReminderRule], date, date], Iterable[Occurrence]] | None = (
        None
    )


KINDS: dict[str, Kind] = {}


def register(name: str, label, days_label, recipients=None, find_many=None):
    """Add a kind of rule: decorate its `find` function and pass its `message` function.
    `recipients` labels whom a kind always reminds, for kinds that ignore the rule's choice;
    `find_many` finds the occurrences of several rules (of this kind or others sharing it) at
    once."""

    def decorator(find):
        def with_message(message):
            KINDS[name] = Kind(
                label=label,
                days_label=days_label,
                find=find,
                message=message,
                recipients=recipients,
                find_many=find_many,
            )
            return message

        find.message = with_message
        return find

    return decorator


def moment(rule: ReminderRule, day: date) -> datetime:
    """When the rule's reminder for `day` is due: its time of day in Asia/Almaty, in UTC."""
    return to_utc(day, rule.send_time)


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
def _due_message(session, occurrence, user):
    found = _milestone_text(session, occurrence, user)
    if found is None or found[0].status not in WITH_GRANTEE:
        return None
    milestone, values, url = found
    if milestone.due_date == occurrence.occurrence:
        subject = _l("Due today: «%(title)s»", **values)
    else:
        subject = _l("Reminder: «%(title)s» is due on %(date)s", **values)
    body = _l(
        "The milestone «%(title)s» of project %(code)s «%(project)s» is due on %(date)s. "
        "Please report on it in FundTracker by then.",
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
def _overdue_message(session, occurrence, user):
    found = _milestone_text(session, occurrence, user)
    if found is None or found[0].status not in WITH_GRANTEE:
        return None
    milestone, values, url = found
    subject = _l("Overdue: «%(title)s» was due on %(date)s", **values)
    body = _l(
        "The milestone «%(title)s» of project %(code)s «%(project)s» was due on %(date)s and "
        "has not been reported on yet. Please submit the report or talk to the fund's officer.",
        **values,
    )
    return Message(str(subject), str(body), url)


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
def _digest_message(session, occurrence, user):
    day = occurrence.occurrence
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


# An assignment is still the reviewer's to score while it is not taken off by a declared conflict,
# its scores are not submitted, and the application is under review. The application is checked
# by EXISTS rather than a join, so that SQLite reads the assignments in the range of days first
# instead of every application under review (half the time at 70,000 assignments).
def _still_to_score():
    return (
        ReviewAssignment.conflict != ConflictDeclaration.CONFLICT,
        ReviewAssignment.submitted_at.is_(None),
        exists().where(
            Application.id == ReviewAssignment.application_id,
            Application.status == ApplicationStatus.UNDER_REVIEW,
        ),
    )


@register(
    ReminderKind.APPLICATION_UNSCORED,
    _l("Application not yet scored (to its reviewers)"),
    _l("Days after the reviewer was assigned"),
    recipients=_l("Reviewers"),
)
def _find_unscored(session, rule, first: date, last: date):
    days = timedelta(days=max(rule.days, 1))
    # One query however many assignments there are: those made on the Almaty days `days`
    # before first..last, bounded by UTC instants so that no time zone arithmetic runs in SQL.
    rows = session.execute(
        select(ReviewAssignment.id, ReviewAssignment.reviewer_id, ReviewAssignment.assigned_at)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(
            ReviewAssignment.assigned_at >= start_of(first - days),
            ReviewAssignment.assigned_at < start_of(last - days + timedelta(days=1)),
            *_still_to_score(),
            User.role == Role.REVIEWER,
            User.active.is_(True),
        )
        .order_by(ReviewAssignment.assigned_at, ReviewAssignment.id)
    ).all()
    found = []
    for assignment_id, reviewer_id, assigned_at in rows:
        day = assigned_at.astimezone(FUND_TZ).date() + days
        found.append(
            Occurrence(rule.id, rule.kind, assignment_id, reviewer_id, day, moment(rule, day))
        )
    return found


@_find_unscored.message
def _unscored_message(session, occurrence, user):
    assignment = session.scalar(
        select(ReviewAssignment)
        .where(
            ReviewAssignment.id == occurrence.object_id,
            ReviewAssignment.reviewer_id == user.id,
            *_still_to_score(),
        )
        .options(selectinload(ReviewAssignment.application).selectinload(Application.call))
    )
    if assignment is None:
        return None
    application = assignment.application
    values = {
        "id": application.id,
        "call": application.call.title(user.locale),
        "date": format_date(assignment.assigned_at.astimezone(FUND_TZ).date(), "long"),
    }
    subject = _l("Waiting for your review: application no. %(id)d", **values)
    if assignment.conflict == ConflictDeclaration.PENDING:
        # Until the reviewer declares no conflict, they see nothing of the application but its
        # number and the applicant: the reminder tells no more than the review page.
        body = _l(
            "On %(date)s you were asked to review application no. %(id)d to the call "
            "«%(call)s», and it has not been scored yet. Please first declare whether you have "
            "a conflict of interest with the applicant, then score each criterion in FundTracker.",
            **values,
        )
    else:
        body = _l(
            "On %(date)s you were asked to review the application «%(title)s» (no. %(id)d) to "
            "the call «%(call)s», and it has not been scored yet. Please score each criterion "
            "in FundTracker.",
            title=application.title,
            **values,
        )
    return Message(
        str(subject), str(body), app_path("applications.review", assignment_id=assignment.id)
    )


# Running the rules -------------------------------------------------------------------------------


def active_rules(session: Session) -> list[ReminderRule]:
    return list(
        session.scalars(
            select(ReminderRule).where(ReminderRule.active.is_(True)).order_by(ReminderRule.id)
        )
    )


def _existing(session: Session, found: list[Occurrence]) -> set[tuple]:
    """The keys of `found` already in the log. Asked by rule, object and range of days, which
    the unique constraint's index (rule_id, object_id, recipient_id, occurrence) serves with
    few parameters; the rows are matched to the exact keys here."""
    if not found:
        return set()
    keys = {o.key for o in found}
    rule_ids = sorted({o.rule_id for o in found})
    object_ids = sorted({o.object_id for o in found})
    first = min(o.occurrence for o in found)
    last = max(o.occurrence for o in found)
    columns = (Reminder.rule_id, Reminder.object_id, Reminder.recipient_id, Reminder.occurrence)
    done: set[tuple] = set()
    for start in range(0, len(object_ids), 1000):
        rows = session.execute(
            select(*columns).where(
                Reminder.rule_id.in_(rule_ids),
                Reminder.object_id.in_(object_ids[start : start + 1000]),
                Reminder.occurrence.between(first, last),
            )
        )
        done.update(key for key in map(tuple, rows) if key in keys)
    return done


def _found(session: Session, rules: list[ReminderRule], first: date, last: date):
    """The rules' occurrences on days first..last, done or not, by due time. Rules whose kinds
    share a `find_many` are found together."""
    found: list[Occurrence] = []
    together: dict[Callable, list[ReminderRule]] = {}
    for rule in rules:
        kind = KINDS.get(rule.kind)
        if kind is None:
            continue
        if kind.find_many is not None:
            together.setdefault(kind.find_many, []).append(rule)
        else:
            found.extend(kind.find(session, rule, first, last))
    for find_many, group in together.items():
        found.extend(find_many(session, group, first, last))
    return sorted(found, key=lambda o: (o.due_at, o.key))


def _not_done(session: Session, found: list[Occurrence], limit: int | None = None):
    """`found` (in order) without what was sent or skipped already. With a limit, only the
    first ones are checked, in growing batches, until `limit` are kept."""
    if limit is None:
        done = _existing(session, found)
        return [o for o in found if o.key not in done]
    kept: list[Occurrence] = []
    start, size = 0, max(limit, 1)
    while len(kept) < limit and start < len(found):
        batch = found[start : start + size]
        done = _existing(session, batch)
        kept += [o for o in batch if o.key not in done]
        start, size = start + size, size * 2
    return kept[:limit]


def occurrences(session: Session, first: date, last: date) -> list[Occurrence]:
    """Every active rule's occurrences on days first..last not yet sent or skipped."""
    return _not_done(session, _found(session, active_rules(session), first, last))


def due_occurrences(session: Session, now: datetime) -> list[Occurrence]:
    """What is due by `now` and not yet done, going back far enough to see missed ones."""
    rules = active_rules(session)
    grace = max((r.grace_days for r in rules), default=0)
    today = now.astimezone(FUND_TZ).date()
    first = today - timedelta(days=grace + LOOKBACK_DAYS)
    found = [o for o in _found(session, rules, first, today) if o.due_at <= now]
    return _not_done(session, found)


def upcoming(
    session: Session, now: datetime, days: int = 14, limit: int | None = None
) -> list[Occurrence]:
    """Occurrences due after `now` within `days`, earliest first; at most `limit` of them.

    With a limit, the days are looked at in growing windows (today and tomorrow, then 4, 8 ...
    days) until enough are found: an occurrence's due time falls on its own day, so every
    occurrence of an earlier window comes before any of a later one, and the busy portfolio's
    fortnight is not worded in full to show its first rows. Within a window, only as many are
    checked against the log as are needed."""
    rules = active_rules(session)
    today = now.astimezone(FUND_TZ).date()
    last_day = today + timedelta(days)
    if limit is None:
        found = _found(session, rules, today, last_day)
        return _not_done(session, [o for o in found if o.due_at > now])
    kept: list[Occurrence] = []
    first, span = today, 2
    while first <= last_day and len(kept) < limit:
        last = min(first + timedelta(days=span - 1), last_day)
        found = [o for o in _found(session, rules, first, last) if o.due_at > now]
        kept += _not_done(session, found, limit - len(kept))
        first, span = last + timedelta(days=1), span * 2
    return kept


def _claim(session: Session, occurrence: Occurrence, status: ReminderStatus) -> bool:
    """Insert the occurrence's row; False when another process has it already."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row = session.execute(
        insert(Reminder)
        .values(
            rule_id=occurrence.rule_id,
            object_id=occurrence.object_id,
            recipient_id=occurrence.recipient_id,
            occurrence=occurrence.occurrence,
            due_at=occurrence.due_at,
            status=status,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(Reminder.id)
    ).first()
    return row is not None


def message_for(session: Session, occurrence: Occurrence, recipient: User) -> Message | None:
    kind = KINDS.get(occurrence.kind)
    if kind is None:
        return None
    with force_locale(recipient.locale):
        return kind.message(session, occurrence, recipient)


def send(session: Session, occurrence: Occurrence, now: datetime) -> ReminderStatus | None:
    """Claim the occurrence and notify its recipient, or record it as skipped when it is too
    late to matter. None when another process claimed it first. Flushes; the caller commits."""
    rule = session.get(ReminderRule, occurrence.rule_id)
    if rule is None or not rule.active:  # switched off since the occurrence was found
        return None
    recipient = session.get(User, occurrence.recipient_id)
    message = (
        message_for(session, occurrence, recipient) if recipient and recipient.active else None
    )
    late = now - occurrence.due_at > timedelta(days=rule.grace_days)
    status = ReminderStatus.SKIPPED if late or message is None else ReminderStatus.SENT
    if not _claim(session, occurrence, status):
        return None
    if status == ReminderStatus.SENT:
        notify(session, recipient, subject=message.subject, body=message.body, url=message.url)
    session.flush()
    return status


def sent_log(session: Session, limit: int = 100, offset: int = 0) -> list[Reminder]:
    """The reminders sent or skipped, latest first: `limit` of them after the first `offset`."""
    return list(
        session.scalars(
            select(Reminder)
            .options(selectinload(Reminder.rule))
            .order_by(Reminder.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


# Rules -------------------------------------------------------------------------------------------


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
    if data.kind == ReminderKind.MILESTONE_OVERDUE and data.days < 1:
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


# For the admin page ------------------------------------------------------------------------------


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


MILESTONE_KINDS = {ReminderKind.MILESTONE_DUE, ReminderKind.MILESTONE_OVERDUE}
ASSIGNMENT_KINDS = {ReminderKind.APPLICATION_UNSCORED}


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
    rows = []
    for o in found:
        if o.kind in MILESTONE_KINDS:
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
