"""Flask-Login wiring: sessions hold the user's rotating session token, not the id."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from fundtracker.core.extensions import db
from fundtracker.models import DataVersion, User

# Built once: it runs on every request.
_USER_BY_TOKEN = (
    select(User, DataVersion.version)
    .outerjoin(DataVersion, DataVersion.id == 1)
    .where(User.session_token == bindparam("token"), User.active.is_(True))
)


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
        row = db.session.execute(_USER_BY_TOKEN, {"token": token}).first()
        if row is None:
            return None
        g.fundtracker_data_version = row.version
        return row.User
