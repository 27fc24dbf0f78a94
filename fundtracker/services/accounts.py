"""Passwords, logins with failure limits, emailed single-use links, and the mail about accounts.

Login limits (counted in the database, so they hold across worker processes):

- per account and client address: LOGIN_MAX_FAILURES_PER_ACCOUNT failures in LOGIN_WINDOW_SECONDS
  from one address lock that address out of that account;
- per address: LOGIN_MAX_FAILURES_PER_ADDRESS failures on any accounts lock the address out;
- per account, from everywhere: LOGIN_MAX_FAILURES_ACCOUNT_WIDE passwords checked and wrong in
  LOGIN_ACCOUNT_WINDOW_SECONDS pause sign-ins from every address that has never signed in to the
  account, and the owner is told by email (once per window).

So a stranger's guesses, from however many addresses, never lock the owner out where the owner
has signed in before; from a new address the owner waits out the pause, or resets the password
by email and signs in at once (guesses at an old password no longer count). Attempts refused by
a limit are not guesses (their password is not looked at) and do not count towards the
account-wide limit: one address hammering away stays locked out itself but cannot pause the
account.

Mail about accounts (invitations, password resets, registration confirmations, notices) goes
through the outbox (services.notifications) in the caller's transaction: a request never waits
on SMTP or fails with it. Requests that send such mail are limited per email and per client
address (ACCOUNT_MAIL_*), counting only the requests that were answered, so a stranger cannot
use up the owner's allowance: every request answered sent the owner a working link.
"""

from __future__ import annotations

import hashlib
import ipaddress
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from fundtracker.models import AccountMailRequest, LoginAttempt, User, utcnow
from fundtracker.models.sessions import EndReason
from fundtracker.models.user import new_session_token
from fundtracker.services import notifications, sessions
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
    """See the module's docstring. Without an account-wide limit of its own, the per-account
    one counts every address together (the limit before addresses were told apart)."""

    window: timedelta
    per_account: int  # failures on one account from one address, in `window`
    per_address: int  # failures from one address on any account, in `window`
    account_window: timedelta | None = None
    account_wide: int | None = None  # wrong passwords on one account, in `account_window`

    def __post_init__(self) -> None:
        if self.account_window is None:
            object.__setattr__(self, "account_window", self.window)
        if self.account_wide is None:
            object.__setattr__(self, "account_wide", self.per_account)

    @classmethod
    def from_config(cls, config) -> LoginLimits:
        return cls(
            window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
            per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            account_window=timedelta(seconds=config["LOGIN_ACCOUNT_WINDOW_SECONDS"]),
            account_wide=config["LOGIN_MAX_FAILURES_ACCOUNT_WIDE"],
        )


class SignInsPaused(LoginThrottled):
    """The account-wide limit: sign-ins from addresses new to the account are paused."""


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
    """Set a new password; links emailed before stop working. The callers that change an
    existing account's password end its sessions (change_password, set_password_with_token)."""
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


def _count(session: Session, *conditions) -> int:
    return session.scalar(select(func.count(LoginAttempt.id)).where(*conditions))


def _last_success(session: Session, *conditions) -> datetime | None:
    return session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.succeeded.is_(True), *conditions
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
        throttled=False,
        created_at=now or utcnow(),
    )
    session.add(attempt)
    session.flush()
    return attempt


