"""Payment requests: a grantee requests a payable tranche with its invoice and the account on
file; the officer approves (approving the tranche) or returns it; a payment by any path pays it.
A wrong account is refused and audited; one open request per tranche."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import (
    AuditEvent,
    MilestoneStatus,
    Notification,
    RequestStatus,
    Role,
    TrancheStatus,
)
from fundtracker.services import files, payments, workflow
from fundtracker.services import payment_requests as svc
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories
from tests.factories import PDF_BYTES

TODAY = date(2026, 12, 4)
IBAN = "KZ86125KZT5004100100"


@pytest.fixture
def tranche(grantee, officer):
    organisation = grantee.organisation
    organisation.iban, organisation.bic, organisation.kbe = IBAN, "KCJBKZKX", "18"
    project = factories.ProjectFactory(organisation=organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project, status=MilestoneStatus.ACCEPTED)
    return factories.TrancheFactory(project=project, milestone=milestone, amount=5_000_000_00)


def _data(**kw):
    values = dict(
        invoice_number="СФ-118",
        invoice_date=TODAY,
        iban="kz86 125K ZT50 0410 0100",
        bic="KCJBKZKX",
        kbe="18",
    )
    values.update(kw)
    return svc.RequestData(**values)


def _request(grantee, tranche, **kw):
    keys: list[str] = []
    return svc.request_payment(
        db.session,
        file_storage(),
        grantee,
        tranche,
        _data(**kw),
        [files.Upload(io.BytesIO(PDF_BYTES), "счёт.pdf")],
        TODAY,
        keys,
    )


def _told(user):
    return [
        n.message_key
        for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    ]


def test_requested_approved_and_paid_telling_each_side(grantee, officer, tranche):
    request = _request(grantee, tranche)
    assert request.status == RequestStatus.SUBMITTED and request.iban == IBAN
    assert _told(officer) == ["payment_requested"]
    svc.approve_request(db.session, officer, request, TODAY, None)
    assert request.status == RequestStatus.APPROVED
    assert tranche.status == TrancheStatus.APPROVED
    assert _told(grantee) == ["payment_request_approved"]  # once, not the tranche's too
    payments.record_payment(db.session, officer, tranche, TODAY, "ПП 4471", TODAY)
    assert request.status == RequestStatus.PAID
    assert _told(grantee) == ["payment_request_approved", "tranche_paid"]


def test_a_tranche_approved_from_a_list_approves_its_request(grantee, officer, tranche):
    request = _request(grantee, tranche)
    payments.approve(db.session, officer, tranche, TODAY)
    assert request.status == RequestStatus.APPROVED


def test_another_account_is_refused_and_audited(grantee, tranche):
    with pytest.raises(DomainError, match="do not match"):
        _request(grantee, tranche, iban="KZ75125KZT2069100100")
    audited = db.session.scalars(select(AuditEvent.action)).all()
    assert "payment_request.account_mismatch" in audited


def test_an_invalid_iban_and_a_missing_invoice_are_refused(grantee, tranche):
    with pytest.raises(DomainError, match="not a valid IBAN"):
        _request(grantee, tranche, iban="KZ00125KZT5004100100")
    with pytest.raises(DomainError, match="Attach the invoice"):
        svc.request_payment(db.session, file_storage(), grantee, tranche, _data(), [], TODAY, [])


def test_only_a_payable_tranche_is_requested_and_once(grantee, officer, tranche):
    tranche.milestone.status = MilestoneStatus.SUBMITTED
    with pytest.raises(DomainError, match="accepted"):
        _request(grantee, tranche)
    tranche.milestone.status = MilestoneStatus.ACCEPTED
    _request(grantee, tranche)
    with pytest.raises(DomainError, match="already been requested"):
        _request(grantee, tranche)


def test_returned_corrected_and_sent_again(grantee, officer, tranche):
    request = _request(grantee, tranche)
    with pytest.raises(DomainError):
        svc.return_request(db.session, officer, request, "  ", None)
    svc.return_request(db.session, officer, request, "Счёт без подписи.", None)
    assert request.status == RequestStatus.RETURNED
    assert "payment_request_returned" in _told(grantee)
    svc.resubmit(
        db.session,
        file_storage(),
        grantee,
        request,
        _data(invoice_number="СФ-118/1"),
        [files.Upload(io.BytesIO(PDF_BYTES), "счёт подписанный.pdf")],
        TODAY,
        None,
        [],
    )
    assert request.status == RequestStatus.SUBMITTED and len(request.files) == 2


def test_only_the_organisation_requests_and_only_staff_decide(grantee, officer, tranche):
    stranger = factories.UserFactory(
        role=Role.GRANTEE, organisation=factories.OrganisationFactory()
    )
    with pytest.raises(NotAllowed):
        _request(stranger, tranche)
    request = _request(grantee, tranche)
    with pytest.raises(NotAllowed):
        svc.approve_request(db.session, grantee, request, TODAY, None)
    assert "withdraw" in workflow.actions(grantee, request)
    svc.withdraw(db.session, grantee, request, None)
    assert request.status == RequestStatus.WITHDRAWN
    assert svc.open_request(tranche) is None
