"""Signing a user in and out of this browser: every place that does goes through here.

A sign-in is a row of `user_sessions` (services.sessions.start) whose random token the browser
keeps: Flask-Login stores it as the user's id in the session cookie, and in the remember cookie
with "keep me signed in". fundtracker.core.login finds the user by it on every request.

Both functions commit: the row a cookie names must be in the database before the browser gets the
cookie (and a browser signed out must find its session over in every worker). Call them last in a
view, inside its `attempt` or after it.
"""

from __future__ import annotations

from flask import g, request, session
from flask_login import login_user, logout_user

from fundtracker.core.extensions import db
from fundtracker.core.login import SESSION_SEEN
from fundtracker.models.sessions import EndReason
from fundtracker.services import sessions
from fundtracker.web.audit import client_address

# Where Flask-Login keeps the user's id: for us, the session's token.
_USER_ID = "_user_id"


def _end_browser_session(reason: str) -> None:
    """End the session this browser holds, if any (ended already, or another's: nothing)."""
    token = session.get(_USER_ID)
    row = sessions.by_token(db.session, token) if isinstance(token, str) else None
    if row is not None and row.ended_at is None:
        sessions.end_one(db.session, row.user, row, reason=reason)


def sign_in(user, remember: bool = False) -> None:
    """Start a new session of `user` in this browser (a session it held before ends: a sign-in
    always gets a new token) and commit it."""
    _end_browser_session(EndReason.REPLACED)
    row, token = sessions.start(
        db.session,
        user,
        address=client_address(),
        user_agent=request.headers.get("User-Agent", ""),
        remember=remember,
    )
    db.session.commit()
    g.pop(SESSION_SEEN, None)
    user.session_key = token
    login_user(user, remember=remember)
    g.fundtracker_session_id = row.id


def sign_out() -> None:
    """End this browser's session (in every worker, at its next request) and forget it here."""
    _end_browser_session(EndReason.SIGNED_OUT)
    db.session.commit()
    g.pop(SESSION_SEEN, None)
    logout_user()


def current_session_id() -> int | None:
    """The id of the session this request was signed in with, if any."""
    seen = g.get(SESSION_SEEN)
    if seen is not None:
        return seen.id
    return g.get("fundtracker_session_id")
