"""Organisations that register themselves to apply for grants, and their verification.

A self-registered organisation's contact person confirms the email address by an emailed link
first; then it may draft applications, and it submits once an officer has verified it.
Organisations the fund created itself need no verification. Accounts left unconfirmed are
removed after UNCONFIRMED_ACCOUNT_DAYS (remove_unconfirmed), with the organisation their
registration made when nothing else holds on to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.i18n import LANGUAGES
from fundtracker.models import (
    Base,
    Organisation,
    OrganisationRegistration,
    Region,
    Role,
    User,
    bin_is_valid,
    utcnow,
)
from fundtracker.services import accounts, workflow
from fundtracker.services.accounts import check_password_rules, hash_password
from fundtracker.services.errors import Conflict, DomainError, NotAllowed


@dataclass
class RegistrationData:
    name: str
    bin: str
    region_id: int
    contact_name: str
    email: str
    password: str
    locale: str = "kk"
    contact_phone: str = ""
    address: str = ""


def _check(session: Session, data: RegistrationData) -> str:
    """Everything about a registration but its email; the BIN as stored."""
    bin_ = data.bin.strip().replace(" ", "")
    if not data.name.strip():
        raise DomainError(_l("Enter the organisation's name."), field="name")
    if not bin_is_valid(bin_):
        raise DomainError(_l("A BIN is 12 digits with a valid check digit."), field="bin")
    if session.scalar(select(Organisation.id).where(Organisation.bin == bin_)) is not None:
        raise Conflict(_l("An organisation with this BIN is already registered."), field="bin")
    if session.get(Region, data.region_id) is None:
        raise DomainError(_l("Choose a region."), field="region_id")
    if not data.contact_name.strip():
        raise DomainError(_l("Enter the contact person's name."), field="contact_name")
    return bin_


def register_organisation(session: Session, data: RegistrationData) -> User:
    """A new organisation and its contact person as its first grantee user, whose email is not
    confirmed yet (accounts.confirm_email). The organisation may draft applications once it is;
    it submits once an officer has verified it. Refuses an email that has an account: the
    registration page uses `request_registration`, which does not tell."""
    bin_ = _check(session, data)
    email = User.normalise_email(data.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_l("A user with this email already exists."), field="email")
    organisation = Organisation(
        name=data.name.strip(),
        bin=bin_,
        region_id=data.region_id,
        address=data.address.strip(),
        contact_name=data.contact_name.strip(),
        contact_email=email,
        contact_phone=data.contact_phone.strip(),
    )
    session.add(organisation)
    session.flush()
    session.add(OrganisationRegistration(organisation_id=organisation.id))
    user = User(
        email=email,
        name=data.contact_name.strip(),
        role=Role.GRANTEE,
        locale=data.locale if data.locale in LANGUAGES else LANGUAGES[0],
        organisation_id=organisation.id,
        active=True,
        email_confirmed=False,
        org_manager=True,  # the organisation's first account manages its people
    )
    check_password_rules(data.password, user)
    user.password_hash = hash_password(data.password)
    user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    return user


def request_registration(session: Session, data: RegistrationData) -> User | None:
    """What the registration page does: the same checks and the same answer whether or not the
    email has an account, and about the same work (the password is hashed either way; the rest
    is a few rows and one queued email). A new address gets its organisation, its unconfirmed
    account and a confirmation link; an address with an account gets nothing but an email to
    its owner saying someone tried. Returns the new user, or None."""
    email = User.normalise_email(data.email)
    existing = session.scalar(select(User).where(User.email == email))
    if existing is None:
        user = register_organisation(session, data)
        accounts.queue_confirmation(session, user)
        return user
    _check(session, data)
    check_password_rules(data.password, User(email=email))
    hash_password(data.password)  # the work a new account's registration does
    accounts.queue_registration_attempt(session, existing)
    return None


def registration_of(session: Session, organisation_id: int) -> OrganisationRegistration | None:
    return session.get(OrganisationRegistration, organisation_id)


def is_verified(session: Session, organisation_id: int) -> bool:
    """Organisations the fund created need no verification; self-registered ones do."""
    registration = registration_of(session, organisation_id)
    return registration is None or registration.verified_at is not None


def verify_organisation(session: Session, actor: User, organisation: Organisation) -> None:
    if not permissions.can_verify_organisations(actor):
        raise NotAllowed(_l("Only fund staff can verify organisations."))
    registration = registration_of(session, organisation.id)
    if registration is None or registration.verified_at is not None:
        raise DomainError(_l("This organisation is already verified."))
    workflow.move(session, actor, registration, "verify")
    session.flush()


def unverified_organisations(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .join(OrganisationRegistration)
            .where(OrganisationRegistration.verified_at.is_(None))
            .order_by(Organisation.name)
        )
    )


# Accounts left unconfirmed -----------------------------------------------------------------------


def _held(session: Session, table_name: str, row_id: int) -> bool:
    """Whether a row of another table refers to row `row_id` of `table_name`, rows that go with
    it or forget it (ON DELETE CASCADE or SET NULL: notifications, the outbox's log, a
    registration) aside. Read from the models' foreign keys, so a table added later counts."""
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if (
                fk.column.table.name == table_name
                and (fk.ondelete or "").upper() not in ("CASCADE", "SET NULL")
                and session.scalar(select(exists().where(fk.parent == row_id)))
            ):
                return True
    return False


def remove_unconfirmed(session: Session, now: datetime, days: int) -> tuple[int, int]:
    """Remove the accounts that registered themselves more than `days` days ago and never
    confirmed their email, and the organisation each registration made when nothing but its
    registration refers to it any more. An account or organisation something else refers to is
    kept (a row of the fund's work must not lose its author). Returns (accounts, organisations)
    removed. Flushes, never commits."""
    users = session.scalars(
        select(User).where(
            User.email_confirmed.is_(False),
            User.role == Role.GRANTEE,
            User.created_at < now - timedelta(days=days),
        )
    ).all()
    removed_users = removed_organisations = 0
    for user in users:
        if _held(session, "users", user.id):
            continue
        organisation_id = user.organisation_id
        session.execute(delete(User).where(User.id == user.id))
        removed_users += 1
        # Only an organisation its registration made; its registration row goes with it.
        if session.get(OrganisationRegistration, organisation_id) is not None and not _held(
            session, "organisations", organisation_id
        ):
            session.execute(delete(Organisation).where(Organisation.id == organisation_id))
            removed_organisations += 1
    session.expire_all()
    session.flush()
    return removed_users, removed_organisations
