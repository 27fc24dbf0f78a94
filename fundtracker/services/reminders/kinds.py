"""What a kind of reminder rule is, and the registry of kinds (KINDS) that the modules of the
kinds (milestones.py, reviews.py) add themselves to with `register`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from fundtracker.core.time import to_utc
from fundtracker.models import ReminderRule, User


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
    # (session, occurrence, recipient, today) -> message, called inside
    # force_locale(recipient.locale); `today`: the day it is sent (Asia/Almaty), later than the
    # occurrence's own day when it goes out late: the message says what is true on that day.
    message: Callable[[Session, Occurrence, User, date], Message | None]
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
