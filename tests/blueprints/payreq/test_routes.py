"""Payment requests through the pages: the grantee requests a payable tranche from the project
page with its invoice; the officer returns it, the grantee corrects it, the officer approves it
and records the payment. A refused form keeps what was typed and asks for the file again; the
board sees no invoice."""

from __future__ import annotations

import io

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import MilestoneStatus, PaymentRequest, RequestStatus, Role, StoredFile
from tests import factories
from tests.factories import PDF_BYTES

IBAN = "KZ86125KZT5004100100"


def _setup(grantee, officer):
    organisation = grantee.organisation
    organisation.iban, organisation.bic, organisation.kbe = IBAN, "KCJBKZKX", "18"
    project = factories.ProjectFactory(organisation=organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project, status=MilestoneStatus.ACCEPTED)
    return factories.TrancheFactory(project=project, milestone=milestone, amount=2_000_000_00)


def _form(**kw):
    data = {
        "invoice_number": "СФ-2026/77",
        "invoice_date": today().isoformat(),
        "iban": IBAN,
        "bic": "KCJBKZKX",
        "kbe": "18",
        "note": "",
        "invoice": (io.BytesIO(PDF_BYTES), "счёт.pdf"),
    }
    data.update(kw)
    return data


def test_request_return_correct_approve_and_pay(app, login, grantee, officer):
    tranche = _setup(grantee, officer)
    client = login(grantee)
    page = client.get(f"/projects/{tranche.project_id}").get_data(as_text=True)
    assert f'data-request-payment="{tranche.id}"' in page
    page = client.get(f"/payment-requests/tranches/{tranche.id}/request").get_data(as_text=True)
    assert f'value="{IBAN}"' in page  # the account on file, filled in
    response = client.post(
        f"/payment-requests/tranches/{tranche.id}/request",
        data=_form(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    request = db.session.scalar(select(PaymentRequest))

    staff = login(officer)
    response = staff.post(
        f"/payment-requests/{request.id}/return",
        data={"reason": "Нет подписи руководителя.", "version": request.version_id},
    )
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.status == RequestStatus.RETURNED

    client = login(grantee)
    page = client.get(f"/payment-requests/{request.id}/edit").get_data(as_text=True)
    assert "Нет подписи руководителя." in page and 'value="СФ-2026/77"' in page
    response = client.post(
        f"/payment-requests/{request.id}/edit",
        data=_form(version=request.version_id, invoice=(io.BytesIO(PDF_BYTES), "счёт 2.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302

    staff = login(officer)
    db.session.refresh(request)
    staff.post(f"/payment-requests/{request.id}/approve", data={"version": request.version_id})
    db.session.refresh(request)
    assert request.status == RequestStatus.APPROVED
    response = staff.post(
        f"/tranches/{tranche.id}/pay",
        data={"paid_on": today().isoformat(), "reference": "ПП 9901"},
    )
    db.session.refresh(request)
    assert request.status == RequestStatus.PAID, response.status_code

    invoice = db.session.scalars(select(StoredFile)).first()
    trustee = login(factories.UserFactory(role=Role.BOARD))
    assert trustee.get(f"/files/{invoice.id}").status_code == 404
    assert trustee.get(f"/payment-requests/{request.id}").status_code == 404


def test_another_account_is_refused_and_the_answers_kept(app, login, grantee, officer):
    tranche = _setup(grantee, officer)
    client = login(grantee)
    response = client.post(
        f"/payment-requests/tranches/{tranche.id}/request",
        data=_form(iban="KZ75125KZT2069100100", note="Срочно"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "do not match the account" in page and "choose the files again" in page
    assert 'value="СФ-2026/77"' in page and "Срочно" in page
    assert db.session.scalar(select(PaymentRequest)) is None
    assert db.session.scalar(select(StoredFile)) is None
