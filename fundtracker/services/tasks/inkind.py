"""In-kind deliveries (issue #21): a grantee confirms what was delivered; staff settle what a
grantee disputed."""

from __future__ import annotations

from sqlalchemy import Row, Select, select

from fundtracker.models import DeliveryStatus, InKindDelivery, InKindItem, Project, localized
from fundtracker.permissions import scopes
from fundtracker.services.tasks.common import (
    _PROJECT_COLUMNS,
    TaskRow,
    _Ask,
    _own_first,
    _project_parts,
)


def _deliveries(ask: _Ask, status: DeliveryStatus, *columns) -> Select:
    return (
        select(
            InKindDelivery.id,
            InKindDelivery.delivered_on,
            InKindDelivery.unit_value,
            InKindDelivery.quantity_delivered,
            InKindItem.name_kk,
            InKindItem.name_ru,
            InKindItem.name_en,
            *_PROJECT_COLUMNS,
            *columns,
        )
        .join(InKindDelivery.item)
        .join(InKindDelivery.project)
        .join(Project.organisation)
        .where(InKindDelivery.status == status, *scopes.projects(ask.user))
    )


def _confirm_deliveries(ask: _Ask) -> Select:
    return _deliveries(ask, DeliveryStatus.DELIVERED).order_by(
        InKindDelivery.delivered_on, InKindDelivery.id
    )


def _settle_deliveries(ask: _Ask) -> Select:
    rank = _own_first(ask)
    return _deliveries(ask, DeliveryStatus.DISPUTED, rank).order_by(
        rank, InKindDelivery.delivered_on, InKindDelivery.id
    )


def _delivery_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=localized(r, "name", ask.locale),
        endpoint="inkind.delivery",
        args={"delivery_id": r.id},
        day=r.delivered_on,
        amount=r.unit_value * (r.quantity_delivered or 0),
        **_project_parts(r, ask),
    )
