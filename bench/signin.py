"""A signed-in session for the benchmarks' clients, made the way a sign-in makes one."""

from __future__ import annotations

from fundtracker.core.extensions import db
from fundtracker.services import sessions


def session_token(user) -> str:
    """A new server-side session of `user`, committed; its token goes in the cookie."""
    _, token = sessions.start(db.session, user, address="", user_agent="bench", remember=False)
    db.session.commit()
    return token
