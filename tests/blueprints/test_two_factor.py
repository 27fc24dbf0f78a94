"""Two-factor sign-in through the pages: the second step, passkeys, enrolment, the rule for
roles that must enrol, "confirm it's you" before sensitive actions, the admin reset, and what
goes into the audit log."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import LoginAttempt, Notification, Role
from fundtracker.services import audit, twofactor
from fundtracker.services.twofactor import RelyingParty
from fundtracker.web.reauth import REAUTH_KEY, proof
from tests import factories
from tests.conftest import login_as
from tests.softauthn import SoftPasskey


@pytest.fixture
def login(client):
    """Signed in some time ago: sensitive actions ask to confirm who it is first."""

    def _login(user):
        login_as(client, user, proved=False)
        return client

    return _login


RP = RelyingParty(id="localhost", name="FundTracker", origin="http://localhost")


@pytest.fixture
def events(monkeypatch):
    """The audit events recorded (audit.record is the seam; its table is another change's)."""
    seen: list[tuple] = []

    def spy(session, actor, action, *, target=None, details=None, address=None):
        seen.append((action, getattr(actor, "id", None), details, address))

    monkeypatch.setattr(audit, "record", spy)
    return seen


def actions(events) -> list[str]:
    return [e[0] for e in events]


def with_totp(session, **kwargs):
    user = factories.UserFactory(**kwargs)
    secret = twofactor.start_totp(session, user).secret
    now = datetime.now(UTC) - timedelta(seconds=60)  # an old step: today's codes stay fresh
    codes = twofactor.confirm_totp(session, user, pyotp.TOTP(secret).at(now), now)
    return user, secret, codes


def password_step(client, user, **extra):
    return client.post(
        "/auth/login",
        data={"email": user.email, "password": factories.PASSWORD, **extra},
    )


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def reauthed(client, user) -> None:
    """As if `user` had just confirmed it's them."""
    with client.session_transaction() as sess:
        sess[REAUTH_KEY] = proof(user)


def test_a_user_without_second_factor_signs_in_with_the_password(client, events):
    user = factories.UserFactory(role=Role.OFFICER)
    response = password_step(client, user)
    assert response.status_code == 302 and response.location == "/"
    assert signed_in(client)
    assert ("auth.signed_in", user.id, {"method": "password"}, "127.0.0.1") in events


def test_a_wrong_password_is_recorded_as_a_failure(client, events, session):
    user = factories.UserFactory()
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong one!"})
    assert response.status_code == 401
    assert ("auth.sign_in_failed", None, {"reason": "password"}, "127.0.0.1") in events


def test_totp_sign_in_needs_the_code_and_a_code_works_once(app, client, session, events):
    user, secret, _codes = with_totp(session, role=Role.OFFICER)
    response = password_step(client, user, next="/projects/")
    assert response.location == "/auth/two-factor/verify"
    assert not signed_in(client)  # not until the second step
    page = client.get("/auth/two-factor/verify")
    assert b"Confirm your sign-in" in page.data and b'id="passkey-signin"' not in page.data
    code = pyotp.TOTP(secret).now()
    response = client.post("/auth/two-factor/verify", data={"code": code})
    assert response.status_code == 302 and response.location == "/projects/"
    assert signed_in(client)
    assert ("auth.signed_in", user.id, {"method": "password+totp"}, "127.0.0.1") in events
    # The password attempt counts as a success only now.
    last = session.scalar(
        select(LoginAttempt)
        .where(LoginAttempt.email == user.email)
        .order_by(LoginAttempt.id.desc())
    )
    assert last.succeeded

    other = app.test_client()
    password_step(other, user)
    response = other.post("/auth/two-factor/verify", data={"code": code})  # replayed
    assert response.status_code == 401 and b"not right" in response.data
    assert not signed_in(other)
    assert ("auth.sign_in_failed", None, {"reason": "second_factor"}, "127.0.0.1") in events


def test_a_recovery_code_signs_in_once(app, client, session, events):
    user, _secret, codes = with_totp(session)
    password_step(client, user)
    response = client.post("/auth/two-factor/verify", data={"code": codes[3]})
    assert response.status_code == 302 and signed_in(client)
    assert "2fa.recovery_code_used" in actions(events)
    assert ("auth.signed_in", user.id, {"method": "password+recovery"}, "127.0.0.1") in events

    second = app.test_client()
    password_step(second, user)
    response = second.post("/auth/two-factor/verify", data={"code": codes[3]})
    assert response.status_code == 401 and not signed_in(second)


def test_wrong_codes_end_the_pending_sign_in_and_count_as_failed_logins(client, session):
    user, _secret, _codes = with_totp(session)
    password_step(client, user)
    for _ in range(4):
        assert client.post("/auth/two-factor/verify", data={"code": "000000"}).status_code == 401
    response = client.post("/auth/two-factor/verify", data={"code": "000000"})
    assert response.status_code == 302 and response.location == "/auth/login"
    assert client.get("/auth/two-factor/verify").location == "/auth/login"
    failures = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    )
    assert failures == 6  # the held password attempt and five wrong codes
    # With that many failures, the next password attempt from here is refused (the limits).
    assert password_step(client, user).status_code == 429


