"""User accounts and roles."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum

if TYPE_CHECKING:
    from fundtracker.models.organisation import Organisation


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    REVIEWER = "reviewer"
    BOARD = "board"
    GRANTEE = "grantee"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'grantee' AND organisation_id IS NOT NULL)"
            " OR (role <> 'grantee' AND organisation_id IS NULL)",
            name="grantee_has_organisation",
        ),
        CheckConstraint("locale IN ('kk', 'ru', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see `normalise_email`), so the unique constraint holds regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Empty until an invited user chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # False only for an account that registered itself and has not yet opened the link emailed
    # to it: it may sign in but not draft or upload (permissions.has_confirmed_email). Accounts
    # made by an admin (who vouches for the address; the invitation is emailed there anyway),
    # the command line and the demo are confirmed from the start, hence the default.
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # A random stamp of the account, rotated whenever every session of it ends (the password set
    # or reset, "sign out everywhere", the account deactivated or its role changed): emailed
    # links carry a fingerprint of it (services.accounts), so that they stop working too.
    # Sign-in sessions themselves are rows of `user_sessions` (models.sessions); this column
    # once was the session, and stays so that SQLite need not rebuild `users` to drop it.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Notification emails: each as it happens ("immediate") or one a day ("daily"); a plain
    # column (no CHECK) so that SQLite adds it without rebuilding the users table.
    email_delivery: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )
    # A grantee account that manages its organisation's people (services.members): invites
    # colleagues, removes them and hands the role over; an organisation keeps at least one
    # active manager. False for every other account. A plain column (no CHECK) so that SQLite
    # adds it without rebuilding the users table.
    org_manager: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @validates("email")
    def _validate_email(self, _key: str, value: str) -> str:
        return self.normalise_email(value)

    # The token of the sign-in session this object was loaded for (fundtracker.core.login) or
    # was just signed in with (fundtracker.web.signin); not a column. Flask-Login keeps it in the
    # cookie as the user's id.
    session_key = None

    # Flask-Login
    def get_id(self) -> str:
        if self.session_key is None:
            raise AttributeError("sign in through fundtracker.web.signin.sign_in")
        return self.session_key

    # Flask-Login's UserMixin compares users by get_id(), which is a session's token: compare
    # accounts instead (the hash stays the object's own, as UserMixin's).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
