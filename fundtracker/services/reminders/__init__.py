"""Reminder rules and the reminders they produce.

Each kind of rule is one entry of KINDS: a function that finds the rule's occurrences in a range
of days (what object, whom, on which day) and one that words the message for a recipient. The
scheduler's job calls `due_occurrences` and `send`; `send` claims an occurrence by inserting its
row (unique per rule, object, recipient and day) in the same transaction as the notification, so
two scheduler processes never both send it, and a process that dies before committing leaves
nothing behind to block the next run.

    kinds.py        what a kind is, KINDS and `register`
    milestones.py   the kinds about milestones: due, overdue, the officers' weekly digest
    reviews.py      the kind about reviews: an application not yet scored
    follow_ups.py   the kinds about follow-ups after closure: due and overdue
    sending.py      finding what is due or upcoming and not done yet; sending it
    rules.py        creating and editing rules
    admin.py        what the admin page lists and previews

Callers use the names below through the package (`reminders.send(...)`).
"""

# The kinds of rule register themselves in KINDS when their modules are imported: importing the
# package imports them all, in the order their kinds are offered.
from fundtracker.services.reminders import follow_ups, milestones, reviews  # noqa: F401
from fundtracker.services.reminders.admin import (
    ASSIGNMENT_KINDS,
    FOLLOW_UP_KINDS,
    MILESTONE_KINDS,
    Row,
    describe,
    describe_log,
    preview,
)
from fundtracker.services.reminders.kinds import KINDS, Kind, Message, Occurrence, moment, register
from fundtracker.services.reminders.milestones import DIGEST_HORIZON, RUNNING, WITH_GRANTEE
from fundtracker.services.reminders.rules import RuleData, create_rule, list_rules, update_rule
from fundtracker.services.reminders.sending import (
    LOOKBACK_DAYS,
    active_rules,
    due_occurrences,
    message_for,
    occurrences,
    send,
    sent_log,
    upcoming,
)

__all__ = [
    "ASSIGNMENT_KINDS",
    "DIGEST_HORIZON",
    "FOLLOW_UP_KINDS",
    "KINDS",
    "LOOKBACK_DAYS",
    "MILESTONE_KINDS",
    "RUNNING",
    "WITH_GRANTEE",
    "Kind",
    "Message",
    "Occurrence",
    "RuleData",
    "Row",
    "active_rules",
    "create_rule",
    "describe",
    "describe_log",
    "due_occurrences",
    "list_rules",
    "message_for",
    "moment",
    "occurrences",
    "preview",
    "register",
    "send",
    "sent_log",
    "update_rule",
    "upcoming",
]
