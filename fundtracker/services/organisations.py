"""Partner organisations."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import Organisation, Project, Region, User, bin_is_valid
from fundtracker.services.errors import Conflict, DomainError, NotAllowed


@dataclass
class OrganisationData:
    name: str
    bin: str
    region_id: int
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _validate(session: Session, data: OrganisationData, except_id: int | None = None) -> None:
    data.bin = data.bin.strip().replace(" ", "")
    if not bin_is_valid(data.bin):
        raise DomainError(_l("A BIN is 12 digits with a valid check digit."), field="bin")
    other = session.scalar(select(Organisation).where(Organisation.bin == data.bin))
    if other is not None and other.id != except_id:
        raise Conflict(_l("An organisation with this BIN is already registered."), field="bin")
    if session.get(Region, data.region_id) is None:
        raise DomainError(_l("Choose a region."), field="region_id")


def _apply(organisation: Organisation, data: OrganisationData) -> None:
    organisation.name = data.name.strip()
    organisation.bin = data.bin
    organisation.region_id = data.region_id
    organisation.address = data.address.strip()
    organisation.contact_name = data.contact_name.strip()
    organisation.contact_email = data.contact_email.strip()
    organisation.contact_phone = data.contact_phone.strip()


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


def organisations_with_project_counts(session: Session) -> list[tuple[Organisation, int]]:
    counts = (
        select(Project.organisation_id, func.count(Project.id).label("n"))
        .group_by(Project.organisation_id)
        .subquery()
    )
    return [
        (organisation, count)
        for organisation, count in session.execute(
            select(Organisation, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.organisation_id == Organisation.id)
            .options(joinedload(Organisation.region))
            .order_by(Organisation.name)
        ).all()
    ]
