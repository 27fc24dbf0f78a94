"""Partner organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import (
    Organisation,
    OrganisationRegistration,
    Project,
    Region,
    User,
    bin_is_valid,
    iban_is_valid,
)
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.search import contains_folded


@dataclass
class OrganisationData:
    name: str
    bin: str
    region_id: int
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    # The account the fund pays to (issue #21); empty: none on file yet.
    iban: str = ""
    bic: str = ""
    kbe: str = ""


def _validate(session: Session, data: OrganisationData, except_id: int | None = None) -> None:
    data.bin = data.bin.strip().replace(" ", "")
    if not bin_is_valid(data.bin):
        raise DomainError(_l("A BIN is 12 digits with a valid check digit."), field="bin")
    other = session.scalar(select(Organisation).where(Organisation.bin == data.bin))
    if other is not None and other.id != except_id:
        raise Conflict(_l("An organisation with this BIN is already registered."), field="bin")
    if session.get(Region, data.region_id) is None:
        raise DomainError(_l("Choose a region."), field="region_id")
    data.iban = "".join(data.iban.split()).upper()
    data.bic = "".join(data.bic.split()).upper()
    data.kbe = data.kbe.strip()
    if data.iban and not iban_is_valid(data.iban):
        raise DomainError(
            _l("This is not a valid IBAN: a Kazakh one is KZ and 18 more letters and digits."),
            field="iban",
        )
    if data.iban and not (8 <= len(data.bic) <= 11 and data.bic.isalnum()):
        raise DomainError(_l("A BIC is 8 or 11 letters and digits."), field="bic")
    if data.iban and not (len(data.kbe) == 2 and data.kbe.isdigit()):
        raise DomainError(_l("The beneficiary code (KBe) is two digits."), field="kbe")


def _apply(organisation: Organisation, data: OrganisationData) -> None:
    organisation.name = data.name.strip()
    organisation.bin = data.bin
    organisation.region_id = data.region_id
    organisation.address = data.address.strip()
    organisation.contact_name = data.contact_name.strip()
    organisation.contact_email = data.contact_email.strip()
    organisation.contact_phone = data.contact_phone.strip()
    organisation.iban, organisation.bic, organisation.kbe = data.iban, data.bic, data.kbe


def create_organisation(session: Session, actor: User, data: OrganisationData) -> Organisation:
    if not permissions.can_manage_organisations(actor):
        raise NotAllowed(_l("You may not manage organisations."))
    _validate(session, data)
    organisation = Organisation()
    _apply(organisation, data)
    session.add(organisation)
    session.flush()
    return organisation


def update_organisation(
    session: Session, actor: User, organisation: Organisation, data: OrganisationData
) -> Organisation:
    if not permissions.can_edit_organisation(actor, organisation):
        raise NotAllowed(_l("You may not manage organisations."))
    _validate(session, data, except_id=organisation.id)
    _apply(organisation, data)
    session.flush()
    return organisation


@dataclass
class OrganisationFilter:
    """What the list of organisations is narrowed to; "" or None is no condition. `verified`:
    True for organisations that may submit (verified, or created by the fund), False for
    self-registered ones waiting for an officer's verification."""

    q: str = ""
    region_id: int | None = None
    verified: bool | None = None


@dataclass(frozen=True)
class OrganisationRow:
    """A row of the list: the organisation, its number of projects and its verification (a
    registration's date; none for the organisations the fund created, which need none)."""

    organisation: Organisation
    projects: int
    registered: bool
    verified_at: datetime | None

    @property
    def verified(self) -> bool:
        return not self.registered or self.verified_at is not None


def list_query(flt: OrganisationFilter | None = None) -> Select:
    """The organisations that match `flt`, by name (ties by id), their region loaded: a select
    for `db.paginate`; `rows` adds what else a row shows. Searches the name
    (case-insensitively, Cyrillic included) and the BIN (spaces ignored)."""
    flt = flt or OrganisationFilter()
    query = (
        select(Organisation)
        .options(joinedload(Organisation.region))
        .order_by(Organisation.name, Organisation.id)
    )
    text = flt.q.strip()
    if text:
        digits = text.replace(" ", "")
        by_bin = [Organisation.bin.contains(digits, autoescape=True)] if digits.isdigit() else []
        query = query.where(or_(contains_folded(Organisation.name, text), *by_bin))
    if flt.region_id is not None:
        query = query.where(Organisation.region_id == flt.region_id)
    if flt.verified is not None:
        waiting = (
            select(OrganisationRegistration.organisation_id)
            .where(OrganisationRegistration.verified_at.is_(None))
            .scalar_subquery()
        )
        query = query.where(
            Organisation.id.not_in(waiting) if flt.verified else Organisation.id.in_(waiting)
        )
    return query


def rows(session: Session, organisations: list[Organisation]) -> list[OrganisationRow]:
    """The list's rows for a page of organisations: two more queries, however long the page."""
    ids = [o.id for o in organisations]
    if not ids:
        return []
    counts = dict(
        session.execute(
            select(Project.organisation_id, func.count(Project.id))
            .where(Project.organisation_id.in_(ids))
            .group_by(Project.organisation_id)
        ).all()
    )
    registrations = dict(
        session.execute(
            select(
                OrganisationRegistration.organisation_id, OrganisationRegistration.verified_at
            ).where(OrganisationRegistration.organisation_id.in_(ids))
        ).all()
    )
    return [
        OrganisationRow(
            organisation=o,
            projects=counts.get(o.id, 0),
            registered=o.id in registrations,
            verified_at=registrations.get(o.id),
        )
        for o in organisations
    ]


def waiting_for_verification(session: Session, limit: int) -> tuple[list[Organisation], int]:
    """The first `limit` self-registered organisations an officer has not verified yet (the
    earliest registered first), and how many there are."""
    waiting = select(OrganisationRegistration.organisation_id).where(
        OrganisationRegistration.verified_at.is_(None)
    )
    total = session.scalar(select(func.count()).select_from(waiting.subquery()))
    if not total:
        return [], 0
    first = session.scalars(
        select(Organisation)
        .join(OrganisationRegistration)
        .where(OrganisationRegistration.verified_at.is_(None))
        .order_by(OrganisationRegistration.registered_at, Organisation.id)
        .limit(limit)
    ).all()
    return list(first), total
