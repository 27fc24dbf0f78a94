"""Personal access tokens for the API (issue #20).

A user creates a token on their account page for an integration (the accounting system, the
fund's website, a partner's tool). The token is shown once; the row keeps only its SHA-256 and
its first characters (so that the user can tell tokens apart). A token acts as its user, with no
more than the scopes it was given: every API request is still checked by the same permission
rules as the web pages, for that user.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, UTCDateTime, utcnow
from fundtracker.models.user import User

# What a token may do beyond what its user may: read, send milestone updates, record payments.
SCOPE_READ = "read"
SCOPE_WRITE_UPDATES = "write-updates"
SCOPE_WRITE_PAYMENTS = "write-payments"
SCOPES = (SCOPE_READ, SCOPE_WRITE_UPDATES, SCOPE_WRITE_PAYMENTS)

# Tokens start with this, so that a secret scanner (and a person) recognises one.
TOKEN_PREFIX = "ftpat_"  # noqa: S105 - a public marker, not a secret


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id_revoked_at", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the token, hex: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters ("ftpat_AbC1"), shown in lists.
    hint: Mapped[str] = mapped_column(String(16), default="")
    # Space-separated, from SCOPES.
    scopes: Mapped[str] = mapped_column(String(100), default=SCOPE_READ)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_address: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The rate limit's fixed window: when the current minute began and how many requests in it.
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_count: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split() if s in SCOPES]

    def in_force(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.hint}>"
