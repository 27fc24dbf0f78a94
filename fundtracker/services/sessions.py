"""Sign-in sessions (models.sessions): starting one, listing a user's, and ending them.

Who ends what:
- a user signs out in a browser (that session), or ends any of their own sessions, or all but the
  one they are using, from "Your sessions";
- an admin ends every session of an account;
- setting or resetting the password ends every session of the account (the view signs the
  browser that changed it in again), as do deactivation and a change of what the account may see.

Each ending is written to the audit log as "session.ended", with who ended it ("self", "admin" or
"system"), how many ("one", "others" or "all") and why.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import User, utcnow
from fundtracker.models.sessions import (
    EndReason,
    SessionLimits,
    UserSession,
    hash_token,
    new_token,
)
from fundtracker.models.user import new_session_token
from fundtracker.services import audit
from fundtracker.services.errors import NotAllowed

# The most sessions listed for one user: more would be a robot's doing, not a person's browsers.
MAX_LISTED = 100
# Ended (or run out) sessions are kept this long, then forgotten by the daily clean-up.
KEPT_AFTER_END = timedelta(days=90)


def limits() -> SessionLimits:
    return SessionLimits.from_config(current_app.config)


# The user agent ------------------------------------------------------------------------------

# First match wins: most browsers also name the ones they are built on ("Chrome/... Safari/...").
_BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"\bYaBrowser/"), "Yandex Browser"),
    (re.compile(r"\b(?:OPR|Opera)/"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\b(?:Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\b(?:Chrome|CriOS|Chromium)/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
)
_PLATFORMS = (
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
)


def read_user_agent(user_agent: str) -> tuple[str, str]:
    """(browser, platform) named by a User-Agent header, e.g. ("Firefox", "Windows"); each ""
    when not recognised. A label for people, not a fact: the header is the client's say-so."""
    text = user_agent[:1000]
    browser = next((name for pattern, name in _BROWSERS if pattern.search(text)), "")
    platform = next((name for pattern, name in _PLATFORMS if pattern.search(text)), "")
    return browser, platform


# Starting and finding ------------------------------------------------------------------------


def start(
    session: Session,
    user: User,
    *,
    address: str,
    user_agent: str,
    remember: bool,
    now: datetime | None = None,
) -> tuple[UserSession, str]:
    """A new session of `user`, flushed; returns it and its token (which only the browser
    keeps)."""
    now = now or utcnow()
    token = new_token()
    browser, platform = read_user_agent(user_agent or "")
    row = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_used_at=now,
        address=(address or "")[:64],
        user_agent=(user_agent or "")[:400],
        browser=browser,
        platform=platform,
        remember=remember,
    )
    session.add(row)
    session.flush()
    return row, token


def by_token(session: Session, token: str) -> UserSession | None:
    """The session a browser's token names, ended or not."""
    return session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))


def active_sessions(session: Session, user: User, now: datetime | None = None) -> list[UserSession]:
    """The user's sessions in force, the most recently used first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.in_force(*limits().cutoffs(now)))
            .order_by(UserSession.last_used_at.desc(), UserSession.id.desc())
            .limit(MAX_LISTED)
        )
    )


# Ending --------------------------------------------------------------------------------------


def _by(actor: User | None, user: User) -> str:
    if actor is None:
        return "system"
    return "self" if actor.id == user.id else "admin"


def _end(rows: list[UserSession], actor: User | None, reason: str, now: datetime) -> None:
    for row in rows:
        row.ended_at = now
        row.ended_by_id = actor.id if actor is not None else None
        row.end_reason = reason


def _record(
    session: Session, actor: User | None, user: User, scope: str, reason: str, ids: list[int]
) -> None:
    audit.record(
        session,
        actor,
        "session.ended",
        target=user,
        details={"by": _by(actor, user), "scope": scope, "reason": reason, "sessions": ids},
    )


def end_one(
    session: Session,
    actor: User | None,
    user_session: UserSession,
    *,
    reason: str = EndReason.ENDED,
    now: datetime | None = None,
) -> None:
    """End one session: `actor` is its user (or None, the system). Ending one already over
    does nothing."""
    if actor is not None and not permissions.can_end_session(actor, user_session):
        raise NotAllowed(_l("This is not one of your sessions."))
    if user_session.ended_at is not None:
        return
    _end([user_session], actor, reason, now or utcnow())
    _record(session, actor, user_session.user, "one", reason, [user_session.id])
    session.flush()


def _open_rows(session: Session, user: User, keep_id: int | None) -> list[UserSession]:
    stmt = select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(UserSession.id != keep_id)
    return list(session.scalars(stmt))


def end_all(
    session: Session,
    actor: User | None,
    user: User,
    *,
    reason: str,
    keep_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """End every session of `user` but the one `keep_id` names (when given); returns how many
    ended. `actor` is the user, an admin, or None (the system: a password reset, a deactivation).
    Without a session kept, the account's link stamp (User.session_token) turns too, so that
    links emailed before stop working."""
    rows = _open_rows(session, user, keep_id)
    _end(rows, actor, reason, now or utcnow())
    if keep_id is None:
        user.session_token = new_session_token()
    scope = "others" if keep_id is not None else "all"
    if rows:
        _record(session, actor, user, scope, reason, sorted(row.id for row in rows))
    session.flush()
    return len(rows)


def end_others(session: Session, user: User, current: UserSession) -> int:
    """ "Sign out all other sessions": every session of `user` but `current`, their own."""
    if not permissions.can_end_session(user, current):
        raise NotAllowed(_l("This is not one of your sessions."))
    return end_all(session, user, user, reason=EndReason.ENDED, keep_id=current.id)


def end_by_admin(session: Session, actor: User, user: User) -> int:
    """An admin ends every session of `user` (their own included, if they ask)."""
    if not permissions.can_edit_user(actor, user):
        raise NotAllowed(_l("You may not manage users."))
    return end_all(session, actor, user, reason=EndReason.ADMIN)


def forget_old(session: Session, now: datetime | None = None) -> int:
    """Delete the sessions over for longer than KEPT_AFTER_END (ended, idle or run out); the
    daily clean-up. Returns how many."""
    now = now or utcnow()
    used_since, started_since = limits().cutoffs(now - KEPT_AFTER_END)
    result = session.execute(
        delete(UserSession).where(
            or_(
                UserSession.ended_at < now - KEPT_AFTER_END,
                UserSession.last_used_at <= used_since,
                UserSession.created_at <= started_since,
            )
        )
    )
    session.flush()
    return result.rowcount or 0
