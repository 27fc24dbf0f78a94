"""Re-authentication before sensitive actions (issue #19): the user proved their password or a
passkey in this browser within REAUTH_MAX_AGE_SECONDS (10 minutes), at sign-in or on the
"confirm it's you" page (auth.reauth); otherwise they are sent there and come back.

    @bp.post("/users/<int:user_id>/role")
    @requires(permissions.can_manage_users)
    @reauth
    def change_role(user_id): ...

or, in a view that loads and checks its object first, `if (r := reauth_response()): return r`.
A GET comes back to its own address; a POST to the page its form was on (its input is asked
for again); a JSON request gets 401 with {"redirect": ...}.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user

from fundtracker.web import is_safe_next

REAUTH_KEY = "reauth_at"


def proof(user, at: float | None = None) -> dict:
    """What the session keeps of `user`'s last proof (tests put it there themselves)."""
    return {"uid": user.id, "at": int(time.time() if at is None else at)}


def mark_reauthenticated(user) -> None:
    """`user` has just proved who they are (a sign-in, or the confirmation page)."""
    session[REAUTH_KEY] = proof(user)


def forget_reauthentication() -> None:
    session.pop(REAUTH_KEY, None)


def is_recent() -> bool:
    """Whether the signed-in user proved who they are recently (in this browser)."""
    proof = session.get(REAUTH_KEY)
    if not isinstance(proof, dict) or not current_user.is_authenticated:
        return False
    if proof.get("uid") != current_user.id or not isinstance(proof.get("at"), int):
        return False
    return 0 <= time.time() - proof["at"] <= current_app.config["REAUTH_MAX_AGE_SECONDS"]


def _return_path() -> str:
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = request.referrer
    if referrer and referrer.startswith(request.host_url):
        parts = urlsplit(referrer)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if is_safe_next(path):
            return path
    return url_for("main.index")


def reauth_response(next_path: str | None = None):
    """None when the last proof is recent; else the response that asks for one."""
    if is_recent():
        return None
    target = url_for("auth.reauth", next=next_path or _return_path())
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(redirect=target), 401
    return redirect(target)


def reauth(view):
    """The view runs only after a recent proof (see the module's docstring). Put it below the
    role check (`requires`), so that a user who may not use the route is told so first."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = reauth_response()
        if response is not None:
            return response
        return view(*args, **kwargs)

    return wrapped
