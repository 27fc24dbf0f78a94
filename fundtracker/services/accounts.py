"""Passwords, logins with failure limits, and emailed single-use tokens."""

from __future__ import annotations

import hashlib
import ipaddress
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


def normalise_address(address: str) -> str:
    """The client address the limit counts: an IPv6 client by its /64, which one household or
    device usually holds whole."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _failures_since(session: Session, column, value: str, since: datetime) -> int:
    return session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since
        )
    )


def begin_attempt(
    session: Session, email: str, address: str, now: datetime | None = None
) -> LoginAttempt:
    """Record a login attempt as failed before judging it. The caller commits it at once, so
    that concurrent attempts count each other: the limit holds against parallel guessing and
    across worker processes."""
    attempt = LoginAttempt(
        email=User.normalise_email(email),
        address=normalise_address(address),
        succeeded=False,
        created_at=now or utcnow(),
    )
    session.add(attempt)
    session.flush()
    return attempt


def authenticate(
    session: Session, attempt: LoginAttempt, password: str, limits: LoginLimits
) -> User:
    """Judge a committed attempt (see begin_attempt). Raises LoginThrottled, without looking at
    the password, when the account or the address has more failures in the window than allowed
    (the attempt itself counts); InvalidCredentials for a wrong password or an inactive account.
    On success the attempt is marked succeeded."""
    now, email = attempt.created_at, attempt.email
    since = now - limits.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success else since
    if (
        _failures_since(session, LoginAttempt.email, email, account_since) > limits.per_account
        or _failures_since(session, LoginAttempt.address, attempt.address, since)
        > limits.per_address
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
    if not (ok and user is not None and user.active):
        raise InvalidCredentials(_l("Wrong email or password."))
    attempt.succeeded = True
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session and remember-me cookie of the account: a copied cookie stops
    working at logout."""
    user.session_token = new_session_token()
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError):
        raise DomainError(_l("The current password is wrong."), field="current_password") from None
    set_password(user, new)
    session.flush()


def user_for_reset(session: Session, email: str) -> User | None:
    """The active account a reset may be sent to, if any."""
    user = session.scalar(select(User).where(User.email == User.normalise_email(email)))
    return user if user is not None and user.active else None


# Emailed links ---------------------------------------------------------------------------------

TOKEN_PURPOSES = ("reset", "invite")


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"fundtracker.{purpose}")


def _fingerprint(user: User) -> str:
    # Changes whenever the password or the email is set, so a link works once and only for the
    # address it was sent to.
    material = f"{user.email}|{user.password_hash or ''}|{user.session_token}".encode()
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
