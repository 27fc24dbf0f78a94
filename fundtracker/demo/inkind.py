"""The demo's in-kind support (issue #21): a small catalogue of what the fund buys for children
(medicines for spinal muscular atrophy, prostheses, hearing aids, rehabilitation and school
equipment) and deliveries on four active projects of organisations other than grantee@'s (whose
account the browser journeys use): one received, one waiting for the grantee's confirmation,
one with a discrepancy, one planned."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.demo.organisations import DEMO_DOMAIN
from fundtracker.models import (
    DeliveryStatus,
    InKindDelivery,
    InKindItem,
    InKindKind,
    Project,
    ProjectStatus,
    User,
    utcnow,
)

CATALOGUE = [
    (InKindKind.MEDICINE, "Нусинерсен", "Нусинерсен", "Nusinersen", "флакон", 45_000_000_00),
    (InKindKind.MEDICINE, "Рисдиплам", "Рисдиплам", "Risdiplam", "флакон", 4_200_000_00),
    (
        InKindKind.DEVICE,
        "Балтыр протезі",
        "Протез голени",
        "Lower-leg prosthesis",
        "шт",
        1_200_000_00,
    ),
    (InKindKind.DEVICE, "Есту аппараты", "Слуховой аппарат", "Hearing aid", "шт", 450_000_00),
    (
        InKindKind.EQUIPMENT,
        "Оңалту тренажёры",
        "Реабилитационный тренажёр",
        "Rehabilitation trainer",
        "комплект",
        18_500_000_00,
    ),
    (
        InKindKind.EQUIPMENT,
        "Интерактивті тақта",
        "Интерактивная доска",
        "Interactive board",
        "шт",
        900_000_00,
    ),
]


def seed_inkind(session: Session, today: date) -> int:
    """Add the catalogue and deliveries when there is no catalogue yet; returns deliveries made."""
    if session.scalar(select(InKindItem.id).limit(1)) is not None:
        return 0
    items = [
        InKindItem(kind=k, name_kk=kk, name_ru=ru, name_en=en, unit=unit, unit_value=value)
        for k, kk, ru, en, unit, value in CATALOGUE
    ]
    session.add_all(items)
    grantee = session.scalar(select(User).where(User.email == f"grantee@{DEMO_DOMAIN}"))
    officer = session.scalar(select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    projects = [
        p
        for p in session.scalars(
            select(Project).where(Project.status == ProjectStatus.ACTIVE).order_by(Project.code)
        )
        if grantee is None or p.organisation_id != grantee.organisation_id
    ][:4]
    plans = [
        (items[0], 2, "КГП «Областная детская больница»", DeliveryStatus.CONFIRMED, 2),
        (items[2], 5, "Центр реабилитации «Балбөбек»", DeliveryStatus.DELIVERED, None),
        (items[3], 12, "Специальная школа-интернат № 3", DeliveryStatus.DISPUTED, 10),
        (items[4], 1, "Областной центр реабилитации", DeliveryStatus.PLANNED, None),
    ]
    made = 0
    for project, (item, quantity, facility, status, received) in zip(projects, plans, strict=False):
        delivered = status != DeliveryStatus.PLANNED
        delivery = InKindDelivery(
            project=project,
            item=item,
            unit_value=item.unit_value,
            quantity_planned=quantity,
            planned_on=today - timedelta(days=20) if delivered else today + timedelta(days=25),
            facility=facility,
            region_id=project.organisation.region_id,
            status=status,
            quantity_delivered=quantity if delivered else None,
            delivered_on=today - timedelta(days=14) if delivered else None,
            delivered_by_id=officer.id if officer and delivered else None,
            quantity_received=received,
            confirmed_at=utcnow() if received is not None else None,
            discrepancy="Два аппарата не работают, возвращены поставщику."
            if status == DeliveryStatus.DISPUTED
            else "",
            resolution="",
        )
        session.add(delivery)
        made += 1
    session.flush()
    return made
