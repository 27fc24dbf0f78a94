"""Rows that back the account security rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from fundtracker.models.base import Base, UTCDateTime, utcnow


class LoginAttempt(Base):
    """One login attempt. Failures within a window limit further attempts per account and per
    client address; kept in the database so that every worker process sees the same counts."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_created_at", "email", "created_at"),
        Index("ix_login_attempts_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    # Refused by a limit without the password being looked at. Such attempts still hold the
    # account-and-address pair and the address back, but are not guesses: they do not count
    # towards the account-wide limit, so one address hammering away cannot trip it.
    throttled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountMailRequest(Base):
    """One request that sends mail about an account: a password reset, a registration, a
    confirmation link sent again, whether or not the address has an account (so the limits say
    nothing about it either); and each notice to an owner that sign-ins were paused. The limits
    per email and per client address count these rows, in the database like the login limit, so
    they hold across worker processes."""

    __tablename__ = "account_mail_requests"
    __table_args__ = (
        Index("ix_account_mail_requests_email_created_at", "email", "created_at"),
        Index("ix_account_mail_requests_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
