"""The audit log from views: the client's address, and events of reading (a download) that a
GET request writes and commits itself.

A GET otherwise never writes: on SQLite its transaction takes no write lock
(core/db_events.py), and a write in it could fail when another request wrote meanwhile. So
`record_read` ends the reading transaction first and writes the event in a transaction of its
own that takes the lock (BEGIN IMMEDIATE), then commits: one small commit, and the download is
logged before anything of the file leaves the server.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from fundtracker.core import db_events
from fundtracker.core.extensions import db
from fundtracker.services import audit


def client_address() -> str:
    """The client's address: the peer's, or the one the trusted proxies in front of the app
    give (ProxyFix with TRUSTED_PROXIES hops, set up by create_app). blueprints/auth/limits.py
    uses the same rule."""
    if not has_request_context():
        return ""
    return request.remote_addr or "unknown"


def note_address() -> None:
    """Before each request: its client address, for the events the services record."""
    g.audit_address_token = audit.request_address.set(client_address())


def forget_address(_error=None) -> None:
    token = g.pop("audit_address_token", None)
    if token is not None:
        try:
            audit.request_address.reset(token)
        except ValueError:  # torn down in another context than it was set in
            audit.request_address.set("")


def init_app(app) -> None:
    app.before_request(note_address)
    app.teardown_request(forget_address)


def acting_user():
    """The signed-in user, or None."""
    return current_user if current_user and current_user.is_authenticated else None


def record(action: str, *, target: Any = None, details: dict | None = None):
    """An event of the signed-in user from this request, in the current transaction (the view
    commits it with its action)."""
    return record_as(acting_user(), action, target=target, details=details)


def record_as(actor, action: str, *, target: Any = None, details: dict | None = None):
    """An event of `actor` (a user signing in is not signed in yet; None: nobody known) from
    this request, in the current transaction."""
    return audit.record(
        db.session, actor, action, target=target, details=details, address=client_address()
    )


def record_read(action: str, *, target: Any = None, details: dict | None = None) -> None:
    """Log a read (a download, an export) from a GET view and commit it at once, in a
    transaction of its own. Call it when the response is ready, just before returning it."""
    db.session.commit()  # ends the reading transaction; a GET has nothing of its own to save
    with db_events.writing():
        try:
            record(action, target=target, details=details)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
