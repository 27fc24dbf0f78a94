"""Logging in and out, safe redirects, the failed-login limit, password change, reset and
invitation by email through the outbox and a real SMTP server."""

import re

import pytest
from flask_babel import force_locale, gettext
from flask_migrate import upgrade

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import Role, User
from fundtracker.scheduler.jobs import outbox_job
from tests import factories
from tests.conftest import login_as
from tests.dbutil import fresh_database
from tests.factories import PASSWORD


def _login(client, email, password, next_=None):
    url = "/auth/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password, "next": next_ or ""})


def test_login_page_renders(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)


def test_login_and_logout(client):
    user = factories.UserFactory(email="aliya@example.kz", name="Aliya")
    response = _login(client, "Aliya@Example.kz", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, Aliya" in client.get("/").get_data(as_text=True)
    client.post("/auth/logout")
    assert client.get("/").status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_wrong_password_shows_a_message_and_keeps_the_email(client):
    factories.UserFactory(email="aliya@example.kz")
    response = _login(client, "aliya@example.kz", "nope nope nope")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Wrong email or password." in html
    assert 'value="aliya@example.kz"' in html


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/projects/", "/projects/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_stays_on_this_site(client, target, expected):
    factories.UserFactory(email="aliya@example.kz")
    response = _login(client, "aliya@example.kz", PASSWORD, next_=target)
    assert response.headers["Location"] == expected


def test_throttled_login_answers_429_with_a_message(app, client):
    factories.UserFactory(email="aliya@example.kz")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _login(client, "aliya@example.kz", "wrong password")
    response = _login(client, "aliya@example.kz", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


@pytest.mark.no_db
def test_the_limit_holds_across_worker_processes():
    """Two app instances with their own engines and pools, as two gunicorn workers have, share
    the failure count because it lives in the database."""
    with fresh_database("workers") as url:
        workers = [create_app("testing", SQLALCHEMY_DATABASE_URI=url) for _ in range(2)]
        with workers[0].app_context():
            upgrade()
            organisation = factories.OrganisationFactory()
            db.session.add(
                User(
                    email="aliya@example.kz",
                    name="A",
                    role=Role.GRANTEE,
                    locale="kk",
                    organisation=organisation,
                    password_hash=factories._PASSWORD_HASH,
                )
            )
            db.session.commit()
        limit = workers[0].config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        for i in range(limit):
            client = workers[i % 2].test_client()
            assert _login(client, "aliya@example.kz", "wrong password").status_code == 401
        for worker in workers:
            assert _login(worker.test_client(), "aliya@example.kz", PASSWORD).status_code == 429
        for worker in workers:
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()


def test_change_password_keeps_this_session_and_ends_others(app, login):
    user = factories.UserFactory()
    other = app.test_client()
    login_as(other, user)
    client = login(user)
    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_change_password_errors_stay_on_the_form(login):
    client = login(factories.UserFactory())
    response = client.post(
        "/auth/password",
        data={
            "current_password": "wrong",
            "password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 200
    assert "The current password is wrong." in response.get_data(as_text=True)


def _link(message, path):
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"http://\S+({path}/\S+)", body).group(1)


def test_password_reset_by_email_in_the_users_language(app, client, smtp):
    factories.UserFactory(email="dana@example.kz", name="Dana", locale="ru")
    response = client.post("/auth/forgot", data={"email": "DANA@example.kz"})
    assert response.status_code == 302
    assert smtp.messages == []  # queued: the outbox sends it, never the request
    outbox_job(app)
    (message,) = smtp.messages
    assert message["To"] == "dana@example.kz"
    with app.test_request_context(), force_locale("ru"):
        subject = gettext("Reset your FundTracker password")
    assert message["Subject"] == subject != "Reset your FundTracker password"
    assert "Здравствуйте" in message.get_body(("plain",)).get_content()
    path = _link(message, "/auth/reset")
    assert client.get(path).status_code == 200
    response = client.post(
        path, data={"password": "fresh long password", "confirm": "fresh long password"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert _login(client, "dana@example.kz", "fresh long password").status_code == 302
    client.post("/auth/logout")
    # The link works once.
    response = client.get(path)
    assert response.status_code == 302 and "/auth/forgot" in response.headers["Location"]


def test_reset_request_for_unknown_email_sends_nothing_and_says_the_same(app, client, smtp):
    response = client.post(
        "/auth/forgot", data={"email": "nobody@example.kz"}, follow_redirects=True
    )
    assert "If this address belongs to an account" in response.get_data(as_text=True)
    outbox_job(app)
    assert smtp.messages == []


def test_admin_invites_a_user_who_sets_a_password(app, client, login, admin, smtp):
    organisation = factories.OrganisationFactory()
    response = login(admin).post(
        "/admin/users/new",
        data={
            "email": "new.grantee@example.kz",
            "name": "Nurlan",
            "role": "grantee",
            "organisation_id": str(organisation.id),
            "locale": "kk",
        },
    )
    assert response.status_code == 302
    outbox_job(app)
    (message,) = smtp.messages
    assert message["To"] == "new.grantee@example.kz"
    path = _link(message, "/auth/invite")
    client.post("/auth/logout")
    response = client.post(path, data={"password": "my own password", "confirm": "my own password"})
    assert response.status_code == 302
    assert _login(client, "new.grantee@example.kz", "my own password").status_code == 302
