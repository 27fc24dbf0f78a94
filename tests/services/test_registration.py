"""Self-registration: an unconfirmed account and a confirmation link for a new address, an email
to the owner for a known one, and the removal of accounts left unconfirmed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fundtracker import permissions
from fundtracker.core.extensions import db
from fundtracker.models import (
    Notification,
    Organisation,
    OrganisationRegistration,
    OutboxEmail,
    Role,
    User,
    utcnow,
)
from fundtracker.services import accounts
from fundtracker.services import registration as svc
from fundtracker.services.errors import DomainError, InvalidToken
from tests import factories

SECRET = "testing-key"  # TestingConfig's


def _data(**overrides) -> svc.RegistrationData:
    data = svc.RegistrationData(
        name="«Мейірім» қоры",
        bin=factories.valid_bin(91_001),
        region_id=factories.region("KZ-75").id,
        contact_name="Әлия",
        email="aliya@meirim.kz",
        password="a long enough password",
        locale="kk",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def _mail_to(address: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_address_gets_an_unconfirmed_account_and_a_link(app):
    user = svc.request_registration(db.session, _data())
    assert user.role == Role.GRANTEE and not user.email_confirmed
    assert not permissions.can_apply(user)
    (email,) = _mail_to("aliya@meirim.kz")
    assert "/auth/confirm/" in email.body_text and email.status.value == "pending"


def test_a_known_address_gets_nothing_but_an_email_to_its_owner(app):
    owner = factories.UserFactory(email="aliya@meirim.kz", name="Aliya", locale="ru")
    users, organisations = _count(User), _count(Organisation)
    assert svc.request_registration(db.session, _data(email="ALIYA@meirim.kz")) is None
    assert (_count(User), _count(Organisation)) == (users, organisations)
    (email,) = _mail_to("aliya@meirim.kz")
    assert email.recipient_id == owner.id
    assert "/auth/login" in email.body_text and "/auth/forgot" in email.body_text
    assert "/auth/confirm/" not in email.body_text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"bin": "123456789012"}, "bin"), ({"password": "short"}, "password")],
)
def test_a_known_address_is_checked_like_a_new_one(overrides, field):
    """Errors are the same for both: the form cannot tell them apart either."""
    factories.UserFactory(email="aliya@meirim.kz")
    for email in ("aliya@meirim.kz", "new@meirim.kz"):
        with pytest.raises(DomainError) as error:
            svc.request_registration(db.session, _data(email=email, **overrides))
        assert error.value.field == field
    assert _mail_to("aliya@meirim.kz") == []


def test_the_confirmation_link_works_once_and_expires(app):
    user = svc.request_registration(db.session, _data())
    token = accounts.make_token(SECRET, user, "confirm")
    with pytest.raises(InvalidToken, match="expired"):
        accounts.confirm_email(db.session, SECRET, token, max_age=-1)
    assert accounts.confirm_email(db.session, SECRET, token, max_age=3600) == user
    assert user.email_confirmed and permissions.can_apply(user)
    with pytest.raises(InvalidToken, match="already been used"):
        accounts.confirm_email(db.session, SECRET, token, max_age=3600)


def test_signing_out_does_not_spoil_the_confirmation_link(app):
    user = svc.request_registration(db.session, _data())
    token = accounts.make_token(SECRET, user, "confirm")
    accounts.end_sessions(db.session, user)
    assert accounts.confirm_email(db.session, SECRET, token, max_age=3600) == user


def test_a_password_set_by_an_emailed_link_confirms_the_address(app):
    user = svc.request_registration(db.session, _data())
    token = accounts.make_token(SECRET, user, "reset")
    accounts.set_password_with_token(db.session, SECRET, token, "reset", 3600, "another password")
    assert user.email_confirmed


# Removal of accounts left unconfirmed ---------------------------------------------------------


def _registered(n: int, days_ago: float, **overrides) -> User:
    user = svc.request_registration(
        db.session,
        _data(bin=factories.valid_bin(92_000 + n), email=f"user{n}@example.kz", **overrides),
    )
    user.created_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return user


def _exists(model, key) -> bool:
    db.session.expire_all()
    return db.session.get(model, key) is not None


def test_unconfirmed_accounts_go_after_a_week_with_their_empty_organisations():
    old = _registered(1, days_ago=8)
    db.session.add(Notification(user=old, subject="Hello", body="", url=""))
    recent = _registered(2, days_ago=6)
    confirmed = _registered(3, days_ago=30)
    confirmed.email_confirmed = True
    old_id, old_org = old.id, old.organisation_id
    db.session.flush()

    assert svc.remove_unconfirmed(db.session, utcnow(), days=7) == (1, 1)
    assert not _exists(User, old_id)
    assert not _exists(Organisation, old_org)
    assert not _exists(OrganisationRegistration, old_org)
    assert _count(Notification) == 0
    for kept in (recent, confirmed):
        assert _exists(User, kept.id) and _exists(Organisation, kept.organisation_id)
    # The confirmation email stays in the outbox's log, without its recipient.
    assert all(e.recipient_id is None for e in _mail_to("user1@example.kz"))


def test_an_organisation_someone_else_holds_on_to_stays():
    user = _registered(1, days_ago=8)
    colleague = factories.UserFactory(grantee=True, organisation=user.organisation)
    organisation_id = user.organisation_id
    assert svc.remove_unconfirmed(db.session, utcnow(), days=7) == (1, 0)
    assert _exists(Organisation, organisation_id) and _exists(User, colleague.id)


def test_an_account_the_funds_work_refers_to_stays():
    """An application made by the account (before the rule, or by a bug) keeps its author."""
    user = _registered(1, days_ago=8)
    factories.ApplicationFactory(organisation=user.organisation, created_by=user)
    assert svc.remove_unconfirmed(db.session, utcnow(), days=7) == (0, 0)
    assert _exists(User, user.id)


def test_organisations_the_fund_created_are_never_removed():
    organisation = factories.OrganisationFactory()
    user = factories.UserFactory(grantee=True, organisation=organisation, email_confirmed=False)
    user.created_at = utcnow() - timedelta(days=30)
    db.session.flush()
    assert svc.remove_unconfirmed(db.session, utcnow(), days=7) == (1, 0)
    assert _exists(Organisation, organisation.id)
