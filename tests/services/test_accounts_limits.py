"""The login limits cannot be turned against an account's owner, and the limits on mail about
accounts cannot be used up by a stranger."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import AccountMailRequest, LoginAttempt, OutboxEmail, utcnow
from fundtracker.services import accounts
from fundtracker.services.errors import InvalidCredentials, LoginThrottled
from tests import factories
from tests.factories import PASSWORD

LIMITS = accounts.LoginLimits(
    window=timedelta(minutes=15),
    per_account=3,
    per_address=50,
    account_window=timedelta(hours=1),
    account_wide=10,
)
OWNER_ADDRESS = "10.0.0.1"


def _try(password, address, now, email="aliya@example.kz"):
    """One attempt as the login view makes it: counted, judged, and marked when refused."""
    attempt = accounts.begin_attempt(db.session, email, address, now=now)
    try:
        return accounts.authenticate(db.session, attempt, password, LIMITS)
    except LoginThrottled as error:
        accounts.record_throttled(db.session, attempt.id, error, LIMITS)
        raise


def _guess(address, now, email="aliya@example.kz"):
    with pytest.raises((InvalidCredentials, LoginThrottled)) as refused:
        _try("a wrong guess", address, now, email)
    return type(refused.value)


def _notices():
    return db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == "aliya@example.kz")
    ).all()


@pytest.fixture
def owner():
    user = factories.UserFactory(email="aliya@example.kz", name="Aliya")
    _try(PASSWORD, OWNER_ADDRESS, utcnow() - timedelta(days=30))  # signed in from here before
    return user


def test_a_strangers_guesses_lock_out_the_stranger_not_the_owner(owner):
    now = utcnow()
    outcomes = [_guess("203.0.113.9", now) for _ in range(LIMITS.per_account + 5)]
    assert outcomes[: LIMITS.per_account] == [InvalidCredentials] * LIMITS.per_account
    assert set(outcomes[LIMITS.per_account :]) == {LoginThrottled}
    # Even with the right password the stranger's address stays locked out ...
    with pytest.raises(LoginThrottled):
        _try(PASSWORD, "203.0.113.9", now)
    # ... while the owner signs in from where they always have.
    assert _try(PASSWORD, OWNER_ADDRESS, now) == owner


def test_many_strangers_pause_new_addresses_only_and_the_owner_is_told_once(owner):
    now = utcnow()
    for i in range(LIMITS.account_wide):
        assert _guess(f"198.51.100.{i}", now) is InvalidCredentials
    # Past the account-wide limit: any address new to the account is paused ...
    for i in range(3):
        assert _guess(f"192.0.2.{i}", now) is accounts.SignInsPaused
    with pytest.raises(accounts.SignInsPaused):
        _try(PASSWORD, "192.0.2.200", now)
    # ... the owner's known address is not ...
    assert _try(PASSWORD, OWNER_ADDRESS, now) == owner
    # ... and the owner got one email about it, however many were refused.
    (notice,) = _notices()
    assert "wrong password" in notice.body_text and "/auth/forgot" in notice.body_text


def test_one_address_hammering_cannot_pause_the_account(owner):
    """Refused attempts are no guesses: they keep the hammering address locked out but do not
    count towards the account-wide limit."""
    now = utcnow()
    outcomes = [_guess("203.0.113.9", now) for _ in range(LIMITS.account_wide * 3)]
    assert outcomes.count(InvalidCredentials) == LIMITS.per_account
    assert _try(PASSWORD, "192.0.2.77", now) == owner  # a new address of the owner's
    assert _notices() == []


def test_the_pause_ends_with_its_window(owner):
    now = utcnow()
    for i in range(LIMITS.account_wide + 1):
        _guess(f"198.51.100.{i}", now)
    with pytest.raises(accounts.SignInsPaused):
        _try(PASSWORD, "192.0.2.1", now)
    later = now + LIMITS.account_window + timedelta(seconds=1)
    assert _try(PASSWORD, "192.0.2.1", later) == owner


def test_a_new_password_lifts_the_pause(owner):
    now = utcnow()
    for i in range(LIMITS.account_wide + 1):
        _guess(f"198.51.100.{i}", now)
    accounts.set_password(owner, "a brand new password", now=now + timedelta(seconds=1))
    assert _try("a brand new password", "192.0.2.1", now + timedelta(seconds=2)) == owner


def test_the_owners_own_failures_still_lock_the_owners_address(owner):
    now = utcnow()
    for _ in range(LIMITS.per_account):
        assert _guess(OWNER_ADDRESS, now) is InvalidCredentials
    with pytest.raises(LoginThrottled):
        _try(PASSWORD, OWNER_ADDRESS, now)


def test_attempts_refused_by_a_limit_are_marked():
    now = utcnow()
    for _ in range(LIMITS.per_account + 2):
        _guess("203.0.113.9", now, email="nobody@example.kz")
    marks = db.session.scalars(select(LoginAttempt.throttled).order_by(LoginAttempt.id)).all()
    assert marks == [False] * LIMITS.per_account + [True] * 2
    assert _notices() == []  # nobody to tell


# Mail about accounts ---------------------------------------------------------------------------

MAIL = accounts.MailLimits(window=timedelta(hours=1), per_email=3, per_address=5)


def _ask(email, address, now, work=accounts.request_password_reset):
    """As auth.limits.limited_mail_request does: counted, judged, refused when over."""
    request = accounts.begin_mail_request(db.session, "reset", email, address, now=now)
    try:
        accounts.check_mail_limits(db.session, request.id, MAIL)
    except accounts.TooManyRequests:
        accounts.refuse_mail_request(db.session, request.id)
        return False
    work(db.session, email)
    return True


def test_resets_are_limited_per_email_known_or_not():
    factories.UserFactory(email="aliya@example.kz")
    now = utcnow()
    for email in ("aliya@example.kz", "nobody@example.kz"):
        answered = [_ask(email, f"10.1.0.{i}", now) for i in range(6)]
        assert answered == [True] * MAIL.per_email + [False] * 3
    assert len(_notices()) == MAIL.per_email


def test_resets_are_limited_per_client_address():
    now = utcnow()
    answered = [_ask(f"user{i}@example.kz", "203.0.113.9", now) for i in range(8)]
    assert answered == [True] * MAIL.per_address + [False] * 3


def test_a_stranger_cannot_use_up_the_owners_allowance():
    """Refused requests do not count: once the window of the answered ones is over, the owner
    asks again however long the stranger has kept on. (And every answered one mailed the owner
    a working link.)"""
    factories.UserFactory(email="aliya@example.kz")
    start = utcnow()
    for minute in range(0, 120, 2):
        _ask("aliya@example.kz", "203.0.113.9", start + timedelta(minutes=minute))
    answered = db.session.scalars(
        select(AccountMailRequest.created_at).where(AccountMailRequest.kind == "reset")
    ).all()
    assert len(answered) == 2 * MAIL.per_email  # one allowance an hour, never more
    # The stranger's refused requests of the last hour hold nothing back.
    assert _ask("aliya@example.kz", OWNER_ADDRESS, max(answered) + MAIL.window)


def test_old_records_are_forgotten_but_known_addresses_kept(app, owner):
    now = utcnow()
    _guess("203.0.113.9", now - timedelta(days=8))
    _guess("203.0.113.9", now)
    _ask("aliya@example.kz", "203.0.113.9", now - timedelta(days=8))
    accounts.forget_old_requests(db.session, now)
    rows = db.session.scalars(select(LoginAttempt)).all()
    assert sorted((r.succeeded, r.created_at > now - timedelta(days=1)) for r in rows) == [
        (False, True),
        (True, False),  # the owner's sign-in of 30 days ago: the address stays known
    ]
    assert db.session.scalars(select(AccountMailRequest)).all() == []
