"""In-kind support (issue #21): the catalogue, and a project's deliveries from plan to the
grantee's confirmation of receipt.

A delivery is planned by staff (item, quantity, day, receiving facility and its region; the
unit's value is taken from the catalogue then and kept), delivered (staff record the quantity and
day), then the grantee confirms receipt with evidence (files checked as every upload is): the
quantity received equal to the one delivered confirms it; another quantity is a discrepancy, with
what the grantee says, which staff settle by fixing the quantity received. Each step moves through
the workflow (services/workflow/tables.py, INKIND) and tells the other side.

What counts in the project's totals (`value`): the quantity received once confirmed, the
quantity delivered until then, the smaller of the two while disputed; planned quantities are
shown apart and never counted as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.core.storage import Storage
from fundtracker.models import (
    DeliveryStatus,
    FileKind,
    InKindDelivery,
    InKindItem,
    InKindKind,
    Project,
    Region,
    StoredFile,
    User,
    utcnow,
)
from fundtracker.services import audit, events, files, workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

NAME_MAX = 300
UNIT_MAX = 50
FACILITY_MAX = 300
NOTE_MAX = 5000
QUANTITY_MAX = 10_000_000


def _check_version(delivery: InKindDelivery, expected: int | None) -> None:
    if expected is not None and delivery.version_id != expected:
        raise Conflict(
            _l("Someone else changed this delivery meanwhile. Reload the page and try again.")
        )


def _quantity(value: int | None, field: str, *, zero: bool = False) -> int:
    if value is None:
        raise DomainError(_l("Give the quantity."), field=field)
    if value < (0 if zero else 1) or value > QUANTITY_MAX:
        raise DomainError(_l("Give a whole number of units above zero."), field=field)
    return value


# The catalogue -----------------------------------------------------------------------------------


@dataclass
class ItemData:
    kind: InKindKind
    name_kk: str
    name_ru: str
    name_en: str
    unit: str
    unit_value: int | None
    active: bool = True


def catalogue(session: Session, *, active_only: bool = False) -> list[InKindItem]:
    query = select(InKindItem).order_by(InKindItem.kind, InKindItem.name_ru, InKindItem.id)
    if active_only:
        query = query.where(InKindItem.active.is_(True))
    return list(session.scalars(query))


def _fill_item(item: InKindItem, data: ItemData) -> None:
    names = [
        " ".join((n or "").split())[:NAME_MAX] for n in (data.name_kk, data.name_ru, data.name_en)
    ]
    if not any(names):
        raise DomainError(_l("Give the item's name in at least one language."), field="name_ru")
    unit = " ".join((data.unit or "").split())
    if not unit or len(unit) > UNIT_MAX:
        raise DomainError(_l("Give the unit, such as a pack or a piece."), field="unit")
    if data.unit_value is None or data.unit_value <= 0:
        raise DomainError(_l("Give the value of one unit, above zero."), field="unit_value")
    item.kind = data.kind
    item.name_kk, item.name_ru, item.name_en = names
    item.unit = unit
    item.unit_value = data.unit_value
    item.active = data.active


def save_item(session: Session, actor: User, item: InKindItem | None, data: ItemData) -> InKindItem:
    """Add a catalogue item (`item` None) or change one; a change of value applies to
    deliveries planned from now on."""
    if not permissions.can_manage_inkind(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    new = item is None
    item = item or InKindItem()
    _fill_item(item, data)
    if new:
        session.add(item)
    session.flush()
    audit.record(
        session,
        actor,
        "inkind.item_added" if new else "inkind.item_changed",
        target=item,
        details={"kind": item.kind.value, "unit_value": item.unit_value, "active": item.active},
    )
    return item


# Deliveries --------------------------------------------------------------------------------------


@dataclass
class PlanData:
    item: InKindItem | None
    quantity: int | None
    planned_on: date | None
    facility: str
    region: Region | None


def plan_delivery(
    session: Session, actor: User, project: Project, data: PlanData
) -> InKindDelivery:
    if not permissions.can_manage_inkind_for(actor, project):
        raise NotAllowed(_l("Only fund staff can do this, on a project that is not closed."))
    if data.item is None or not data.item.active:
        raise DomainError(_l("Choose an item of the catalogue."), field="item_id")
    quantity = _quantity(data.quantity, "quantity")
    if data.planned_on is None:
        raise DomainError(_l("Give the planned day."), field="planned_on")
    facility = " ".join((data.facility or "").split())
    if not facility or len(facility) > FACILITY_MAX:
        raise DomainError(_l("Name the facility that receives it."), field="facility")
    if data.region is None:
        raise DomainError(_l("Choose the region."), field="region_id")
    delivery = InKindDelivery(
        project=project,
        item=data.item,
        unit_value=data.item.unit_value,
        quantity_planned=quantity,
        planned_on=data.planned_on,
        facility=facility,
        region=data.region,
        discrepancy="",
        resolution="",
    )
    session.add(delivery)
    session.flush()
    events.record(
        session,
        project,
        actor,
        "inkind_planned",
        item=data.item.name_ru or data.item.name_kk or data.item.name_en,
        quantity=quantity,
        amount=delivery.planned_value,
    )
    return delivery


def record_delivery(
    session: Session,
    actor: User,
    delivery: InKindDelivery,
    *,
    quantity: int | None,
    delivered_on: date | None,
    today: date,
    expected_version: int | None,
) -> InKindDelivery:
    _check_version(delivery, expected_version)
    workflow.check_to(actor, delivery, DeliveryStatus.DELIVERED)
    delivery.quantity_delivered = _quantity(quantity, "quantity")
    if delivered_on is None:
        raise DomainError(_l("Give the day it was delivered."), field="delivered_on")
    if delivered_on > today:
        raise DomainError(
            _l("A delivery cannot be recorded before it happens."), field="delivered_on"
        )
    delivery.delivered_on = delivered_on
    delivery.delivered_by_id = actor.id
    workflow.move(session, actor, delivery, "deliver", today=today)
    return delivery


def confirm_receipt(
    session: Session,
    storage: Storage,
    actor: User,
    delivery: InKindDelivery,
    *,
    quantity: int | None,
    note: str,
    uploads: Iterable[files.Upload],
    expected_version: int | None,
    stored_keys: list[str],
) -> InKindDelivery:
    """The grantee's word on what arrived, with at least one file of evidence (a signed
    acceptance act, a photo): the quantity delivered confirms it; another one is a discrepancy,
    which needs the grantee's explanation. The keys of the files written go to `stored_keys`,
    for the caller to discard if the transaction fails."""
    _check_version(delivery, expected_version)
    received = _quantity(quantity, "quantity", zero=True)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("The explanation is too long."), field="note")
    target = (
        DeliveryStatus.CONFIRMED
        if received == delivery.quantity_delivered
        else DeliveryStatus.DISPUTED
    )
    workflow.check_to(actor, delivery, target)
    if target == DeliveryStatus.DISPUTED and not note:
        raise DomainError(
            _l("Say what arrived, and what is missing or wrong: the quantity differs."),
            field="note",
        )

    def store_one(upload: files.Upload) -> StoredFile:
        stored = files.store(
            session,
            storage,
            actor,
            delivery.project,
            upload.stream,
            upload.filename,
            FileKind.EVIDENCE,
        )
        delivery.files.append(stored)
        return stored

    keys, rejected = files.store_each(storage, uploads, store_one)
    stored_keys.extend(keys)
    if rejected:
        raise DomainError(rejected[0], field="evidence")
    if not keys and not [f for f in delivery.files if not f.is_deleted]:
        raise DomainError(
            _l("Attach the evidence of receipt: a signed acceptance act or a photo."),
            field="evidence",
        )
    delivery.quantity_received = received
    delivery.discrepancy = note if target == DeliveryStatus.DISPUTED else ""
    delivery.confirmed_at = utcnow()
    delivery.confirmed_by_id = actor.id
    workflow.move(
        session,
        actor,
        delivery,
        "confirm" if target == DeliveryStatus.CONFIRMED else "dispute",
        comment=delivery.discrepancy,
    )
    return delivery


def resolve(
    session: Session,
    actor: User,
    delivery: InKindDelivery,
    *,
    quantity: int | None,
    resolution: str,
    expected_version: int | None,
) -> InKindDelivery:
    """Staff settle a discrepancy: the quantity received that counts, and how it was settled."""
    _check_version(delivery, expected_version)
    workflow.check_to(actor, delivery, DeliveryStatus.CONFIRMED)
    received = _quantity(quantity, "quantity", zero=True)
    resolution = (resolution or "").strip()
    if not resolution or len(resolution) > NOTE_MAX:
        raise DomainError(_l("Say how the discrepancy was settled."), field="resolution")
    delivery.quantity_received = received
    delivery.resolution = resolution
    workflow.move(session, actor, delivery, "resolve", comment=resolution)
    return delivery


def cancel(
    session: Session, actor: User, delivery: InKindDelivery, expected_version: int | None
) -> InKindDelivery:
    _check_version(delivery, expected_version)
    workflow.move(session, actor, delivery, "cancel")
    return delivery


# Reading -----------------------------------------------------------------------------------------


def deliveries_of(session: Session, project: Project) -> list[InKindDelivery]:
    return list(
        session.scalars(
            select(InKindDelivery)
            .where(InKindDelivery.project_id == project.id)
            .options(joinedload(InKindDelivery.item), joinedload(InKindDelivery.region))
            .order_by(InKindDelivery.planned_on, InKindDelivery.id)
        )
    )


def _counted():
    """The quantity counted as given, in SQL (InKindDelivery.counted_quantity)."""
    d = InKindDelivery
    return case(
        (d.status == DeliveryStatus.CONFIRMED, func.coalesce(d.quantity_received, 0)),
        (d.status == DeliveryStatus.DELIVERED, func.coalesce(d.quantity_delivered, 0)),
        (
            d.status == DeliveryStatus.DISPUTED,
            case(
                (
                    func.coalesce(d.quantity_received, 0) < func.coalesce(d.quantity_delivered, 0),
                    func.coalesce(d.quantity_received, 0),
                ),
                else_=func.coalesce(d.quantity_delivered, 0),
            ),
        ),
        else_=0,
    )


def value_column():
    return func.coalesce(func.sum(InKindDelivery.unit_value * _counted()), 0)


def planned_column():
    return func.coalesce(
        func.sum(
            case(
                (
                    InKindDelivery.status != DeliveryStatus.CANCELLED,
                    InKindDelivery.unit_value * InKindDelivery.quantity_planned,
                ),
                else_=0,
            )
        ),
        0,
    )


def values_by_project(session: Session, project_ids: Iterable[int]) -> dict[int, int]:
    """In-kind value given (tiyn) per project, for the projects asked (absent: none)."""
    ids = list(project_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(InKindDelivery.project_id, value_column())
        .where(InKindDelivery.project_id.in_(ids))
        .group_by(InKindDelivery.project_id)
    )
    return {project_id: int(value) for project_id, value in rows}


@dataclass(frozen=True)
class Totals:
    planned: int
    given: int
    waiting: int  # deliveries delivered and not yet confirmed


def totals(session: Session, project_ids=None) -> Totals:
    """The in-kind figures of the projects asked (a subquery or list of ids), or of all."""
    query = select(
        planned_column(),
        value_column(),
        func.count().filter(InKindDelivery.status == DeliveryStatus.DELIVERED),
    )
    if project_ids is not None:
        query = query.where(InKindDelivery.project_id.in_(project_ids))
    planned, given, waiting = session.execute(query).one()
    return Totals(int(planned or 0), int(given or 0), int(waiting or 0))
