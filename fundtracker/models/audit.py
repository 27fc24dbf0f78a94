"""The audit log (issue #19): one row per security-relevant action, never updated or deleted.

Rows are chained: each holds the SHA-256 of the row before it (`prev_hash`) and its own
(`hash`), worked out by `fundtracker.services.audit`, so that an edit, a deleted row or a row
slipped in between is found by `flask audit verify`. The database refuses UPDATE and DELETE on
the table (triggers made by migration 0018).

The actor is a plain number with a snapshot of the account's email and role, not a foreign key:
accounts are deleted (unconfirmed self-registrations, by a daily job), and their history must
neither block that nor go with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fundtracker.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_created_at", "created_at"),
        Index("ix_audit_events_actor_email_created_at", "actor_email", "created_at"),
        Index("ix_audit_events_action_created_at", "action", "created_at"),
        Index("ix_audit_events_target_type_target_id", "target_type", "target_id"),
    )

    # Given by the writer (the last id + 1, under the writers' lock), not by a sequence: ids
    # follow each other without gaps, so a missing row shows.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    target_label: Mapped[str] = mapped_column(String(200), default="")
    # JSON text, written canonically (sorted keys): what is hashed is exactly what is stored.
    details: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str] = mapped_column(String(64), default="")
    # Unique: two writers can never both chain to the same row (the lock in services/audit.py
    # keeps them from trying; this makes sure).
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