def test_the_pending_sign_in_expires(app, client, session):
    user, secret, _codes = with_totp(session)
    password_step(client, user)
    with client.session_transaction() as sess:
        pending = sess["signin_pending"]
        pending["at"] -= app.config["TWO_FACTOR_PENDING_SECONDS"] + 1
        sess["signin_pending"] = pending
    response = client.post("/auth/two-factor/verify", data={"code": pyotp.TOTP(secret).now()})
    assert response.location == "/auth/login" and not signed_in(client)


@pytest.fixture
def required(app):
    saved = app.config["TWO_FACTOR_REQUIRED_ROLES"]
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("admin", "officer")
    yield
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = saved


def test_an_officer_must_enrol_before_reaching_anything(required, client, session, login):
    officer = factories.UserFactory(role=Role.OFFICER)
    password_step(client, officer)
    for path in ("/", "/dashboard", "/projects/", "/auth/password"):
        assert client.get(path).location == "/auth/two-factor", path
    page = client.get("/auth/two-factor")
    assert page.status_code == 200 and b'id="must-enrol"' in page.data
    assert client.get("/static/js/passkeys.js").status_code == 200
    assert client.post("/language", data={"language": "ru"}).status_code == 302
    # Enrolment through the pages.
    assert client.post("/auth/two-factor/totp/start").location == "/auth/two-factor/totp"
    page = client.get("/auth/two-factor/totp")
    assert b"<svg" in page.data and b'id="totp-secret"' in page.data
    secret = twofactor.pending_secret(session, officer)
    response = client.post("/auth/two-factor/totp", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and b'id="recovery-codes"' in response.data
    assert client.get("/").status_code == 200
    # Others may go without.
    grantee = factories.UserFactory(grantee=True)
    assert login(grantee).get("/").status_code == 200
    assert client.post("/auth/logout").status_code == 302


def test_the_demo_style_sign_in_of_an_admin_leads_to_enrolment(required, client):
    admin = factories.UserFactory(role=Role.ADMIN)
    response = password_step(client, admin)
    assert response.status_code == 302
    assert client.get(response.location).location == "/auth/two-factor"


def test_reauthentication_before_an_export_then_it_goes_through(client, login, session, events):
    officer = factories.UserFactory(role=Role.OFFICER)
    login(officer)
    response = client.get("/projects/export.csv?sort=code")
    assert response.location == "/auth/reauth?next=/projects/export.csv?sort%3Dcode"
    page = client.get(response.location)
    assert b"Confirm it&#39;s you" in page.data or b"Confirm it's you" in page.data
    wrong = client.post(response.location, data={"password": "not the password"})
    assert wrong.status_code == 401
    assert ("auth.sign_in_failed", None, {"reason": "reauth_password"}, "127.0.0.1") in events
    back = client.post(response.location, data={"password": factories.PASSWORD})
    assert back.location == "/projects/export.csv?sort=code"
    assert ("auth.reauthenticated", officer.id, {"method": "password"}, "127.0.0.1") in events
    assert client.get(back.location).mimetype == "text/csv"
    # Eleven minutes later it is asked for again.
    with client.session_transaction() as sess:
        sess[REAUTH_KEY] = proof(officer, at=time.time() - 11 * 60)
    assert client.get("/projects/export.csv").location.startswith("/auth/reauth")


def test_a_large_payment_needs_a_recent_reauthentication(app, client, login):
    officer = factories.UserFactory(role=Role.OFFICER)
    limit = app.config["REAUTH_PAYMENT_ABOVE_TIYN"]
    small = factories.TrancheFactory(amount=limit)
    large = factories.TrancheFactory(amount=limit + 1)
    login(officer)
    assert client.get(f"/tranches/{small.id}/pay").status_code == 200
    response = client.get(f"/tranches/{large.id}/pay")
    assert response.location == f"/auth/reauth?next=/tranches/{large.id}/pay"
    response = client.post(f"/tranches/{large.id}/pay", data={"paid_on": "2026-12-01"})
    assert response.location.startswith("/auth/reauth")
    reauthed(client, officer)
    assert client.get(f"/tranches/{large.id}/pay").status_code == 200


def test_removing_totp_and_new_codes_need_reauthentication(client, login, session, events):
    user, _secret, old = with_totp(session)
    login(user)
    response = client.post(
        "/auth/two-factor/recovery-codes", headers={"Referer": "http://localhost/auth/two-factor"}
    )
    assert response.location == "/auth/reauth?next=/auth/two-factor"
    reauthed(client, user)
    page = client.post("/auth/two-factor/recovery-codes")
    assert page.status_code == 200 and b'id="recovery-codes"' in page.data
    assert not twofactor.use_recovery_code(session, user, old[0])
    assert client.post("/auth/two-factor/totp/remove").location == "/auth/two-factor"
    assert not twofactor.has_second_factor(session, user)
    assert {"2fa.recovery_codes_generated", "2fa.totp_removed"} <= set(actions(events))


def _register_passkey(client, key: SoftPasskey, name="Laptop"):
    options = client.post("/auth/two-factor/passkeys/options", json={})
    assert options.status_code == 200
    return client.post(
        "/auth/two-factor/passkeys", json={"name": name, "credential": key.create(options.json)}
    )


def test_passkey_enrolment_then_passwordless_sign_in(app, client, login, session, events):
    user = factories.UserFactory(role=Role.ADMIN)
    login(user)
    key = SoftPasskey()
    assert client.post("/auth/two-factor/passkeys/options", json={}).status_code == 401
    reauthed(client, user)
    response = _register_passkey(client, key)
    assert response.json == {"redirect": "/auth/two-factor"}
    assert b"Laptop" in client.get("/auth/two-factor").data
    assert "2fa.passkey_added" in actions(events)

    browser = app.test_client()
    options = browser.post("/auth/passkeys/options", json={})
    assert options.json["allowCredentials"] == [] and options.json["userVerification"] == "required"
    answer = browser.post(
        "/auth/passkeys/verify", json={"credential": key.get(options.json), "next": "/projects/"}
    )
    assert answer.json == {"redirect": "/projects/"} and signed_in(browser)
    assert ("auth.signed_in", user.id, {"method": "passkey"}, "127.0.0.1") in events
    # A challenge is used up: the same answer again fails.
    stranger = app.test_client()
    stranger.post("/auth/passkeys/options", json={})
    again = stranger.post("/auth/passkeys/verify", json={"credential": key.get(options.json)})
    assert again.status_code == 400 and not signed_in(stranger)


def test_a_passkey_as_the_second_step(app, client, login, session, events):
    user = factories.UserFactory(role=Role.OFFICER)
    key = SoftPasskey()
    options, challenge = twofactor.registration_options(session, user, RP)
    twofactor.add_passkey(session, user, "Phone", key.create(options), challenge, RP)
    password_step(client, user)
    page = client.get("/auth/two-factor/verify")
    assert b'id="passkey-signin"' in page.data and b'id="second-step-form"' not in page.data
    options = client.post("/auth/passkeys/options", json={})
    assert [c["id"] for c in options.json["allowCredentials"]] == [key.id]
    answer = client.post("/auth/passkeys/verify", json={"credential": key.get(options.json)})
    assert answer.json == {"redirect": "/"} and signed_in(client)
    assert ("auth.signed_in", user.id, {"method": "password+passkey"}, "127.0.0.1") in events


def test_reauthentication_with_a_passkey_and_removing_it(client, login, session, events):
    user = factories.UserFactory()
    key = SoftPasskey()
    options, challenge = twofactor.registration_options(session, user, RP)
    passkey = twofactor.add_passkey(session, user, "Phone", key.create(options), challenge, RP)
    login(user)
    assert client.post(f"/auth/two-factor/passkeys/{passkey.id}/remove").location.startswith(
        "/auth/reauth"
    )
    options = client.post("/auth/passkeys/options", json={})
    answer = client.post(
        "/auth/passkeys/verify",
        json={"credential": key.get(options.json), "next": "/auth/two-factor"},
    )
    assert answer.json == {"redirect": "/auth/two-factor"}
    assert ("auth.reauthenticated", user.id, {"method": "passkey"}, "127.0.0.1") in events
    other = factories.UserFactory()
    assert login(other) and client.post(
        f"/auth/two-factor/passkeys/{passkey.id}/remove"
    ).status_code in (302, 404)
    login(user)
    assert (
        client.post(f"/auth/two-factor/passkeys/{passkey.id}/remove").location == "/auth/two-factor"
    )
    assert not twofactor.has_second_factor(session, user)
    assert "2fa.passkey_removed" in actions(events)


def test_an_admin_resets_a_users_second_factors(client, login, session, events, admin):
    user, _secret, _codes = with_totp(session, role=Role.OFFICER)
    someone = factories.UserFactory(role=Role.OFFICER)
    login(someone)
    reauthed(client, someone)
    assert client.post(f"/admin/users/{user.id}/two-factor/reset").status_code == 404
    login(admin)
    response = client.post(f"/admin/users/{user.id}/two-factor/reset")
    assert response.location == f"/auth/reauth?next=/admin/users/{user.id}"
    assert twofactor.has_second_factor(session, user)
    reauthed(client, admin)
    response = client.post(f"/admin/users/{user.id}/two-factor/reset")
    assert response.location == f"/admin/users/{user.id}"
    assert not twofactor.has_second_factor(session, user)
    assert (
        "2fa.reset_by_admin",
        admin.id,
        {"authenticator_app": True, "passkeys": 0},
        "127.0.0.1",
    ) in events
    assert session.scalar(select(Notification).where(Notification.user_id == user.id)) is not None


def test_failed_sign_ins_are_kept_in_the_audit_log_although_they_failed(client, session):
    """Without the spy: the audit rows of failed sign-ins are committed on their own, while the
    failed attempt's own transaction is rolled back."""
    from fundtracker.models.audit import AuditEvent

    user, _secret, _codes = with_totp(session)
    client.post("/auth/login", data={"email": user.email, "password": "not the password"})
    password_step(client, user)
    client.post("/auth/two-factor/verify", data={"code": "000000"})
    session.expire_all()
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed").order_by(AuditEvent.id)
    ).all()
    assert [json.loads(r.details)["reason"] for r in rows] == ["password", "second_factor"]
    assert all(r.address == "127.0.0.1" for r in rows)


def test_changing_a_role_needs_a_recent_reauthentication_other_edits_do_not(client, login):
    admin = factories.UserFactory(role=Role.ADMIN)
    user = factories.UserFactory(role=Role.OFFICER, email="aigerim@fund.kz", name="Aigerim")
    form = {"email": user.email, "name": "Aigerim B.", "role": "board", "locale": "en"}
    response = login(admin).post(f"/admin/users/{user.id}", data=form)
    assert response.location == f"/auth/reauth?next=/admin/users/{user.id}"
    assert (user.role, user.name) == (Role.OFFICER, "Aigerim")  # nothing saved
    form["role"] = "officer"  # the same role: a change of name needs no proof
    assert client.post(f"/admin/users/{user.id}", data=form).location == "/admin/users"
    db.session.refresh(user)
    assert user.name == "Aigerim B."
    reauthed(client, admin)
    form["role"] = "board"
    assert client.post(f"/admin/users/{user.id}", data=form).location == "/admin/users"
    db.session.refresh(user)
    assert user.role == Role.BOARD
