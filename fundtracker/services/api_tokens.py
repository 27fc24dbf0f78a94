"""Personal access tokens (issue #20): made and revoked by their user; a token acts as its user
within its scopes, and its scopes are bounded by what the user's role can do. The token is
returned once, at creation; only its hash is kept.

Each API request counts against its token's rate limit (`count_use`): one atomic conditional
UPDATE of the token's row per request, a fixed window of a minute, so that the limit holds across
every worker and server sharing the database."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.core.time import start_of, today
from fundtracker.models import User, utcnow
from fundtracker.models.api_tokens import (
    SCOPE_READ,
    SCOPE_WRITE_PAYMENTS,
    SCOPE_WRITE_UPDATES,
    SCOPES,
    ApiToken,
    hash_token,
    new_token,
)
from fundtracker.models.base import UTCDateTime
from fundtracker.services import audit
from fundtracker.services.errors import DomainError, NotAllowed

MAX_DAYS = 366
DEFAULT_DAYS = 90
# The rate limit's window: requests are counted per token and per minute.
WINDOW = timedelta(minutes=1)


def scopes_for(user: User) -> tuple[str, ...]:
    """The scopes a token of `user` may have: no more than the user's role can ever do. Every
    user may read (what they may see); grantees send milestone updates (permissions.can_report_on
    is for grantees only); the fund's staff record payments (can_manage_payments)."""
    if not permissions.is_signed_in(user):
        return ()
    scopes = [SCOPE_READ]
    if permissions.is_grantee(user):
        scopes.append(SCOPE_WRITE_UPDATES)
    if permissions.is_staff(user):
        scopes.append(SCOPE_WRITE_PAYMENTS)
    return tuple(scopes)


def default_expiry() -> date:
    return today() + timedelta(days=DEFAULT_DAYS)


def last_expiry() -> date:
    """The latest expiry date a new token may have."""
    return today() + timedelta(days=MAX_DAYS)


def create(
    session: Session, actor: User, *, name: str, scopes: list[str], expires_on: date
) -> tuple[ApiToken, str]:
    """Make a token for `actor`; returns the row and the token (shown once, never stored)."""
    if not permissions.is_signed_in(actor):
        raise NotAllowed(_l("You may not create API tokens."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the token a name."), field="name")
    chosen = set(scopes)
    if not chosen:
        raise DomainError(_l("Choose at least one permission."), field="scopes")
    if chosen - set(scopes_for(actor)):
        raise DomainError(_l("Your account cannot give a token that permission."), field="scopes")
    wanted = [s for s in SCOPES if s in chosen]
    now_day = today()
    if expires_on is None or expires_on <= now_day or expires_on > last_expiry():
        raise DomainError(
            _l("Choose an expiry date within a year from tomorrow."), field="expires_on"
        )
    raw = new_token()
    # The token works until the end of its last day in the fund's time zone.
    expires_at = start_of(expires_on + timedelta(days=1))
    token = ApiToken(
        user=actor,
        name=name[:100],
        token_hash=hash_token(raw),
        hint=raw[:10],
        scopes=" ".join(wanted),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token.created", target=token, details={"scopes": wanted})
    return token, raw


def by_token(session: Session, raw: str) -> ApiToken | None:
    """The token in force that `raw` is, with its active user; None otherwise."""
    if not raw:
        return None
    token = session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(raw))
    )
    if token is None or not token.in_force(utcnow()) or not token.user.active:
        return None
    return token


def tokens_of(user: User):
    """The user's tokens, newest first (a SELECT, for db.paginate): revoked and expired ones
    too, so that the user sees what happened to each."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


class State(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def state(token: ApiToken, now: datetime | None = None) -> State:
    if token.revoked_at is not None:
        return State.REVOKED
    if token.expires_at <= (now or utcnow()):
        return State.EXPIRED
    return State.ACTIVE


def revoke(session: Session, actor: User, token: ApiToken, *, reason: str = "") -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    token.revoked_by_id = actor.id if actor is not None else None
    session.flush()
    details = {"reason": reason} if reason else None
    audit.record(session, actor, "api_token.revoked", target=token, details=details)


def revoke_all(session: Session, actor: User | None, user: User, *, reason: str = "account") -> int:
    """Revoke every token of `user` still in force (the account was deactivated, or what it may
    see changed: its role or organisation). Returns how many."""
    now = utcnow()
    tokens = session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    ).all()
    for token in tokens:
        revoke(session, actor, token, reason=reason)
    return len(tokens)


# The rate limit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """What counting one request found: `known` False for no token in force (401); otherwise
    `retry_after` > 0 seconds when the token is over its limit (429)."""

    known: bool
    retry_after: int = 0

    @property
    def allowed(self) -> bool:
        return self.known and self.retry_after == 0


def _in_force(token_hash: str, now: datetime):
    return (
        ApiToken.token_hash == token_hash,
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now,
        ApiToken.user_id.in_(select(User.id).where(User.active.is_(True))),
    )


def count_use(
    session: Session, raw: str, *, limit: int, address: str = "", now: datetime | None = None
) -> Count:
    """Count one request of the token `raw` and note its last use, if it is in force and under
    `limit` requests in the current minute. One conditional UPDATE does both, atomically (no
    other request can slip between a read of the count and its write, on any worker): the
    window starts again when a minute has passed since it began. Flushes; the caller commits."""
    if not raw:
        return Count(known=False)
    now = now or utcnow()
    token_hash = hash_token(raw)
    at_now = literal(now, UTCDateTime())
    window_over = or_(ApiToken.window_start.is_(None), ApiToken.window_start <= now - WINDOW)
    counted = session.execute(
        update(ApiToken)
        .where(*_in_force(token_hash, now), or_(window_over, ApiToken.window_count < limit))
        .values(
            window_start=case((window_over, at_now), else_=ApiToken.window_start),
            window_count=case((window_over, 1), else_=ApiToken.window_count + 1),
            last_used_at=at_now,
            last_used_address=(address or "")[:64],
        )
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount:
        return Count(known=True)
    started = session.execute(
        select(ApiToken.window_start).where(*_in_force(token_hash, now))
    ).first()
    if started is None:
        return Count(known=False)
    begun = started.window_start or now
    return Count(known=True, retry_after=max(1, math.ceil((begun + WINDOW - now).total_seconds())))
