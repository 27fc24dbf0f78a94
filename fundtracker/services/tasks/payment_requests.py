"""Payment requests (issue #21): staff decide those sent; a grantee corrects those returned."""

from __future__ import annotations

from sqlalchemy import Row, Select, select

from fundtracker.models import PaymentRequest, Project, RequestStatus, Tranche
from fundtracker.permissions import scopes
from fundtracker.services.tasks.common import (
    _PROJECT_COLUMNS,
    TaskRow,
    _Ask,
    _own_first,
    _project_parts,
)


def _requests(ask: _Ask, status: RequestStatus, *columns) -> Select:
    return (
        select(
            PaymentRequest.id,
            PaymentRequest.requested_at,
            PaymentRequest.invoice_number,
            Tranche.amount,
            *_PROJECT_COLUMNS,
            *columns,
        )
        .join(PaymentRequest.tranche)
        .join(Tranche.project)
        .join(Project.organisation)
        .where(PaymentRequest.status == status, *scopes.projects(ask.user))
    )


def _decide_payment_requests(ask: _Ask) -> Select:
    rank = _own_first(ask)
    return _requests(ask, RequestStatus.SUBMITTED, rank).order_by(
        rank, PaymentRequest.requested_at, PaymentRequest.id
    )


def _returned_payment_requests(ask: _Ask) -> Select:
    return _requests(ask, RequestStatus.RETURNED).order_by(PaymentRequest.id)


def _payment_request_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.invoice_number,
        endpoint="payreq.detail",
        args={"request_id": r.id},
        moment=r.requested_at,
        amount=r.amount,
        **_project_parts(r, ask),
    )
