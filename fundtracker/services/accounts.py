"""Passwords, logins with failure limits, and emailed single-use tokens."""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundtracker.models import LoginAttempt, User, utcnow
from fundtracker.models.user import new_session_token
from fundtracker.services.errors import (
    DomainError,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
)

# argon2-cffi's defaults are the RFC 9106 "low memory" argon2id profile.
_hasher = PasswordHasher()
# Verified against when the email is unknown, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class LoginLimits:
    window: timedelta
    per_account: int
    per_address: int

    @classmethod
    def from_config(cls, config) -> LoginLimits:
        return cls(
            window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
            per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str, user: User | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if user is not None and password.strip().lower() == user.email:
        raise DomainError(_l("The password must not be your email address."), field="password")


def set_password(user: User, password: str, now: datetime | None = None) -> None:
    """Set a new password and end every other session of the account."""
    check_password_rules(password, user)
    user.password_hash = hash_password(password)
    user.password_changed_at = now or utcnow()
    user.session_token = new_session_token()


def _failures_since(session: Session, column, value: str, since: datetime) -> int:
    return session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since
        )
    )


def authenticate(
    session: Session,
    email: str,
    password: str,
    address: str,
    limits: LoginLimits,
    now: datetime | None = None,
) -> User:
    """Check a login. Raises LoginThrottled before looking at the password when the account or the
    address has too many recent failures; records every attempt it judges."""
    now = now or utcnow()
    email = User.normalise_email(email)
    since = now - limits.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success else since
    if (
        _failures_since(session, LoginAttempt.email, email, account_since) >= limits.per_account
        or _failures_since(session, LoginAttempt.address, address, since) >= limits.per_address
    ):
        raise LoginThrottled(
            _l(
                "Too many failed attempts. Please wait %(minutes)d minutes and try again.",
                minutes=max(1, int(limits.window.total_seconds() // 60)),
            )
        )

    user = session.scalar(select(User).where(User.email == email))
    ok = False
    if user is not None and user.password_hash:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        with suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(email=email, address=address[:64], succeeded=ok, created_at=now))
    if not ok:
        session.flush()
        raise InvalidCredentials(_l("Wrong email or password."))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError):
        raise DomainError(_l("The current password is wrong."), field="current_password") from None
    set_password(user, new)
    session.flush()


# Emailed links ---------------------------------------------------------------------------------

TOKEN_PURPOSES = ("reset", "invite")


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"fundtracker.{purpose}")


def _fingerprint(user: User) -> str:
    # Changes whenever the password is set, so a link works once.
    material = f"{user.password_hash or ''}|{user.session_token}".encode()
    return hashlib.sha256(material).hexdigest()[:20]


def make_token(secret_key: str, user: User, purpose: str) -> str:
    assert purpose in TOKEN_PURPOSES
    return _serializer(secret_key, purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_token(
    session: Session, secret_key: str, token: str, purpose: str, max_age: int
) -> User:
    try:
        data = _serializer(secret_key, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken(_l("This link has expired. Please ask for a new one.")) from None
    except BadSignature:
        raise InvalidToken(_l("This link is not valid.")) from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise InvalidToken(_l("This link has already been used or is no longer valid."))
    return user


def set_password_with_token(
    session: Session, secret_key: str, token: str, purpose: str, max_age: int, password: str
) -> User:
    user = user_for_token(session, secret_key, token, purpose, max_age)
    set_password(user, password)
    session.flush()
    return user
