"""Organisations that register themselves to apply for grants, and their verification.

A self-registered organisation may draft applications at once; it submits once an officer has
verified it. Organisations the fund created itself need no verification."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.i18n import LANGUAGES
from fundtracker.models import (
    Organisation,
    OrganisationRegistration,
    Region,
    Role,
    User,
    bin_is_valid,
    utcnow,
)
from fundtracker.services import workflow
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


def register_organisation(session: Session, data: RegistrationData) -> User:
    """A new organisation and its contact person as its first grantee user. The organisation
    may draft applications at once; it submits once an officer has verified it."""
    bin_ = data.bin.strip().replace(" ", "")
    if not data.name.strip():
        raise DomainError(_l("Enter the organisation's name."), field="name")
    if not bin_is_valid(bin_):
        raise DomainError(_l("A BIN is 12 digits with a valid check digit."), field="bin")
    if session.scalar(select(Organisation.id).where(Organisation.bin == bin_)) is not None:
        raise Conflict(_l("An organisation with this BIN is already registered."), field="bin")
    if session.get(Region, data.region_id) is None:
        raise DomainError(_l("Choose a region."), field="region_id")
    email = User.normalise_email(data.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_l("A user with this email already exists."), field="email")
    if not data.contact_name.strip():
        raise DomainError(_l("Enter the contact person's name."), field="contact_name")
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
    )
    check_password_rules(data.password, user)
    user.password_hash = hash_password(data.password)
    user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    return user


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
