"""Personal access tokens (issue #20): made and revoked by their user; a token acts as its user
within its scopes. The token is returned once, at creation; only its hash is kept."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import start_of, today
from fundtracker.models import User, utcnow
from fundtracker.models.api_tokens import SCOPES, ApiToken, hash_token, new_token
from fundtracker.services import audit
from fundtracker.services.errors import DomainError

MAX_DAYS = 366


def create(
    session: Session, actor: User, *, name: str, scopes: list[str], expires_on: date
) -> tuple[ApiToken, str]:
    """Make a token for `actor`; returns the row and the token (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the token a name."), field="name")
    wanted = [s for s in SCOPES if s in set(scopes)]
    if not wanted:
        raise DomainError(_l("Choose at least one permission."), field="scopes")
    now_day = today()
    if expires_on <= now_day or expires_on > now_day + timedelta(days=MAX_DAYS):
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
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or not token.in_force(utcnow()) or not token.user.active:
        return None
    return token


def revoke(session: Session, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    token.revoked_by_id = actor.id
    session.flush()
    audit.record(session, actor, "api_token.revoked", target=token)
