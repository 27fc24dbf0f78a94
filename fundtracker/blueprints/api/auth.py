"""Who is calling the API: a personal access token in `Authorization: Bearer <token>`, never the
browser's session cookie (so that no page can make a signed-in browser call the API: the API
needs no CSRF token). A token acts as its user, with no more than its scopes."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import abort

from fundtracker.core.extensions import db, login_manager
from fundtracker.models.api_tokens import ApiToken
from fundtracker.services import api_tokens

TOKEN_KEY = "fundtracker_api_token"  # noqa: S105 - a g key, not a secret


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def authenticate() -> None:
    """before_request of every API blueprint: 401 without a token in force."""
    token = api_tokens.by_token(db.session, _bearer())
    if token is None:
        abort(
            401,
            message="A valid personal access token is required (Authorization: Bearer ...).",
            headers={"WWW-Authenticate": 'Bearer realm="FundTracker API"'},
        )
    g.setdefault(TOKEN_KEY, token)
    # current_user is the token's user for this request; the session cookie is not read.
    login_manager._update_request_context_with_user(token.user)


def current_token() -> ApiToken | None:
    return g.get(TOKEN_KEY)


def has_scope(scope: str) -> bool:
    token = current_token()
    return token is not None and scope in token.scope_list


def require_scope(scope: str) -> None:
    """403 unless this request's token has `scope` (the user's own rights are checked apart)."""
    if not has_scope(scope):
        abort(403, message=f"This token lacks the '{scope}' scope.")


def page_size_limit() -> int:
    return int(current_app.config.get("API_MAX_PAGE_SIZE", 100))
