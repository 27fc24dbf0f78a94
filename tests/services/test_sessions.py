"""Sign-in sessions: starting, listing, ending (by the user, an admin, a password change), the
limits of a session's life, the clean-up, and the audit events of each ending."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import Role, utcnow
from fundtracker.models.sessions import EndReason, UserSession, hash_token
from fundtracker.services import accounts, audit, sessions
from fundtracker.services.errors import NotAllowed
from tests import factories
from tests.factories import PASSWORD

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
)
YANDEX_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/130.0.0.0 YaBrowser/24.12.0.0 Safari/537.36"
)


@pytest.fixture
def events(monkeypatch):
    """The audit events recorded (audit.record is called with the caller's session)."""
    recorded = []

    def _record(session, actor, action, *, target=None, details=None, address=None):
        recorded.append((actor, action, target, details))

    monkeypatch.setattr(audit, "record", _record)
    return recorded


def _start(user, **kwargs):
    defaults = {"address": "10.0.0.1", "user_agent": FIREFOX_WINDOWS, "remember": False}
    return sessions.start(db.session, user, **{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (FIREFOX_WINDOWS, ("Firefox", "Windows")),
        (CHROME_ANDROID, ("Chrome", "Android")),
        (SAFARI_IPHONE, ("Safari", "iPhone")),
        (EDGE_WINDOWS, ("Edge", "Windows")),
        (YANDEX_MAC, ("Yandex Browser", "macOS")),
        ("curl/8.5.0", ("", "")),
        ("", ("", "")),
    ],
)
def test_the_device_is_read_from_the_user_agent(agent, expected):
    assert sessions.read_user_agent(agent) == expected


def test_a_session_keeps_only_the_hash_of_its_token():
    user = factories.UserFactory()
    row, token = _start(user, user_agent=CHROME_ANDROID, remember=True)
    assert row.token_hash == hash_token(token) != token
    assert token not in (row.token_hash, row.user_agent, row.address)
    assert (row.browser, row.platform, row.remember) == ("Chrome", "Android", True)
    assert sessions.by_token(db.session, token) == row
    assert sessions.by_token(db.session, token + "x") is None


def test_active_sessions_leave_out_ended_idle_and_expired_ones(app):
    user = factories.UserFactory()
    other = factories.UserFactory()
    now = utcnow()
    limits = sessions.limits()
    fresh, _ = _start(user, now=now - timedelta(minutes=5))
    used, _ = _start(user, now=now - timedelta(hours=3))
    used.last_used_at = now - timedelta(minutes=1)
    ended, _ = _start(user)
    sessions.end_one(db.session, user, ended)
    idle, _ = _start(user, now=now - limits.idle - timedelta(minutes=1))
    too_old, _ = _start(user, now=now - limits.lifetime - timedelta(minutes=1))
    too_old.last_used_at = now - timedelta(minutes=1)
    _start(other)
    assert sessions.active_sessions(db.session, user, now) == [used, fresh]
    assert not idle.is_in_force(now, limits) and not too_old.is_in_force(now, limits)


def test_a_user_ends_one_of_their_sessions_and_it_is_audited(events):
    user = factories.UserFactory()
    row, _ = _start(user)
    sessions.end_one(db.session, user, row)
    assert row.ended_at is not None
    assert row.ended_by_id == user.id and row.end_reason == EndReason.ENDED
    assert events == [
        (
            user,
            "session.ended",
            user,
            {"by": "self", "scope": "one", "reason": "ended", "sessions": [row.id]},
        )
    ]
    ended_at = row.ended_at
    sessions.end_one(db.session, user, row)  # again: nothing more happens
    assert row.ended_at == ended_at and len(events) == 1


def test_nobody_ends_another_users_session(events):
    owner = factories.UserFactory()
    admin = factories.UserFactory(role=Role.ADMIN)
    row, _ = _start(owner)
    for stranger in (factories.UserFactory(), admin):
        with pytest.raises(NotAllowed):
            sessions.end_one(db.session, stranger, row)
        with pytest.raises(NotAllowed):
            sessions.end_others(db.session, stranger, row)
    assert row.ended_at is None and events == []


def test_signing_out_all_other_sessions_keeps_this_one(events):
    user = factories.UserFactory()
    this, _ = _start(user)
    others = [_start(user)[0] for _ in range(2)]
    stranger, _ = _start(factories.UserFactory())
    stamp = user.session_token
    assert sessions.end_others(db.session, user, this) == 2
    assert this.ended_at is None and stranger.ended_at is None
    assert all(row.ended_at is not None for row in others)
    assert user.session_token == stamp  # emailed links still work
    assert events[0][3] == {
        "by": "self",
        "scope": "others",
        "reason": "ended",
        "sessions": sorted(row.id for row in others),
    }


def test_an_admin_ends_every_session_of_a_user(events):
    admin = factories.UserFactory(role=Role.ADMIN)
    user = factories.UserFactory()
    rows = [_start(user)[0] for _ in range(2)]
    admins_own, _ = _start(admin)
    stamp = user.session_token
    assert sessions.end_by_admin(db.session, admin, user) == 2
    assert all(r.ended_by_id == admin.id and r.end_reason == EndReason.ADMIN for r in rows)
    assert admins_own.ended_at is None
    assert user.session_token != stamp  # links emailed before stop working too
    assert events == [
        (
            admin,
            "session.ended",
            user,
            {
                "by": "admin",
                "scope": "all",
                "reason": "admin",
                "sessions": sorted(r.id for r in rows),
            },
        )
    ]


def test_only_an_admin_ends_a_users_sessions():
    officer = factories.UserFactory(role=Role.OFFICER)
    user = factories.UserFactory()
    row, _ = _start(user)
    with pytest.raises(NotAllowed):
        sessions.end_by_admin(db.session, officer, user)
    assert row.ended_at is None


def test_changing_the_password_ends_every_session_of_the_account(events):
    user = factories.UserFactory()
    rows = [_start(user)[0] for _ in range(2)]
    accounts.change_password(db.session, user, PASSWORD, "a brand new password")
    assert all(r.ended_at is not None and r.end_reason == EndReason.PASSWORD for r in rows)
    assert events[0][1:] == (
        "session.ended",
        user,
        {"by": "self", "scope": "all", "reason": "password", "sessions": [r.id for r in rows]},
    )


def test_a_password_reset_ends_every_session(app):
    user = factories.UserFactory()
    row, _ = _start(user)
    token = accounts.make_token("secret", user, "reset")
    accounts.set_password_with_token(db.session, "secret", token, "reset", 3600, "fresh password1")
    assert row.ended_at is not None and row.end_reason == EndReason.PASSWORD


def test_signing_out_everywhere_ends_every_session():
    user = factories.UserFactory()
    rows = [_start(user)[0] for _ in range(3)]
    accounts.end_sessions(db.session, user)
    assert all(r.end_reason == EndReason.SIGNED_OUT for r in rows)


def test_the_daily_clean_up_forgets_long_finished_sessions(app):
    user = factories.UserFactory()
    now = utcnow()
    long_ago = now - sessions.KEPT_AFTER_END - timedelta(days=1)
    ended_long_ago, _ = _start(user, now=long_ago - timedelta(days=1))
    ended_long_ago.ended_at = long_ago
    ended_lately, _ = _start(user, now=now - timedelta(days=2))
    ended_lately.ended_at = now - timedelta(days=1)
    idle_long_ago, _ = _start(user, now=long_ago - sessions.limits().idle)
    in_force, _ = _start(user)
    db.session.flush()
    ids = {r.id for r in (ended_long_ago, ended_lately, idle_long_ago, in_force)}
    assert sessions.forget_old(db.session, now) == 2
    db.session.expire_all()
    left = set(db.session.scalars(select(UserSession.id).where(UserSession.id.in_(ids))))
    assert left == {ended_lately.id, in_force.id}
