from datetime import timedelta

import pytest
import time_machine

from fundtracker.core.extensions import db
from fundtracker.models import LoginAttempt, utcnow
from fundtracker.services import accounts
from fundtracker.services.errors import (
    DomainError,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
)
from tests import factories
from tests.factories import PASSWORD

LIMITS = accounts.LoginLimits(window=timedelta(minutes=15), per_account=3, per_address=5)
SECRET = "test-secret"


def _try(email, password, address="10.0.0.1", now=None):
    attempt = accounts.begin_attempt(db.session, email, address, now=now)
    return accounts.authenticate(db.session, attempt, password, LIMITS)


def test_right_password_signs_in_and_records_the_attempt():
    user = factories.UserFactory(email="aliya@example.kz")
    assert _try("ALIYA@example.kz ", PASSWORD) == user
    assert user.last_login_at is not None
    attempt = db.session.scalars(db.select(LoginAttempt)).one()
    assert attempt.succeeded and attempt.email == "aliya@example.kz"


@pytest.mark.parametrize("email", ["aliya@example.kz", "nobody@example.kz"])
def test_wrong_password_or_unknown_email_is_refused_the_same_way(email):
    factories.UserFactory(email="aliya@example.kz")
    with pytest.raises(InvalidCredentials) as error:
        _try(email, "wrong password")
    assert str(error.value.message) == "Wrong email or password."


def test_inactive_account_cannot_sign_in():
    factories.UserFactory(email="aliya@example.kz", active=False)
    with pytest.raises(InvalidCredentials):
        _try("aliya@example.kz", PASSWORD)


def test_invited_user_without_password_cannot_sign_in():
    factories.UserFactory(email="aliya@example.kz", password_hash=None)
    with pytest.raises(InvalidCredentials):
        _try("aliya@example.kz", "")


def test_account_is_throttled_after_too_many_failures_even_with_the_right_password():
    factories.UserFactory(email="aliya@example.kz")
    now = utcnow()
    for i in range(LIMITS.per_account):
        with pytest.raises(InvalidCredentials):
            _try("aliya@example.kz", "wrong", address=f"10.0.0.{i}", now=now)
    with pytest.raises(LoginThrottled):
        _try("aliya@example.kz", PASSWORD, address="10.9.9.9", now=now)
    # After the window the account opens again.
    assert _try("aliya@example.kz", PASSWORD, now=now + LIMITS.window + timedelta(seconds=1))


def test_address_is_throttled_across_accounts():
    now = utcnow()
    for i in range(LIMITS.per_address):
        with pytest.raises(InvalidCredentials):
            _try(f"user{i}@example.kz", "wrong", address="10.0.0.7", now=now)
    factories.UserFactory(email="fresh@example.kz")
    with pytest.raises(LoginThrottled):
        _try("fresh@example.kz", PASSWORD, address="10.0.0.7", now=now)
    assert _try("fresh@example.kz", PASSWORD, address="10.0.0.8", now=now)


def test_success_resets_the_account_count():
    factories.UserFactory(email="aliya@example.kz")
    now = utcnow()
    for _ in range(LIMITS.per_account - 1):
        with pytest.raises(InvalidCredentials):
            _try("aliya@example.kz", "wrong", now=now)
    _try("aliya@example.kz", PASSWORD, now=now + timedelta(seconds=1))
    for _ in range(LIMITS.per_account - 1):
        with pytest.raises(InvalidCredentials):
            _try("aliya@example.kz", "wrong", now=now + timedelta(seconds=2))
    assert _try("aliya@example.kz", PASSWORD, now=now + timedelta(seconds=3))


def test_password_rules():
    user = factories.UserFactory(email="aliya@example.kz")
    with pytest.raises(DomainError):
        accounts.set_password(user, "short")
    with pytest.raises(DomainError):
        accounts.set_password(user, "ALIYA@example.kz")


def test_change_password_checks_the_current_one_and_ends_other_sessions():
    user = factories.UserFactory()
    token_before = user.session_token
    with pytest.raises(DomainError):
        accounts.change_password(db.session, user, "not it", "a brand new password")
    accounts.change_password(db.session, user, PASSWORD, "a brand new password")
    assert user.session_token != token_before
    assert _try(user.email, "a brand new password") == user


def test_reset_token_works_once():
    user = factories.UserFactory()
    token = accounts.make_token(SECRET, user, "reset")
    assert accounts.user_for_token(db.session, SECRET, token, "reset", 3600) == user
    accounts.set_password_with_token(
        db.session, SECRET, token, "reset", 3600, "another good password"
    )
    with pytest.raises(InvalidToken):
        accounts.user_for_token(db.session, SECRET, token, "reset", 3600)


def test_reset_token_expires():
    user = factories.UserFactory()
    with time_machine.travel("2026-01-01 00:00 +0000", tick=False):
        token = accounts.make_token(SECRET, user, "reset")
    with time_machine.travel("2026-01-01 02:00:01 +0000", tick=False), pytest.raises(InvalidToken):
        accounts.user_for_token(db.session, SECRET, token, "reset", 2 * 3600)


def test_tokens_are_bound_to_their_purpose_and_key():
    user = factories.UserFactory()
    invite = accounts.make_token(SECRET, user, "invite")
    with pytest.raises(InvalidToken):
        accounts.user_for_token(db.session, SECRET, invite, "reset", 3600)
    with pytest.raises(InvalidToken):
        accounts.user_for_token(db.session, "other-secret", invite, "invite", 3600)


def test_token_of_a_deactivated_user_is_refused():
    user = factories.UserFactory()
    token = accounts.make_token(SECRET, user, "reset")
    user.active = False
    with pytest.raises(InvalidToken):
        accounts.user_for_token(db.session, SECRET, token, "reset", 3600)


def test_ipv6_clients_are_counted_by_their_64_block():
    assert accounts.normalise_address("2001:db8:1:2:aaaa::1") == accounts.normalise_address(
        "2001:db8:1:2:bbbb::9"
    )
    assert accounts.normalise_address("10.0.0.1") == "10.0.0.1"


def test_a_link_stops_working_when_the_email_is_corrected():
    user = factories.UserFactory(email="typo@example.kz")
    token = accounts.make_token(SECRET, user, "invite")
    user.email = "right@example.kz"
    with pytest.raises(InvalidToken):
        accounts.user_for_token(db.session, SECRET, token, "invite", 3600)
