"""Running the rules: their occurrences not yet sent or skipped (due by now, or upcoming), and
sending one, claimed by inserting its row in the same transaction as the notification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from fundtracker.core.time import FUND_TZ
from fundtracker.models import Reminder, ReminderRule, ReminderStatus, User, utcnow
from fundtracker.services.notifications import notify
from fundtracker.services.reminders.kinds import KINDS, Message, Occurrence

# How far back beyond a rule's grace period a run looks, so that reminders missed during a long
# downtime are recorded as skipped rather than silently forgotten.
LOOKBACK_DAYS = 7


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


def message_for(
    session: Session, occurrence: Occurrence, recipient: User, today: date | None = None
) -> Message | None:
    """The occurrence's message to `recipient`, as sent on `today` (by default its own day: a
    preview); None when there is nothing to say any more."""
    kind = KINDS.get(occurrence.kind)
    if kind is None:
        return None
    with force_locale(recipient.locale):
        return kind.message(session, occurrence, recipient, today or occurrence.occurrence)


def send(session: Session, occurrence: Occurrence, now: datetime) -> ReminderStatus | None:
    """Claim the occurrence and notify its recipient, or record it as skipped when it is too
    late to matter (past the rule's grace period, or with nothing left to say: a milestone due
    reminder sent late for a milestone that another reminder tells overdue). None when another
    process claimed it first. Flushes; the caller commits."""
    rule = session.get(ReminderRule, occurrence.rule_id)
    if rule is None or not rule.active:  # switched off since the occurrence was found
        return None
    recipient = session.get(User, occurrence.recipient_id)
    today = now.astimezone(FUND_TZ).date()  # a reminder sent late says what is true today
    message = (
        message_for(session, occurrence, recipient, today)
        if recipient and recipient.active
        else None
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