def _minutes(window: timedelta) -> int:
    return max(1, int(window.total_seconds() // 60))


def check_limits(session: Session, attempt: LoginAttempt, limits: LoginLimits) -> None:
    """Raise LoginThrottled when a limit of the module's docstring holds `attempt` back (the
    attempt itself counts): SignInsPaused for the account-wide one."""
    now, email, address = attempt.created_at, attempt.email, attempt.address
    failed = LoginAttempt.succeeded.is_(False)
    since = now - limits.window
    pair = (LoginAttempt.email == email, LoginAttempt.address == address)
    known_since = _last_success(session, *pair)
    pair_since = max(since, known_since) if known_since else since
    if (
        _count(session, failed, LoginAttempt.address == address, LoginAttempt.created_at >= since)
        > limits.per_address
        or _count(session, failed, *pair, LoginAttempt.created_at >= pair_since)
        > limits.per_account
    ):
        raise LoginThrottled(
            _l(
                "Too many failed attempts. Please wait %(minutes)d minutes and try again.",
                minutes=_minutes(limits.window),
            )
        )
    if known_since is not None:
        return  # the owner's own address: a stranger's guesses do not hold it back
    password_set = session.scalar(select(User.password_changed_at).where(User.email == email))
    last_success = _last_success(session, LoginAttempt.email == email)
    account_since = max(
        t for t in (now - limits.account_window, last_success, password_set) if t is not None
    )
    guesses = _count(
        session,
        failed,
        LoginAttempt.throttled.is_(False),
        LoginAttempt.email == email,
        LoginAttempt.created_at >= account_since,
    )
    if guesses > limits.account_wide:
        raise SignInsPaused(
            _l(
                "Too many failed attempts. Please wait %(minutes)d minutes and try again.",
                minutes=_minutes(limits.account_window),
            )
        )


def authenticate(
    session: Session, attempt: LoginAttempt, password: str, limits: LoginLimits
) -> User:
    """Judge a committed attempt (see begin_attempt). Raises LoginThrottled, without looking at
    the password, when a limit holds it back (check_limits); InvalidCredentials for a wrong
    password or an inactive account. On success the attempt is marked succeeded."""
    check_limits(session, attempt, limits)
    user = session.scalar(select(User).where(User.email == attempt.email))
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
    user.last_login_at = attempt.created_at
    session.flush()
    return user


def record_throttled(
    session: Session, attempt_id: int, error: LoginThrottled, limits: LoginLimits
) -> None:
    """After authenticate refused attempt `attempt_id` by a limit (its transaction rolled
    back): mark it as no guess, and when the account-wide limit was reached tell the owner,
    once per LOGIN_ACCOUNT_WINDOW_SECONDS."""
    attempt = session.get(LoginAttempt, attempt_id)
    if attempt is None:
        return
    attempt.throttled = True
    if isinstance(error, SignInsPaused):
        _tell_owner_of_pause(session, attempt, limits)
    session.flush()


def _tell_owner_of_pause(session: Session, attempt: LoginAttempt, limits: LoginLimits) -> None:
    already = session.scalar(
        select(func.count(AccountMailRequest.id)).where(
            AccountMailRequest.kind == NOTICE_PAUSED,
            AccountMailRequest.email == attempt.email,
            AccountMailRequest.created_at >= attempt.created_at - limits.account_window,
        )
    )
    user = session.scalar(select(User).where(User.email == attempt.email))
    if already or user is None or not user.active:
        return
    session.add(
        AccountMailRequest(
            kind=NOTICE_PAUSED,
            email=attempt.email,
            address=attempt.address,
            created_at=attempt.created_at,
        )
    )
    _queue(
        session,
        user,
        "sign_ins_paused",
        _l("Sign-ins to your FundTracker account have been paused"),
        attempts=limits.account_wide,
        minutes=_minutes(limits.account_window),
        forgot_link=_link("auth.forgot_password"),
    )


def end_sessions(session: Session, user: User) -> None:
    """Sign the account out everywhere, by its own wish: every session and remember-me cookie
    of it stops working (services.sessions.end_all). Signing out of one browser is
    web.signin.sign_out, which ends that browser's session only."""
    sessions.end_all(session, user, user, reason=EndReason.SIGNED_OUT)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError):
        raise DomainError(_l("The current password is wrong."), field="current_password") from None
    set_password(user, new)
    # Every session ends, this browser's too: the view signs it in again with a new token.
    sessions.end_all(session, user, user, reason=EndReason.PASSWORD)


def user_for_reset(session: Session, email: str) -> User | None:
    """The active account a reset may be sent to, if any."""
    user = session.scalar(select(User).where(User.email == User.normalise_email(email)))
    return user if user is not None and user.active else None


# Emailed links ---------------------------------------------------------------------------------

TOKEN_PURPOSES = ("reset", "invite", "confirm")


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"fundtracker.{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    # Changes whenever the password or the email is set, so a link works once and only for the
    # address it was sent to. A confirmation link changes once the address is confirmed, and
    # not when the user signs out or changes the password in between.
    if purpose == "confirm":
        material = f"{user.email}|confirmed={user.email_confirmed}"
    else:
        material = f"{user.email}|{user.password_hash or ''}|{user.session_token}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def make_token(secret_key: str, user: User, purpose: str) -> str:
    assert purpose in TOKEN_PURPOSES
    return _serializer(secret_key, purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


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
    if user is None or not user.active or data.get("f") != _fingerprint(user, purpose):
        raise InvalidToken(_l("This link has already been used or is no longer valid."))
    return user


def set_password_with_token(
    session: Session, secret_key: str, token: str, purpose: str, max_age: int, password: str
) -> User:
    user = user_for_token(session, secret_key, token, purpose, max_age)
    set_password(user, password)
    user.email_confirmed = True  # the link was opened from the mailbox
    # Whoever knew the old password is signed out everywhere.
    sessions.end_all(session, user, user, reason=EndReason.PASSWORD)
    return user


def confirm_email(session: Session, secret_key: str, token: str, max_age: int) -> User:
    """Confirm the address a confirmation link was sent to. The link works once."""
    user = user_for_token(session, secret_key, token, "confirm", max_age)
    user.email_confirmed = True
    session.flush()
    return user


# Mail about accounts, through the outbox -------------------------------------------------------

NOTICE_PAUSED = "paused"
# What a client asks for; NOTICE_PAUSED rows are the app's own and not limited.
REQUEST_KINDS = ("reset", "register", "confirm")
REFUSED = "refused:"  # prefix of the kind of a request that was not answered


def _link(endpoint: str, **values) -> str:
    return notifications.external_link(notifications.app_path(endpoint, **values))


def _queue(session: Session, user: User, template: str, subject, **context) -> None:
    notifications.queue_email(
        session, user, *notifications.render_email(user, template, subject, **context)
    )


def _token_link(user: User, purpose: str, endpoint: str) -> str:
    return _link(endpoint, token=make_token(current_app.config["SECRET_KEY"], user, purpose))


def queue_invitation(session: Session, user: User, inviter: User) -> None:
    """Queue the email with the link to choose a password; sent once the caller commits."""
    _queue(
        session,
        user,
        "invite",
        _l("You are invited to FundTracker"),
        link=_token_link(user, "invite", "auth.accept_invite"),
        days=current_app.config["INVITE_MAX_AGE"] // 86400,
        inviter=inviter.name,
    )
    session.flush()


def _password_reset_email(user: User) -> tuple[str, str, str]:
    return notifications.render_email(
        user,
        "reset_password",
        _l("Reset your FundTracker password"),
        link=_token_link(user, "reset", "auth.reset_password"),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )


def queue_password_reset(session: Session, user: User) -> None:
    notifications.queue_email(session, user, *_password_reset_email(user))
    session.flush()


def queue_confirmation(session: Session, user: User) -> None:
    _queue(
        session,
        user,
        "confirm_email",
        _l("Confirm your email address for FundTracker"),
        link=_token_link(user, "confirm", "auth.confirm_email"),
        days=max(1, current_app.config["CONFIRM_EMAIL_MAX_AGE"] // 86400),
        keep_days=current_app.config["UNCONFIRMED_ACCOUNT_DAYS"],
    )
    session.flush()


def queue_registration_attempt(session: Session, user: User) -> None:
    """Someone registered with the address of an existing account: tell its owner rather than
    the visitor, who is answered as for a new address."""
    _queue(
        session,
        user,
        "registration_attempt",
        _l("Someone tried to register with your email address"),
        login_link=_link("auth.login"),
        forgot_link=_link("auth.forgot_password"),
    )
    session.flush()


@dataclass(frozen=True)
class MailLimits:
    window: timedelta
    per_email: int
    per_address: int

    @classmethod
    def from_config(cls, config) -> MailLimits:
        return cls(
            window=timedelta(seconds=config["ACCOUNT_MAIL_WINDOW_SECONDS"]),
            per_email=config["ACCOUNT_MAIL_MAX_PER_EMAIL"],
            per_address=config["ACCOUNT_MAIL_MAX_PER_ADDRESS"],
        )


class TooManyRequests(DomainError):
    """Too many password resets, registrations or confirmation links asked for."""


def begin_mail_request(
    session: Session, kind: str, email: str, address: str, now: datetime | None = None
) -> AccountMailRequest:
    """Record a request that sends account mail before judging it (check_mail_limits). As with
    logins, the caller commits it at once so that parallel requests count each other."""
    assert kind in REQUEST_KINDS
    request = AccountMailRequest(
        kind=kind,
        email=User.normalise_email(email)[:254],
        address=normalise_address(address),
        created_at=now or utcnow(),
    )
    session.add(request)
    session.flush()
    return request


def check_mail_limits(session: Session, request_id: int, limits: MailLimits) -> None:
    """Raise TooManyRequests when the committed request `request_id` is over a limit: the
    answered requests of the window for its email or from its address, this one included."""
    request = session.get(AccountMailRequest, request_id)
    counted = (
        AccountMailRequest.kind.in_(REQUEST_KINDS),
        AccountMailRequest.created_at >= request.created_at - limits.window,
    )
    by_email = select(func.count(AccountMailRequest.id)).where(
        *counted, AccountMailRequest.email == request.email
    )
    by_address = select(func.count(AccountMailRequest.id)).where(
        *counted, AccountMailRequest.address == request.address
    )
    if (
        session.scalar(by_email) > limits.per_email
        or session.scalar(by_address) > limits.per_address
    ):
        raise TooManyRequests(
            _l(
                "Too many requests. Please wait %(minutes)d minutes and try again.",
                minutes=_minutes(limits.window),
            )
        )


def refuse_mail_request(session: Session, request_id: int) -> None:
    """The request was refused (a limit, or its form was wrong): it sent nothing and no longer
    counts, so nobody's refused requests use up the owner's allowance."""
    request = session.get(AccountMailRequest, request_id)
    if request is not None and not request.kind.startswith(REFUSED):
        request.kind = REFUSED + request.kind
    session.flush()


def request_password_reset(session: Session, email: str) -> None:
    """Queue a reset link when `email` is an active account's; nothing otherwise. The caller
    answers the same either way, and nothing here waits on the mail server."""
    user = user_for_reset(session, email)
    if user is not None:
        queue_password_reset(session, user)
    else:
        # The email an account would get, made and thrown away, so that both answers take
        # about as long (as _DUMMY_HASH does for logins); only the outbox row is missing.
        _password_reset_email(User(id=0, email=User.normalise_email(email), name="", locale="en"))


def resend_confirmation(session: Session, email: str) -> None:
    """Queue a new confirmation link when `email` is an active account still unconfirmed."""
    user = user_for_reset(session, email)
    if user is not None and not user.email_confirmed:
        queue_confirmation(session, user)


# Rows no limit looks back to any more: the failed logins and the account-mail requests. Each
# successful login is kept, for it makes its address one the account has signed in from.
RECORDS_KEPT = timedelta(days=7)


def forget_old_requests(session: Session, now: datetime) -> None:
    config = current_app.config
    keep = max(
        RECORDS_KEPT,
        *(
            timedelta(seconds=config[key])
            for key in (
                "LOGIN_WINDOW_SECONDS",
                "LOGIN_ACCOUNT_WINDOW_SECONDS",
                "ACCOUNT_MAIL_WINDOW_SECONDS",
            )
        ),
    )
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.succeeded.is_(False), LoginAttempt.created_at < now - keep
        )
    )
    session.execute(delete(AccountMailRequest).where(AccountMailRequest.created_at < now - keep))
    session.flush()
