"""Admin pages: resetting a user's two-factor sign-in (issue #19), e.g. after a lost phone."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.admin import bp
from fundtracker.core.extensions import db
from fundtracker.models import User
from fundtracker.services import twofactor
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires
from fundtracker.web.audit import client_address
from fundtracker.web.reauth import reauth_response


@bp.post("/users/<int:user_id>/two-factor/reset")
@requires(permissions.is_signed_in)
def two_factor_reset(user_id: int):
    """Remove the user's authenticator app, recovery codes and passkeys; they are told, and
    the reset is in the audit log."""
    user = load_or_404(User, user_id, permissions.can_edit_user)
    if (asked := reauth_response(url_for(".user_edit", user_id=user.id))) is not None:
        return asked
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            twofactor.reset(db.session, current_user, user, address=client_address())
        if outcome.ok:
            flash(_("Two-factor sign-in has been reset for %(name)s.", name=user.name), "success")
    return redirect(url_for(".user_edit", user_id=user.id))
