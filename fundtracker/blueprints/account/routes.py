"""The signed-in user's own account pages: "Your sessions"."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.account import bp
from fundtracker.blueprints.account.listing import session_rows
from fundtracker.core.extensions import db
from fundtracker.models.sessions import UserSession
from fundtracker.services import sessions
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires
from fundtracker.web.signin import current_session_id, sign_out


@bp.get("/sessions")
@requires(permissions.is_signed_in)
def sessions_page():
    rows = sessions.active_sessions(db.session, current_user)
    return render_template(
        "account/sessions.html",
        sessions=session_rows(rows, current_session_id()),
        action_form=PostOnlyForm(),
    )


@bp.post("/sessions/<int:session_id>/end")
@requires(permissions.is_signed_in)
def end_session(session_id: int):
    row = load_or_404(UserSession, session_id, permissions.can_end_session)
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(url_for(".sessions_page"))
    if row.id == current_session_id():  # "Sign out" on this device's own row
        sign_out()
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    with attempt() as outcome:
        sessions.end_one(db.session, current_user, row)
    if outcome.ok:
        flash(_("That session has been signed out."), "success")
    return redirect(url_for(".sessions_page"))


@bp.post("/sessions/end-others")
@requires(permissions.is_signed_in)
def end_other_sessions():
    current = db.session.get(UserSession, current_session_id() or 0)
    if not PostOnlyForm().validate_on_submit() or current is None:
        flash(_("The form has expired: please try again."), "danger")
        return redirect(url_for(".sessions_page"))
    with attempt() as outcome:
        count = sessions.end_others(db.session, current_user, current)
    if outcome.ok:
        flash(
            ngettext(
                "%(num)d other session has been signed out.",
                "%(num)d other sessions have been signed out.",
                count,
            ),
            "success",
        )
    return redirect(url_for(".sessions_page"))
