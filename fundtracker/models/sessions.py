"""Sign-in sessions kept on the server (issue #19): one row per browser signed in, so that a user
sees where they are signed in and ends any of those sessions, and an admin ends a user's.

The browser holds a random token (in Flask's session cookie and, with "keep me signed in", in the
remember cookie); the row holds only its SHA-256. Every request looks the row up
(fundtracker.core.login), so a session ended in one worker process is over in all of them at the
next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, UTCDateTime, utcnow
from fundtracker.models.user import User

# last_used_at is written at most this often per session, so that a request seldom writes.
TOUCH_EVERY = timedelta(minutes=1)


class EndReason:
    """Why a session ended (`UserSession.end_reason`)."""

    SIGNED_OUT = "signed_out"  # the user signed out in that browser
    ENDED = "ended"  # ended by its user from another session ("Your sessions")
    ADMIN = "admin"  # ended by an admin
    PASSWORD = "password"  # noqa: S105 - the password was changed or reset (not a secret)
    ACCOUNT = "account"  # the account was deactivated, or what it may see changed
    REPLACED = "replaced"  # the browser signed in again


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionLimits:
    """A session not ended still counts as over once it has been unused for `idle` or has lasted
    `lifetime` (the remember cookie's duration: no session outlives it)."""

    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_config(cls, config) -> SessionLimits:
        lifetime = config.get("REMEMBER_COOKIE_DURATION", 14 * 86400)
        return cls(
            idle=timedelta(days=config.get("SESSION_IDLE_DAYS", 7)),
            lifetime=lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime),
        )

    def cutoffs(self, now: datetime) -> tuple[datetime, datetime]:
        """(used since, started since): a session in force was used and started after these."""
        return now - self.idle, now - self.lifetime


class UserSession(Base):
    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SHA-256 of the browser's token, hex: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    # Read from the user agent at sign-in (services.sessions.read_user_agent): "Firefox" and
    # "Windows", shown as "Firefox on Windows" in the reader's language; empty when unknown.
    browser: Mapped[str] = mapped_column(String(40), default="")
    platform: Mapped[str] = mapped_column(String(40), default="")
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @classmethod
    def in_force(cls, used_since, started_since):
        """The SQL condition of a session still in force: not ended, used after `used_since` and
        started after `started_since` (datetimes, or bound parameters; see
        SessionLimits.cutoffs)."""
        return and_(
            cls.ended_at.is_(None),
            cls.last_used_at > used_since,
            cls.created_at > started_since,
        )

    def is_in_force(self, now: datetime, limits: SessionLimits) -> bool:
        used_since, started_since = limits.cutoffs(now)
        return (
            self.ended_at is None
            and self.last_used_at > used_since
            and self.created_at > started_since
        )

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id} ended={self.ended_at is not None}>"
