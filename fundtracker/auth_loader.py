"""Flask-Login wiring: sessions hold the user's rotating session token, not the id."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import select

from fundtracker.extensions import db
from fundtracker.models import User


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(token: str):
        return db.session.scalar(
            select(User).where(User.session_token == token, User.active.is_(True))
        )
