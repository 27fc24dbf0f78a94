"""The "API tokens" page: a user lists only their own tokens, creates one (after confirming who
they are; the token is shown once, in that answer only), uses it on the API, and revokes it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import AuditEvent, Role
from fundtracker.models.api_tokens import ApiToken
from fundtracker.services import api_tokens
from tests import factories
from tests.conftest import login_as

TOKEN_IN_PAGE = re.compile(r'id="token-value" value="(ftpat_[A-Za-z0-9_-]+)"')


def _form(**changes):
    data = {
        "name": "Accounting system",
        "scopes": ["read"],
        "expires_on": (today() + timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return data


def _make(user, name="Old one"):
    token, _raw = api_tokens.create(
        db.session, user, name=name, scopes=["read"], expires_on=today() + timedelta(days=10)
    )
    return token


def _create(client, **changes):
    response = client.post("/account/tokens/new", data=_form(**changes))
    assert response.status_code == 200, response.headers.get("Location")
    return response


def test_the_list_shows_only_own_tokens(client, officer, grantee):
    mine = _make(officer, "Mine")
    _make(grantee, "Someone else's")
    gone = _make(officer, "Revoked one")
    api_tokens.revoke(db.session, officer, gone)
    login_as(client, officer)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Mine" in page and mine.hint in page and "Revoked one" in page
    assert "Someone else" not in page
    assert page.count('data-token-id="') == 2
    assert "Revoked" in page and "Active" in page
    assert f"/account/tokens/{mine.id}/revoke" in page
    assert f"/account/tokens/{gone.id}/revoke" not in page


def test_create_shows_the_token_once(client, officer):
    login_as(client, officer)
    response = _create(client, scopes=["read", "write-payments"])
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "you won't see it again" in html.replace("&#39;", "'")
    raw = TOKEN_IN_PAGE.search(html).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.name == "Accounting system" and token.user_id == officer.id
    assert token.scope_list == ["read", "write-payments"]
    assert raw not in token.token_hash
    # Never in the session cookie, nor on the list afterwards.
    with client.session_transaction() as sess:
        assert raw not in repr(dict(sess))
    assert raw not in client.get("/account/tokens").get_data(as_text=True)
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert [e.target_id for e in audit] == [str(token.id)]


def test_the_form_offers_only_the_roles_scopes(client, grantee, officer):
    login_as(client, grantee)
    page = client.get("/account/tokens/new").get_data(as_text=True)
    assert 'value="write-updates"' in page and 'value="write-payments"' not in page
    assert f'value="{(today() + timedelta(days=90)).isoformat()}"' in page
    # Sent anyway: refused on the form, nothing made.
    response = client.post("/account/tokens/new", data=_form(scopes=["read", "write-payments"]))
    assert response.status_code == 200
    assert "cannot give a token that permission" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"scopes": []}, "Choose at least one permission."),
        ({"expires_on": (today() + timedelta(days=400)).isoformat()}, "within a year"),
        ({"expires_on": "soon"}, "date"),
    ],
)
def test_bad_input_is_shown_on_the_form(client, officer, changes, message):
    login_as(client, officer)
    response = client.post("/account/tokens/new", data=_form(**changes))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and 'id="token-value"' not in html
    assert db.session.scalar(select(ApiToken)) is None


def test_creating_needs_a_recent_proof_of_identity(client, officer):
    login_as(client, officer, proved=False)
    response = client.get("/account/tokens/new")
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    response = client.post("/account/tokens/new", data=_form())
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    assert db.session.scalar(select(ApiToken)) is None


def test_the_forms_need_their_csrf_token(app, officer):
    token = _make(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        login_as(client, officer)
        assert client.post("/account/tokens/new", data=_form()).status_code == 400
        assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalars(select(ApiToken)).all() == [token]
    assert token.revoked_at is None


def test_another_users_token_is_404(client, officer, grantee):
    theirs = _make(grantee)
    login_as(client, officer)
    assert client.get(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None


def test_the_token_works_on_the_api_until_revoked(client, grantee):
    login_as(client, grantee)
    raw = TOKEN_IN_PAGE.search(
        _create(client, scopes=["read", "write-updates"]).get_data(as_text=True)
    ).group(1)
    api = client.application.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    me = api.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.get_json()["id"] == grantee.id
    assert me.get_json()["scopes"] == ["read", "write-updates"]
    token = db.session.scalar(select(ApiToken))
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "127.0.0.1" in page  # the last use, with its address
    confirm = client.get(f"/account/tokens/{token.id}/revoke")
    assert confirm.status_code == 200 and "Revoke the token" in confirm.get_data(as_text=True)
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    db.session.refresh(token)
    assert token.revoked_by_id == grantee.id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoked"))
    assert [e.target_id for e in events] == [str(token.id)]


def test_deactivated_users_token_stops_working(client, admin):
    user = factories.UserFactory(role=Role.BOARD)
    _token, raw = api_tokens.create(
        db.session, user, name="x", scopes=["read"], expires_on=today() + timedelta(days=5)
    )
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    user.active = False
    db.session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_pages_are_safe_and_in_the_users_language(client, grantee):
    from tests.test_access_matrix import assert_safe_page

    token = _make(grantee)
    login_as(client, grantee)
    for url in ("/account/tokens", "/account/tokens/new", f"/account/tokens/{token.id}/revoke"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe_page(response, url)
    created = _create(client)
    assert_safe_page(created, "created")
    assert "js/copy.js" in created.get_data(as_text=True)
