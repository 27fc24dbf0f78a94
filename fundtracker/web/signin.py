"""Signing a user in and out of this browser. Placeholder: the sessions change fills it in."""

from __future__ import annotations

from flask_login import login_user, logout_user


def sign_in(user, remember: bool = False) -> None:
    login_user(user, remember=remember)


def sign_out() -> None:
    logout_user()
