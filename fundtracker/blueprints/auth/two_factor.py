"""Two-factor sign-in (issue #19): the second step of a sign-in, passkey sign-in, the settings
page (authenticator app, recovery codes, passkeys), "confirm it's you", and the rule that
accounts of some roles must enrol before they can use the app.

State kept in the (signed) Flask session, never the database:
- PENDING_KEY: a sign-in whose password was right and whose second step is to come: the user's
  id, when, "keep me signed in", the login attempt, the failures so far and where to go next.
  It lasts TWO_FACTOR_PENDING_SECONDS; TWO_FACTOR_MAX_FAILURES wrong codes end it.
- CHALLENGE_KEY: the last WebAuthn challenge handed out, what for, and when (5 minutes).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from fundtracker import permissions
from fundtracker.blueprints.auth import bp
from fundtracker.blueprints.auth.forms import (
    PasskeyForm,
    ReauthForm,
    SecondStepForm,
    TotpConfirmForm,
)
from fundtracker.core.extensions import db
from fundtracker.models import Passkey, User
from fundtracker.services import accounts, twofactor
from fundtracker.services.errors import LoginThrottled
from fundtracker.web import PostOnlyForm, attempt, is_safe_next, load_or_404, next_url
from fundtracker.web import audit as web_audit
from fundtracker.web.audit import client_address
from fundtracker.web.reauth import mark_reauthenticated, reauth, reauth_response
from fundtracker.web.signin import sign_in

PENDING_KEY = "signin_pending"
CHALLENGE_KEY = "webauthn_challenge"
CHALLENGE_SECONDS = 300

# What an account that must enrol may still reach before it has.
ENROLMENT_ENDPOINTS = frozenset(
    {
        "static",
        "bootstrap.static",
        "main.set_language",
        "main.healthz",
        "main.readyz",
        "auth.logout",
        "auth.two_factor",
        "auth.totp_start",
        "auth.totp_enrol",
        "auth.passkey_register_options",
        "auth.passkey_register",
        "auth.passkey_options",
        "auth.passkey_verify",
        "auth.reauth",
    }
)


# The relying party and challenges ---------------------------------------------------------------


def relying_party() -> twofactor.RelyingParty:
    """Passkeys belong to WEBAUTHN_RP_ID, else the host of EXTERNAL_URL; in development and
    tests (WEBAUTHN_FROM_REQUEST_HOST) the host the browser asked for, e.g. localhost."""
    config = current_app.config
    if config["WEBAUTHN_FROM_REQUEST_HOST"]:
        base = urlsplit(request.host_url)
    else:
        base = urlsplit(config["EXTERNAL_URL"])
    return twofactor.RelyingParty(
        id=config["WEBAUTHN_RP_ID"] or base.hostname or "localhost",
        name=config["WEBAUTHN_RP_NAME"],
        origin=f"{base.scheme}://{base.netloc}",
    )


def _keep_challenge(kind: str, challenge: bytes, mode: str = "", user_id: int | None = None):
    session[CHALLENGE_KEY] = {
        "kind": kind,
        "challenge": bytes_to_base64url(challenge),
        "mode": mode,
        "uid": user_id,
        "at": int(time.time()),
    }


def _take_challenge(kind: str) -> dict | None:
    """The challenge handed out for `kind`, used up; None when there is none or it expired."""
    stored = session.pop(CHALLENGE_KEY, None)
    if not isinstance(stored, dict) or stored.get("kind") != kind:
        return None
    if not 0 <= time.time() - stored.get("at", 0) <= CHALLENGE_SECONDS:
        return None
    stored["challenge"] = base64url_to_bytes(stored["challenge"])
    return stored


def _json_options(options: str) -> Response:
    return Response(options, mimetype="application/json")


def _credential() -> dict | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        return None
    return body


# The pending sign-in ----------------------------------------------------------------------------


def start_second_step(user: User, remember: bool, attempt_id: int, next_path: str) -> None:
    session[PENDING_KEY] = {
        "uid": user.id,
        "at": int(time.time()),
        "remember": bool(remember),
        "attempt": attempt_id,
        "fails": 0,
        "next": next_path if is_safe_next(next_path) else "",
    }


def _pending() -> tuple[dict, User] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    age = time.time() - pending.get("at", 0)
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active:
        session.pop(PENDING_KEY, None)
        return None
    return pending, user


def _after_sign_in(user: User, next_path: str = "") -> str:
    mark_reauthenticated(user)
    if not user.email_confirmed:
        return url_for("auth.check_email")
    return next_path if is_safe_next(next_path) else url_for("main.index")


def _sign_in_now(user: User, remember: bool, method: str, attempt_id: int | None = None) -> None:
    """Inside an `attempt`: the login attempt succeeded, the event is audited, the user is in."""
    twofactor.complete_attempt(db.session, attempt_id)
    web_audit.record_as(user, "auth.signed_in", target=user, details={"method": method})
    sign_in(user, remember=remember)


def _second_step_failed(pending: dict, user: User) -> bool:
    """Record a failed second step (committed on its own); True when it was the last allowed
    and the sign-in is over."""
    with attempt():
        twofactor.record_failure(db.session, user, "second_factor", client_address())
    pending["fails"] = pending.get("fails", 0) + 1
    if pending["fails"] >= current_app.config["TWO_FACTOR_MAX_FAILURES"]:
        session.pop(PENDING_KEY, None)
        flash(_("Too many wrong codes. Please log in again."), "danger")
        return True
    session[PENDING_KEY] = pending
    return False


@bp.route("/two-factor/verify", methods=["GET", "POST"])
def two_factor_verify():
    """The second step: a code from the app, a recovery code, or a passkey."""
    found = _pending()
    if found is None:
        flash(_("Your sign-in has expired or was not started. Please log in again."), "warning")
        return redirect(url_for(".login"))
    pending, user = found
    form = SecondStepForm()
    status = 200
    if form.validate_on_submit():
        with attempt(form) as outcome:
            kind = twofactor.check_code(db.session, user, form.code.data, address=client_address())
            _sign_in_now(user, pending["remember"], f"password+{kind}", pending.get("attempt"))
        if outcome.ok:
            session.pop(PENDING_KEY, None)
            if kind == "recovery":
                flash(
                    _(
                        "You signed in with a recovery code; it cannot be used again. "
                        "Make new codes if few are left."
                    ),
                    "warning",
                )
            return redirect(_after_sign_in(user, pending.get("next", "")))
        if _second_step_failed(pending, user):
            return redirect(url_for(".login"))
        status = 401
    factors = twofactor.status(db.session, user)
    return render_template(
        "auth/two_factor_verify.html",
        form=form,
        has_totp=factors.totp,
        has_passkey=bool(factors.passkeys),
    ), status


# Passkeys: signing in with one, and confirming it's you -----------------------------------------


@bp.post("/passkeys/options")
def passkey_options():
    """Options for navigator.credentials.get: confirming it's you (signed in), the second step
    of a sign-in (pending), or a sign-in with a passkey alone."""
    user, mode = None, "passwordless"
    if current_user.is_authenticated:
        user, mode = current_user._get_current_object(), "reauth"
    elif (found := _pending()) is not None:
        user, mode = found[1], "second"
    options, challenge = twofactor.authentication_options(db.session, user, relying_party())
    _keep_challenge("authenticate", challenge, mode, user.id if user else None)
    return _json_options(options)


def _passkey_refused(reason: str, user: User | None, message: str, status: int = 400):
    with attempt():
        twofactor.record_failure(db.session, user, reason, client_address())
    return jsonify(error=message), status


@bp.post("/passkeys/verify")
def passkey_verify():
    body = _credential()
    stored = _take_challenge("authenticate")
    refused = _("The passkey was not accepted. Please try again.")
    if body is None or stored is None:
        return jsonify(error=refused), 400
    next_path = body.get("next") if is_safe_next(body.get("next")) else ""
    mode, rp = stored["mode"], relying_party()
    if mode == "reauth":
        if not current_user.is_authenticated or current_user.id != stored["uid"]:
            return jsonify(error=refused), 400
        user = current_user._get_current_object()
        with attempt() as outcome:
            twofactor.check_passkey(db.session, body["credential"], stored["challenge"], rp, user)
            web_audit.record_as(
                user, "auth.reauthenticated", target=user, details={"method": "passkey"}
            )
        if not outcome.ok:
            return _passkey_refused("reauth_passkey", user, refused)
        mark_reauthenticated(user)
        return jsonify(redirect=next_path or url_for("main.index"))
    if mode == "second":
        found = _pending()
        if found is None or found[1].id != stored["uid"]:
            return jsonify(error=refused, redirect=url_for(".login")), 400
        pending, user = found
        with attempt() as outcome:
            twofactor.check_passkey(db.session, body["credential"], stored["challenge"], rp, user)
            _sign_in_now(user, pending["remember"], "password+passkey", pending.get("attempt"))
        if not outcome.ok:
            over = _second_step_failed(pending, user)
            return jsonify(error=refused, redirect=url_for(".login") if over else None), 400
        session.pop(PENDING_KEY, None)
        return jsonify(redirect=_after_sign_in(user, pending.get("next") or next_path))
    if current_user.is_authenticated:
        return jsonify(redirect=url_for("main.index"))
    with attempt() as outcome:
        user, _key = twofactor.check_passkey(
            db.session, body["credential"], stored["challenge"], rp
        )
        _sign_in_now(user, False, "passkey")
    if not outcome.ok:
        return _passkey_refused("passkey", None, refused)
    session.pop(PENDING_KEY, None)
    return jsonify(redirect=_after_sign_in(user, next_path))


@bp.route("/reauth", methods=["GET", "POST"], endpoint="reauth")
@login_required
def reauth_page():
    """Confirm it's you: the password, or a passkey (passkeys.js), then back to the action."""
    form = ReauthForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        limits = accounts.LoginLimits.from_config(current_app.config)
        with attempt():
            login_attempt = accounts.begin_attempt(db.session, user.email, client_address())
            attempt_id = login_attempt.id
        with attempt() as outcome:
            accounts.authenticate(db.session, login_attempt, form.password.data, limits)
            web_audit.record_as(
                user, "auth.reauthenticated", target=user, details={"method": "password"}
            )
        if outcome.ok:
            mark_reauthenticated(user)
            return redirect(next_url())
        with attempt():
            if isinstance(outcome.error, LoginThrottled):
                accounts.record_throttled(db.session, attempt_id, outcome.error, limits)
            web_audit.record_as(
                None, "auth.sign_in_failed", target=user, details={"reason": "reauth_password"}
            )
        status = 429 if isinstance(outcome.error, LoginThrottled) else 401
    has_passkey = bool(twofactor.status(db.session, current_user).passkeys)
    return render_template(
        "auth/reauth.html", form=form, has_passkey=has_passkey, next=form.next.data or ""
    ), status


