"""Flask-Login wiring: a browser holds a sign-in session's token (models.sessions), not the
user's id; every request finds the user by it, so a session ended anywhere is over here too."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from flask import Flask, current_app, g
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from fundtracker.core import db_events
from fundtracker.core.extensions import db
from fundtracker.models import DataVersion, User, utcnow
from fundtracker.models.sessions import TOUCH_EVERY, SessionLimits, UserSession, hash_token

log = logging.getLogger(__name__)

# Built once: it runs on every request. The user, their session and the data version in one
# statement (one round trip, and all three from one snapshot).
_USER_BY_TOKEN = (
    select(User, UserSession.id, UserSession.last_used_at, DataVersion.version)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(DataVersion, DataVersion.id == 1)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.in_force(bindparam("used_since"), bindparam("started_since")),
        User.active.is_(True),
    )
)

# g's name for the session this request was signed in with (fundtracker.web.signin reads it).
SESSION_SEEN = "fundtracker_session_seen"


class SeenSession(NamedTuple):
    id: int
    last_used_at: datetime


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(token: str):
        # The data version comes in the same statement (one round trip fewer for a cached page,
        # and the user and the version from one snapshot); fundtracker.core.page_cache uses it.
        if not isinstance(token, str) or not token:
            return None
        used_since, started_since = SessionLimits.from_config(current_app.config).cutoffs(utcnow())
        row = db.session.execute(
            _USER_BY_TOKEN,
            {
                "token_hash": hash_token(token),
                "used_since": used_since,
                "started_since": started_since,
            },
        ).first()
        if row is None:
            return None
        g.fundtracker_data_version = row.version
        g.setdefault(SESSION_SEEN, SeenSession(row.id, row.last_used_at))
        user = row.User
        user.session_key = token
        return user

    @app.after_request
    def _note_use(response):
        """Write the session's last use, at most once per TOUCH_EVERY: after the view, in a
        transaction of its own (what the view left uncommitted is dropped, as at teardown)."""
        seen = g.pop(SESSION_SEEN, None)
        now = utcnow()
        if seen is None or now - seen.last_used_at < TOUCH_EVERY:
            return response
        db.session.rollback()
        # A GET's transactions take no write lock on SQLite (core/db_events.py): this one must.
        with db_events.writing():
            try:
                db.session.execute(
                    update(UserSession)
                    .where(UserSession.id == seen.id, UserSession.ended_at.is_(None))
                    .values(last_used_at=now)
                )
                db.session.commit()
            except SQLAlchemyError:  # a busy database: the next request notes it
                db.session.rollback()
                log.warning("could not note the use of session %s", seen.id, exc_info=True)
        return response
