"""Admin pages: a user's sign-in sessions, and ending them all (issue #19)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.account.listing import session_rows
from fundtracker.blueprints.admin import bp
from fundtracker.core.extensions import db
from fundtracker.models import User
from fundtracker.services import sessions
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires
from fundtracker.web.signin import current_session_id


@bp.get("/users/<int:user_id>/sessions")
@requires(permissions.is_signed_in)
def user_sessions(user_id: int):
    user = load_or_404(User, user_id, permissions.can_edit_user)
    return render_template(
        "admin/user_sessions.html",
        user=user,
        sessions=session_rows(sessions.active_sessions(db.session, user), current_session_id()),
        action_form=PostOnlyForm(),
    )


@bp.post("/users/<int:user_id>/sessions/end")
@requires(permissions.is_signed_in)
def user_sessions_end(user_id: int):
    user = load_or_404(User, user_id, permissions.can_edit_user)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            count = sessions.end_by_admin(db.session, current_user, user)
        if outcome.ok:
            flash(
                ngettext(
                    "%(num)d session of %(name)s has been signed out.",
                    "%(num)d sessions of %(name)s have been signed out.",
                    count,
                    name=user.name,
                ),
                "success",
            )
    return redirect(url_for(".user_sessions", user_id=user.id))