# The settings page -----------------------------------------------------------------------------


def _must_enrol(user) -> bool:
    roles = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    return bool(roles) and twofactor.is_required(user, roles)


@bp.before_app_request
def _require_enrolment():
    """Accounts whose role requires a second factor reach only enrolment (and signing out,
    the language, static files) until they have one."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not _must_enrol(current_user) or twofactor.has_second_factor(db.session, current_user):
        return None
    if request.is_json:
        return jsonify(redirect=url_for("auth.two_factor")), 403
    return redirect(url_for("auth.two_factor"))


@bp.get("/two-factor")
@login_required
def two_factor():
    user = current_user._get_current_object()
    factors = twofactor.status(db.session, user)
    return render_template(
        "auth/two_factor.html",
        factors=factors,
        must_enrol=_must_enrol(user) and not factors.enrolled,
        passkey_form=PasskeyForm(),
        action_form=PostOnlyForm(),
    )


@bp.post("/two-factor/totp/start")
@login_required
@reauth
def totp_start():
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            twofactor.start_totp(db.session, current_user._get_current_object())
        if outcome.ok:
            return redirect(url_for(".totp_enrol"))
    return redirect(url_for(".two_factor"))


@bp.route("/two-factor/totp", methods=["GET", "POST"])
@login_required
def totp_enrol():
    """Scan the QR code (or type the secret), then confirm with a first code; the recovery
    codes are shown once, on the answer to that confirmation."""
    user = current_user._get_current_object()
    secret = twofactor.pending_secret(db.session, user)
    if secret is None:
        return redirect(url_for(".two_factor"))
    form = TotpConfirmForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            codes = twofactor.confirm_totp(
                db.session, user, form.code.data, address=client_address()
            )
        if outcome.ok:
            flash(_("Two-factor sign-in with an authenticator app is on."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    uri = twofactor.provisioning_uri(secret, user.email)
    return render_template(
        "auth/two_factor_totp.html",
        form=form,
        qr=Markup(twofactor.qr_svg(uri)),  # noqa: S704 - segno's SVG of our own URI
        secret=twofactor.grouped(secret),
    )


@bp.post("/two-factor/totp/remove")
@login_required
@reauth
def totp_remove():
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            twofactor.remove_totp(
                db.session, current_user._get_current_object(), address=client_address()
            )
        if outcome.ok:
            flash(_("The authenticator app and its recovery codes have been removed."), "success")
    return redirect(url_for(".two_factor"))


@bp.post("/two-factor/recovery-codes")
@login_required
@reauth
def recovery_codes():
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            codes = twofactor.regenerate_recovery_codes(
                db.session, current_user._get_current_object(), address=client_address()
            )
        if outcome.ok:
            flash(_("New recovery codes have been made; the old ones no longer work."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    return redirect(url_for(".two_factor"))


@bp.post("/two-factor/passkeys/options")
@login_required
@reauth
def passkey_register_options():
    user = current_user._get_current_object()
    options, challenge = twofactor.registration_options(db.session, user, relying_party())
    _keep_challenge("register", challenge, user_id=user.id)
    return _json_options(options)


@bp.post("/two-factor/passkeys")
@login_required
@reauth
def passkey_register():
    body = _credential()
    stored = _take_challenge("register")
    user = current_user._get_current_object()
    if body is None or stored is None or stored.get("uid") != user.id:
        flash(_("The passkey could not be registered. Please try again."), "danger")
        return jsonify(redirect=url_for(".two_factor")), 400
    with attempt() as outcome:
        twofactor.add_passkey(
            db.session,
            user,
            str(body.get("name") or ""),
            body["credential"],
            stored["challenge"],
            relying_party(),
            address=client_address(),
        )
    if outcome.ok:
        flash(_("The passkey has been added."), "success")
        return jsonify(redirect=url_for(".two_factor"))
    return jsonify(redirect=url_for(".two_factor")), 400


@bp.post("/two-factor/passkeys/<int:passkey_id>/remove")
@login_required
def passkey_remove(passkey_id: int):
    passkey = load_or_404(Passkey, passkey_id, permissions.can_remove_passkey)
    if (asked := reauth_response(url_for(".two_factor"))) is not None:
        return asked
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            twofactor.remove_passkey(
                db.session, current_user._get_current_object(), passkey, address=client_address()
            )
        if outcome.ok:
            flash(_("The passkey has been removed."), "success")
    return redirect(url_for(".two_factor"))
