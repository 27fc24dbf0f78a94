"""Personal access tokens: creating (validation, scopes bounded by the role, only the hash
kept), expiry, revoking one or all of a user's (deactivation, a change of role or organisation),
the audit events, and the per-token rate limit with the last use it notes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import AuditEvent, Role, utcnow
from fundtracker.models.api_tokens import ApiToken, hash_token
from fundtracker.services import api_tokens
from fundtracker.services.errors import DomainError
from fundtracker.services.users import UserData, set_active, update_user
from tests import factories
from tests.conftest import api_headers


def _create(user, scopes=("read",), days=30, name="Accounting"):
    return api_tokens.create(
        db.session, user, name=name, scopes=list(scopes), expires_on=today() + timedelta(days)
    )


def _events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_create_keeps_only_the_hash_and_a_hint(officer):
    token, raw = _create(officer, ["read", "write-payments"])
    assert raw.startswith("ftpat_") and len(raw) > 40
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert token.hint == raw[:10]
    assert token.scope_list == ["read", "write-payments"]
    stored = db.session.execute(select(ApiToken.__table__)).mappings().one()
    assert raw not in {str(value) for value in stored.values()}
    assert api_tokens.by_token(db.session, raw) is token
    assert api_tokens.by_token(db.session, raw + "x") is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["admin"]}, "scopes"),
        ({"days": 0}, "expires_on"),
        ({"days": -3}, "expires_on"),
        ({"days": 367}, "expires_on"),
    ],
)
def test_create_refuses_bad_input(officer, kwargs, field):
    with pytest.raises(DomainError) as caught:
        _create(officer, **kwargs)
    assert caught.value.field == field
    assert db.session.scalar(select(ApiToken)) is None


def test_a_year_is_the_longest_expiry(officer):
    token, _raw = _create(officer, days=366)
    assert token.expires_at > utcnow() + timedelta(days=365)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, ("read", "write-payments")),
        (Role.OFFICER, ("read", "write-payments")),
        (Role.BOARD, ("read",)),
        (Role.REVIEWER, ("read",)),
        (Role.GRANTEE, ("read", "write-updates")),
    ],
)
def test_scopes_are_bounded_by_the_role(role, allowed):
    user = factories.UserFactory(role=role, grantee=role == Role.GRANTEE)
    assert api_tokens.scopes_for(user) == allowed
    for scope in ("read", "write-updates", "write-payments"):
        if scope in allowed:
            assert _create(user, [scope])[0].scope_list == [scope]
        else:
            with pytest.raises(DomainError) as caught:
                _create(user, ["read", scope])
            assert caught.value.field == "scopes"


def test_an_expired_token_is_not_in_force(officer):
    token, raw = _create(officer)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert api_tokens.by_token(db.session, raw) is None
    assert api_tokens.state(token) == api_tokens.State.EXPIRED
    assert not api_tokens.count_use(db.session, raw, limit=5).known


def test_revoke_is_audited_once(officer):
    token, raw = _create(officer)
    assert [e.target_id for e in _events("api_token.created")] == [str(token.id)]
    api_tokens.revoke(db.session, officer, token)
    api_tokens.revoke(db.session, officer, token)
    assert api_tokens.by_token(db.session, raw) is None
    assert token.revoked_by_id == officer.id
    assert api_tokens.state(token) == api_tokens.State.REVOKED
    assert len(_events("api_token.revoked")) == 1


def test_deactivation_revokes_all_the_users_tokens(admin):
    user = factories.UserFactory(role=Role.OFFICER)
    first, _ = _create(user)
    second, _ = _create(user)
    already, _ = _create(user)
    api_tokens.revoke(db.session, user, already)
    other, other_raw = _create(admin)
    set_active(db.session, admin, user, False)
    assert first.revoked_at and second.revoked_at
    assert first.revoked_by_id == admin.id
    assert other.revoked_at is None and api_tokens.by_token(db.session, other_raw) is other
    revoked = _events("api_token.revoked")
    assert sorted(e.target_id for e in revoked) == sorted(
        str(t.id) for t in (first, second, already)
    )


def test_a_deactivated_users_token_is_refused_even_unrevoked(admin):
    user = factories.UserFactory(role=Role.OFFICER)
    _token, raw = _create(user)
    user.active = False
    db.session.flush()
    assert api_tokens.by_token(db.session, raw) is None
    assert not api_tokens.count_use(db.session, raw, limit=5).known


@pytest.mark.parametrize("change", ["role", "organisation"])
def test_a_change_of_role_or_organisation_revokes_tokens(admin, grantee, change):
    token, _raw = _create(grantee, ["read", "write-updates"])
    if change == "role":
        data = UserData(grantee.email, grantee.name, Role.BOARD, grantee.locale)
    else:
        elsewhere = factories.OrganisationFactory()
        data = UserData(grantee.email, grantee.name, Role.GRANTEE, grantee.locale, elsewhere.id)
    update_user(db.session, admin, grantee, data)
    assert token.revoked_at is not None


def test_a_change_of_name_keeps_tokens(admin, grantee):
    token, _raw = _create(grantee)
    data = UserData(grantee.email, "Renamed", Role.GRANTEE, grantee.locale, grantee.organisation_id)
    update_user(db.session, admin, grantee, data)
    assert token.revoked_at is None


# The rate limit ---------------------------------------------------------------------------------


def test_rate_limit_counts_in_a_fixed_window_of_a_minute(officer):
    token, raw = _create(officer)
    start = utcnow()
    for second in range(3):
        assert api_tokens.count_use(
            db.session, raw, limit=3, address="10.0.0.1", now=start + timedelta(seconds=second)
        ).allowed
    over = api_tokens.count_use(db.session, raw, limit=3, now=start + timedelta(seconds=20))
    assert over.known and not over.allowed and over.retry_after == 40
    # Refused requests do not count, nor move the window.
    db.session.refresh(token)
    assert token.window_count == 3 and token.window_start == start
    # A minute after the window began, a new one begins.
    later = start + timedelta(seconds=60)
    assert api_tokens.count_use(db.session, raw, limit=3, now=later).allowed
    db.session.refresh(token)
    assert token.window_count == 1 and token.window_start == later


def test_each_use_notes_time_and_address(officer):
    token, raw = _create(officer)
    assert token.last_used_at is None
    moment = utcnow()
    api_tokens.count_use(db.session, raw, limit=10, address="192.0.2.7", now=moment)
    db.session.refresh(token)
    assert token.last_used_at == moment and token.last_used_address == "192.0.2.7"


def test_unknown_token_is_not_counted():
    assert not api_tokens.count_use(db.session, "ftpat_nothing", limit=1).known
    assert not api_tokens.count_use(db.session, "", limit=1).known


def test_the_api_answers_429_over_the_limit(app, client, officer, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", 2)
    headers = api_headers(officer, ["read"])
    assert [client.get("/api/v1/me", headers=headers).status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    body = response.get_json()
    assert body["code"] == 429 and "2 requests" in body["message"]
    # Another token of the same user has its own count.
    assert client.get("/api/v1/me", headers=api_headers(officer, ["read"])).status_code == 200


def test_the_api_notes_the_last_use(client, officer):
    headers = api_headers(officer, ["read"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken))
    db.session.refresh(token)
    assert token.last_used_at is not None and token.last_used_address == "127.0.0.1"
    assert token.window_count == 1


@pytest.mark.no_db
def test_the_limit_holds_for_requests_at_the_same_time():
    """Eight workers, each with its own connection, send 40 requests at once with one token
    whose limit is 25: exactly 25 get through (the count is one atomic UPDATE)."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.dbutil import migrated_app

    with migrated_app("ratelimit", API_RATE_LIMIT_PER_MINUTE=25) as app:
        user = factories.UserFactory(role=Role.BOARD)
        _token, raw = api_tokens.create(
            db.session, user, name="x", scopes=["read"], expires_on=today() + timedelta(days=2)
        )
        db.session.commit()
        headers = {"Authorization": f"Bearer {raw}"}

        def call(_n):
            return app.test_client().get("/api/v1/me", headers=headers).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(call, range(40)))
        assert sorted(set(codes)) == [200, 429] and codes.count(200) == 25
        db.session.expire_all()
        assert db.session.scalar(select(ApiToken.window_count)) == 25
