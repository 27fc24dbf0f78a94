"""Sign-in sessions through the pages: signing in makes one, "Your sessions" lists and ends them,
an admin ends a user's; an ended, idle or expired session signs its browser out at the next
request; a deactivated account is signed out; the last use is written at most once a minute."""

import json
from datetime import timedelta

import time_machine
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, Role, utcnow
from fundtracker.models.sessions import EndReason, UserSession, hash_token
from fundtracker.services import sessions, users
from tests import factories
from tests.conftest import login_as
from tests.factories import PASSWORD
from tests.services.test_sessions import CHROME_ANDROID, FIREFOX_WINDOWS

HOME = "/tasks"  # a page every signed-in user may open


def _row(token: str) -> UserSession:
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    db.session.refresh(row)
    return row


def _signed_in(client) -> bool:
    response = client.get(HOME)
    return response.status_code == 200


def _sign_in_by_form(client, user, agent=FIREFOX_WINDOWS, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/auth/login", data=data, headers={"User-Agent": agent})


def test_signing_in_starts_a_session_with_the_device_and_address(app, client):
    user = factories.UserFactory(email="dana@example.kz")
    assert _sign_in_by_form(client, user, CHROME_ANDROID, remember=True).status_code == 302
    [row] = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert (row.browser, row.platform, row.remember) == ("Chrome", "Android", True)
    assert row.address == "127.0.0.1" and row.ended_at is None
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "Chrome on Android" in page and "This device" in page


def test_your_sessions_lists_only_your_own_in_force(app, client):
    user = factories.UserFactory()
    login_as(client, user)
    phone = app.test_client()
    login_as(phone, user)
    sessions.start(db.session, user, address="10.9.8.7", user_agent=CHROME_ANDROID, remember=False)
    ended, _ = sessions.start(
        db.session, user, address="10.6.6.6", user_agent=CHROME_ANDROID, remember=False
    )
    sessions.end_one(db.session, user, ended)
    sessions.start(
        db.session,
        factories.UserFactory(),
        address="10.5.5.5",
        user_agent=CHROME_ANDROID,
        remember=False,
    )
    response = client.get("/account/sessions")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "10.9.8.7" in page and "Chrome on Android" in page
    assert "10.6.6.6" not in page and "10.5.5.5" not in page
    assert page.count("This device") == 1
    assert page.count('class="btn btn-outline-danger btn-sm"') == 3
    assert "Sign out all other sessions" in page


def test_ending_a_session_signs_that_browser_out_at_its_next_request(app, client):
    user = factories.UserFactory()
    login_as(client, user)
    other = app.test_client()
    token = login_as(other, user)
    assert _signed_in(other)
    row = _row(token)
    response = client.post(f"/account/sessions/{row.id}/end")
    assert response.status_code == 302
    assert _row(token).end_reason == EndReason.ENDED
    assert other.get(HOME).status_code == 302  # to the login page
    assert _signed_in(client)


def test_nobody_ends_another_users_session(app, client):
    owner = factories.UserFactory()
    admin = factories.UserFactory(role=Role.ADMIN)
    victim = app.test_client()
    token = login_as(victim, owner)
    row = _row(token)
    for user in (factories.UserFactory(), admin):
        login_as(client, user)
        assert client.post(f"/account/sessions/{row.id}/end").status_code == 404
    assert client.post("/account/sessions/999999/end").status_code == 404
    assert _row(token).ended_at is None and _signed_in(victim)


def test_signing_out_this_device_from_the_list(client):
    user = factories.UserFactory()
    token = login_as(client, user)
    response = client.post(f"/account/sessions/{_row(token).id}/end")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _row(token).end_reason == EndReason.SIGNED_OUT
    assert not _signed_in(client)


def test_signing_out_all_other_sessions(app, client):
    user = factories.UserFactory()
    this = login_as(client, user)
    others = [app.test_client() for _ in range(2)]
    tokens = [login_as(other, user) for other in others]
    response = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "2 other sessions have been signed out." in response.get_data(as_text=True)
    assert all(not _signed_in(other) for other in others)
    assert all(_row(token).ended_at is not None for token in tokens)
    assert _row(this).ended_at is None and _signed_in(client)


def test_the_forms_need_their_csrf_token(app):
    user = factories.UserFactory()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        token = login_as(client, user)
        other = app.test_client()
        login_as(other, user)
        # CSRFProtect refuses a POST without its token before the view runs
        assert client.post(f"/account/sessions/{_row(token).id}/end").status_code == 400
        assert client.post("/account/sessions/end-others").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _row(token).ended_at is None and _signed_in(client) and _signed_in(other)


def test_logging_out_ends_the_session_and_its_remember_cookie(app, client):
    user = factories.UserFactory()
    _sign_in_by_form(client, user, remember=True)
    [row] = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert client.get_cookie("remember_token") is not None
    copied = app.test_client()
    copied.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert _signed_in(copied)  # the remember cookie alone signs a browser in
    client.post("/auth/logout")
    db.session.refresh(row)
    assert row.ended_at is not None
    assert not _signed_in(client)
    fresh_copy = app.test_client()
    fresh_copy.set_cookie("remember_token", copied.get_cookie("remember_token").value)
    assert not _signed_in(fresh_copy)


def test_an_idle_or_expired_session_is_over(app, client):
    user = factories.UserFactory()
    token = login_as(client, user)
    row = _row(token)
    limits = sessions.limits()
    row.last_used_at = utcnow() - limits.idle - timedelta(minutes=1)
    db.session.flush()
    assert not _signed_in(client)
    row.last_used_at = utcnow()
    row.created_at = utcnow() - limits.lifetime - timedelta(minutes=1)
    db.session.flush()
    assert not _signed_in(client)
    row.created_at = utcnow() - timedelta(days=1)
    db.session.flush()
    assert _signed_in(client)


def test_a_deactivated_account_is_signed_out(app, client, admin):
    user = factories.UserFactory()
    login_as(client, user)
    assert _signed_in(client)
    users.set_active(db.session, admin, user, active=False)
    assert not _signed_in(client)


def test_the_last_use_is_written_at_most_once_a_minute(app, client, sql_log):
    user = factories.UserFactory()
    token = login_as(client, user)
    started = _row(token).last_used_at
    sql_log.clear()
    assert _signed_in(client)
    assert not [s for s in sql_log if s.lstrip().upper().startswith("UPDATE USER_SESSIONS")]
    assert _row(token).last_used_at == started
    later = utcnow() + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert _signed_in(client)
    assert _row(token).last_used_at == later
    ended_later = later + timedelta(minutes=5)
    sessions.end_one(db.session, user, _row(token))
    with time_machine.travel(ended_later, tick=False):
        assert not _signed_in(client)
    assert _row(token).last_used_at == later


# The admin's page of a user's sessions ----------------------------------------------------------


def test_an_admin_sees_and_ends_a_users_sessions(app, client, admin):
    user = factories.UserFactory(name="Dana")
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        login_as(browser, user)
    login_as(client, admin)
    page = client.get(f"/admin/users/{user.id}/sessions").get_data(as_text=True)
    assert page.count("127.0.0.1") == 2 and "End all sessions of this user" in page
    response = client.post(f"/admin/users/{user.id}/sessions/end", follow_redirects=True)
    assert "2 sessions of Dana have been signed out." in response.get_data(as_text=True)
    assert all(not _signed_in(browser) for browser in browsers)
    assert _signed_in(client)
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert {(r.end_reason, r.ended_by_id) for r in rows} == {(EndReason.ADMIN, admin.id)}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.ended"))
    assert event.actor_id == admin.id and event.target_id == str(user.id)
    details = json.loads(event.details)
    assert (details["by"], details["scope"], len(details["sessions"])) == ("admin", "all", 2)


def test_only_admins_reach_a_users_sessions(app, client):
    user = factories.UserFactory()
    browser = app.test_client()
    login_as(browser, user)
    login_as(client, factories.UserFactory(role=Role.OFFICER))
    assert client.get(f"/admin/users/{user.id}/sessions").status_code == 404
    assert client.post(f"/admin/users/{user.id}/sessions/end").status_code == 404
    assert _signed_in(browser)
