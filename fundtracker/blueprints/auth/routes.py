from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from fundtracker.blueprints.auth import bp
from fundtracker.blueprints.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from fundtracker.core.extensions import db
from fundtracker.core.mail import send_templated
from fundtracker.services import accounts
from fundtracker.services.errors import InvalidToken, LoginThrottled
from fundtracker.web import PostOnlyForm, attempt, next_url


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(next_url())
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        with attempt():  # counted before it is judged: a failure below keeps it as failed
            login_attempt = accounts.begin_attempt(
                db.session, form.email.data, request.remote_addr or "unknown"
            )
        with attempt() as outcome:
            user = accounts.authenticate(
                db.session,
                login_attempt,
                form.password.data,
                accounts.LoginLimits.from_config(current_app.config),
            )
            login_user(user, remember=form.remember.data)
        if outcome.ok:
            return redirect(next_url())
        status = 429 if isinstance(outcome.error, LoginThrottled) else 401
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if PostOnlyForm().validate_on_submit():
        with attempt():
            accounts.end_sessions(db.session, current_user)
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with attempt(form) as outcome:
            accounts.change_password(
                db.session, user, form.current_password.data, form.password.data
            )
        if outcome.ok:
            login_user(user)  # the session token rotated; keep this session signed in
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.user_for_reset(db.session, form.email.data)
        if user is not None:
            token = accounts.make_token(current_app.config["SECRET_KEY"], user, "reset")
            try:
                send_templated(
                    user.email,
                    user.locale,
                    "reset_password",
                    _l("Reset your FundTracker password"),
                    user=user,
                    link=_external("auth.reset_password", token=token),
                    hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
                )
            except OSError:
                # The answer must not differ for known addresses; the failure goes to the log.
                current_app.logger.exception("Could not send a password reset email")
        # The same answer whether or not the address is known.
        flash(
            _(
                "If this address belongs to an account, a link to reset the password has been "
                "sent to it."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _external(endpoint: str, **values) -> str:
    return current_app.config["EXTERNAL_URL"].rstrip("/") + url_for(endpoint, **values)


def _set_password_view(token: str, purpose: str, max_age_key: str, template: str):
    config = current_app.config
    args = (db.session, config["SECRET_KEY"], token, purpose, config[max_age_key])
    try:
        user = accounts.user_for_token(*args)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.forgot_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            accounts.set_password_with_token(*args, form.password.data)
        if outcome.ok:
            logout_user()
            flash(_("Your password has been saved. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, user=user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_view(token, "reset", "PASSWORD_RESET_MAX_AGE", "auth/reset_password.html")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    return _set_password_view(token, "invite", "INVITE_MAX_AGE", "auth/accept_invite.html")
