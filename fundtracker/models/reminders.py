"""Reminders and notifications: the rules an admin sets, one row per reminder occurrence (the
claim that makes each go out once), in-app notifications, and the outbox of emails."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from fundtracker.models.user import User


class ReminderKind(enum.StrEnum):
    """The kinds this module knows. The column is a plain string checked against the registry in
    services/reminders/kinds.py (KINDS), so that a new kind is one registered function, no
    migration."""

    # `days` before the milestone's due date (0: on the day)
    MILESTONE_DUE = "milestone_due"
    # `days` after the due date while the milestone is still with the grantee
    MILESTONE_OVERDUE = "milestone_overdue"
    # to each officer, weekly on weekday `days` (0 Monday ... 6 Sunday)
    OFFICER_DIGEST = "officer_digest"
    # to each reviewer whose assignment is still unscored `days` after it was made
    APPLICATION_UNSCORED = "application_unscored"
    # `days` before a follow-up after closure is due (0: on the day), and `days` after it while
    # it is still with the grantee (issue #21)
    FOLLOW_UP_DUE = "follow_up_due"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"


class EmailDelivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class ReminderRule(TimestampMixin, Base):
    __tablename__ = "reminder_rules"
    __table_args__ = (
        CheckConstraint("days >= 0 AND days <= 365", name="days_range"),
        CheckConstraint("grace_days >= 0 AND grace_days <= 30", name="grace_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    days: Mapped[int] = mapped_column(Integer, default=0)
    # Time of day in Asia/Almaty
    send_time: Mapped[time] = mapped_column(Time, default=time(9, 0))
    to_grantee: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    to_officer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A reminder missed (the scheduler was down) by more than this is skipped, not sent late.
    grace_days: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ReminderStatus(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"


class Reminder(Base):
    """One occurrence of a rule for one object and recipient. Inserted (the claim) in the same
    transaction as the notification it produces; the unique constraint makes a second claim,
    by another scheduler process, a no-op."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("rule_id", "object_id", "recipient_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("reminder_rules.id", ondelete="CASCADE"))
    # A milestone's id, a review assignment's, or the officer's for a digest (the rule's kind
    # says which).
    object_id: Mapped[int] = mapped_column(Integer)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    occurrence: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReminderStatus] = mapped_column(str_enum(ReminderStatus, "reminder_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    rule: Mapped[ReminderRule] = relationship()
    recipient: Mapped[User] = relationship()


class Notification(Base):
    """An in-app notification; for users who chose the daily digest, also waiting for it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_pending: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )
    # What happened, as a key of services.notifier.MESSAGES and its parameters: the text is
    # rendered in the reader's language when read, so it follows a change of language. subject
    # and body keep the text as first written (reminders, and the email sent at the time).
    message_key: Mapped[str | None] = mapped_column(String(60))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(Base):
    """An email to send after the transaction that wrote it commits; the scheduler's outbox job
    claims it, sends it, and retries failures with backoff (services.notifications).

    Delivery is at least once: `started_at` is set, in a committed transaction, before each SMTP
    conversation and cleared when its outcome is recorded. A sender that finds it still set (the
    previous one died mid-send) may be sending it a second time: it counts that in `resends`, and
    both copies carry the same `message_id`."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_emails_message_id", "message_id", unique=True),
        # The admins' problems table finds the few resent emails among all those sent.
        Index("ix_outbox_emails_resends", "resends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EmailStatus] = mapped_column(
        str_enum(EmailStatus, "email_status"), default=EmailStatus.PENDING
    )
    # Sends started since it was queued (or an admin last sent it again): the retries' count.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The lease: which sender holds the email (a random token per batch) and when it last said
    # it was alive; a lease older than OUTBOX_LEASE_SECONDS is taken over.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # A send under way: set before the SMTP conversation, cleared when its outcome is recorded.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sends started while an earlier one's outcome was never recorded: each may be a duplicate.
    resends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The Message-ID header, made when the email is queued: every send of it carries the same.
    message_id: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The id of the request (or scheduler run) that queued it: the sender's log lines carry it.
    request_id: Mapped[str | None] = mapped_column(String(64))

    recipient: Mapped[User | None] = relationship()

    @property
    def has_failed(self) -> bool:
        return self.status == EmailStatus.FAILED

    @property
    def was_sent(self) -> bool:
        return self.status == EmailStatus.SENT

    @property
    def is_sending(self) -> bool:
        return self.status == EmailStatus.SENDING

    @property
    def may_send_again(self) -> bool:
        """Failed, or waiting for a retry: an admin may send it now. (One left "sending" past
        its lease may be sent again too: services.notifications.is_stuck says which.)"""
        return self.status in (EmailStatus.FAILED, EmailStatus.PENDING)

    @property
    def maybe_duplicated(self) -> bool:
        return self.resends > 0
