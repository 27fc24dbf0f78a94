"""Who is calling the API: a personal access token in `Authorization: Bearer <token>`, never the
browser's session cookie (so that no page can make a signed-in browser call the API: the API
needs no CSRF token). A token acts as its user, with no more than its scopes.

Every request counts against its token's rate limit, API_RATE_LIMIT_PER_MINUTE (120 by default):
one conditional UPDATE of the token's row (services.api_tokens.count_use), committed on its own
before the view runs, so that the count holds across every worker; over the limit the answer is
429 with Retry-After. The same UPDATE notes the token's last use (time and address)."""

from __future__ import annotations

import logging

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy.exc import SQLAlchemyError

from fundtracker.core import db_events
from fundtracker.core.extensions import db, login_manager
from fundtracker.models.api_tokens import ApiToken
from fundtracker.services import api_tokens
from fundtracker.web.audit import client_address

TOKEN_KEY = "fundtracker_api_token"  # noqa: S105 - a g key, not a secret
DEFAULT_RATE_LIMIT = 120

log = logging.getLogger(__name__)


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _unauthorized():
    abort(
        401,
        message=_("A valid personal access token is required (Authorization: Bearer …)."),
        headers={"WWW-Authenticate": 'Bearer realm="FundTracker API"'},
    )


def rate_limit() -> int:
    return int(current_app.config.get("API_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT))


def _count_use(raw: str) -> api_tokens.Count:
    """Count this request in a transaction of its own, committed before the view begins its
    own: a GET's transactions take no write lock on SQLite (core/db_events.py), this one must;
    the view's transaction is then as it would be without a token check (a GET's reads only)."""
    db.session.commit()  # nothing of the request's own yet: ends any transaction begun so far
    with db_events.writing():
        try:
            count = api_tokens.count_use(
                db.session, raw, limit=rate_limit(), address=client_address()
            )
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("could not count a use of an API token", exc_info=True)
            raise
    return count


def authenticate() -> None:
    """before_request of every API blueprint: 401 without a token in force, 429 over the
    token's rate limit."""
    raw = _bearer()
    if not raw:
        _unauthorized()
    count = _count_use(raw)
    if not count.known:
        _unauthorized()
    if not count.allowed:
        abort(
            429,
            message=_(
                "This token made more than %(limit)d requests in a minute: "
                "try again in %(seconds)d seconds.",
                limit=rate_limit(),
                seconds=count.retry_after,
            ),
            headers={"Retry-After": str(count.retry_after)},
        )
    token = api_tokens.by_token(db.session, raw)
    if token is None:  # revoked or expired since it was counted
        _unauthorized()
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
        abort(403, message=_("This token lacks the “%(scope)s” permission.", scope=scope))


def page_size_limit() -> int:
    return int(current_app.config.get("API_MAX_PAGE_SIZE", 100))
