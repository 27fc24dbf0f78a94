from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundtracker.blueprints.auth import bp
from fundtracker.blueprints.auth.forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    ResendConfirmationForm,
    SetPasswordForm,
)
from fundtracker.blueprints.auth.limits import limited_mail_request
from fundtracker.blueprints.auth.two_factor import PENDING_KEY, start_second_step
from fundtracker.core.extensions import db
from fundtracker.models import User
from fundtracker.services import accounts, twofactor
from fundtracker.services.errors import InvalidToken, LoginThrottled
from fundtracker.web import PostOnlyForm, attempt, next_url
from fundtracker.web import audit as web_audit
from fundtracker.web.audit import client_address
from fundtracker.web.reauth import forget_reauthentication, mark_reauthenticated
from fundtracker.web.signin import sign_in, sign_out

# The address a registration or a request for a new confirmation link was made for, to show on
# the "check your email" page: the same for an address with an account as for a new one.
CONFIRM_EMAIL_KEY = "confirm_email"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(next_url())
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        limits = accounts.LoginLimits.from_config(current_app.config)
        with attempt():  # counted before it is judged: a failure below keeps it as failed
            login_attempt = accounts.begin_attempt(db.session, form.email.data, client_address())
            attempt_id = login_attempt.id
        with attempt() as outcome:
            user = accounts.authenticate(db.session, login_attempt, form.password.data, limits)
            second_step = twofactor.has_second_factor(db.session, user)
            if second_step:  # not signed in until the second step passes
                twofactor.hold_attempt(login_attempt)
            else:
                web_audit.record_as(
                    user, "auth.signed_in", target=user, details={"method": "password"}
                )
                sign_in(user, remember=form.remember.data)
        if outcome.ok:
            if second_step:
                start_second_step(user, form.remember.data, attempt_id, form.next.data or "")
                return redirect(url_for(".two_factor_verify"))
            mark_reauthenticated(user)
            if not user.email_confirmed:
                return redirect(url_for(".check_email"))
            return redirect(next_url())
        throttled = isinstance(outcome.error, LoginThrottled)
        with attempt():  # the failure is kept although the sign-in failed
            if throttled:
                accounts.record_throttled(db.session, attempt_id, outcome.error, limits)
            web_audit.record_as(
                None,
                "auth.sign_in_failed",
                details={"reason": "throttled" if throttled else "password"},
            )
        status = 429 if throttled else 401
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if PostOnlyForm().validate_on_submit():
        sign_out()  # this browser's session only; "Your sessions" ends the others
        forget_reauthentication()
        session.pop(PENDING_KEY, None)
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
            sign_in(user)  # the session token rotated; keep this session signed in
            mark_reauthenticated(user)
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    status = 200
    if form.validate_on_submit():
        # The same answer, and the same work up to a queued email, whether or not the address
        # is known; the email goes out from the outbox, never inside this request.
        outcome = limited_mail_request(
            "reset",
            form.email.data,
            lambda: accounts.request_password_reset(db.session, form.email.data),
        )
        if outcome.ok:
            flash(
                _(
                    "If this address belongs to an account, a link to reset the password has "
                    "been sent to it."
                ),
                "info",
            )
            return redirect(url_for("auth.login"))
        status = 429
    return render_template("auth/forgot_password.html", form=form), status


def show_check_email(email: str):
    """Where registration sends the visitor, with or without a new account: the answer and the
    page are the same for an address that has an account."""
    session[CONFIRM_EMAIL_KEY] = User.normalise_email(email)[:254]
    return redirect(url_for("auth.check_email"))


@bp.route("/confirm", methods=["GET", "POST"])
def check_email():
    """Check your email: the confirmation link was sent there; ask for it again here."""
    signed_in = current_user.is_authenticated
    if signed_in and current_user.email_confirmed:
        return redirect(url_for("main.index"))
    email = current_user.email if signed_in else session.get(CONFIRM_EMAIL_KEY, "")
    form = ResendConfirmationForm(email=email)
    status = 200
    if form.validate_on_submit():
        outcome = limited_mail_request(
            "confirm",
            form.email.data,
            lambda: accounts.resend_confirmation(db.session, form.email.data),
        )
        if outcome.ok:
            session[CONFIRM_EMAIL_KEY] = User.normalise_email(form.email.data)[:254]
            flash(
                _(
                    "If this address belongs to an account waiting for confirmation, a new link "
                    "has been sent to it."
                ),
                "info",
            )
            return redirect(url_for(".check_email"))
        status = 429
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/check_email.html",
        form=form,
        email=email,
        days=max(1, current_app.config["CONFIRM_EMAIL_MAX_AGE"] // 86400),
        keep_days=current_app.config["UNCONFIRMED_ACCOUNT_DAYS"],
        signed_in=signed_in,
    ), status


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The emailed link: a page with a button, so that a mail scanner opening the link does not
    use it up; the button confirms."""
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["CONFIRM_EMAIL_MAX_AGE"]
    try:
        user = accounts.user_for_token(db.session, secret, token, "confirm", max_age)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for(".check_email"))
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            accounts.confirm_email(db.session, secret, token, max_age)
        if outcome.ok:
            if current_user.is_authenticated and current_user.id == user.id:
                flash(
                    _("Your email address is confirmed. You can draft applications now."),
                    "success",
                )
                return redirect(url_for("applications.calls"))
            flash(_("Your email address is confirmed. You can log in now."), "success")
            return redirect(url_for(".login"))
        return redirect(url_for(".check_email"))
    return render_template("auth/confirm_email.html", form=form, user=user)


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
            sign_out()
            flash(_("Your password has been saved. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, user=user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_view(token, "reset", "PASSWORD_RESET_MAX_AGE", "auth/reset_password.html")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    return _set_password_view(token, "invite", "INVITE_MAX_AGE", "auth/accept_invite.html")
