"""The accounting system records a tranche's payment through the API: the same service as the
tranche's page (workflow, audit event, the grantee told), the same rule, and safe to retry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import AuditEvent, Notification, ProjectStatus, TrancheStatus
from fundtracker.services import payments
from tests import factories
from tests.conftest import api_headers


@pytest.fixture
def tranche(app, grantee, officer):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    tranche = factories.TrancheFactory(project=project, amount=40_000_000_00)
    with app.test_request_context():
        payments.approve(db.session, officer, tranche, today())
    return tranche


def _pay(client, tranche, headers, **body):
    with client.application.test_request_context():
        paid_on = today().isoformat()
    return client.post(
        f"/api/v1/tranches/{tranche.id}/payment",
        json={"paid_on": paid_on, "reference": "PP-2026-118", **body},
        headers=headers,
    )


def _audited() -> list[AuditEvent]:
    return list(
        db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "payment.recorded"))
    )


def _told(user) -> list[str]:
    return list(
        db.session.scalars(
            db.select(Notification.message_key).where(Notification.user_id == user.id)
        )
    )


def test_a_payment_is_recorded_as_on_the_web(app, client, officer, grantee, tranche):
    # Above the web's threshold for a fresh proof: the token stands for it.
    assert tranche.amount > app.config["REAUTH_PAYMENT_ABOVE_TIYN"]
    response = _pay(client, tranche, api_headers(officer, ["write-payments"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == tranche.id and body["status"] == "paid"
    assert body["payment_reference"] == "PP-2026-118"
    assert body["amount"] == {"amount": 40_000_000_00, "currency": "KZT"}
    db.session.expire_all()
    assert tranche.status == TrancheStatus.PAID and tranche.paid_by_id == officer.id
    (event,) = _audited()
    assert event.actor_id == officer.id and event.target_id == str(tranche.id)
    assert json.loads(event.details)["reference"] == "PP-2026-118"
    assert _told(grantee) == ["tranche_approved", "tranche_paid"]


def test_a_retry_answers_the_same_and_records_nothing_more(client, officer, grantee, tranche):
    headers = api_headers(officer, ["write-payments"])
    first = _pay(client, tranche, headers)
    again = _pay(client, tranche, headers, reference=" PP-2026-118 ")
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert len(_audited()) == 1
    assert _told(grantee).count("tranche_paid") == 1


@pytest.mark.parametrize("change", ["reference", "paid_on"])
def test_another_payment_of_a_paid_tranche_is_409(client, officer, tranche, change):
    headers = api_headers(officer, ["write-payments"])
    assert _pay(client, tranche, headers).status_code == 200
    db.session.expire_all()
    other = (
        {"reference": "PP-2026-119"}
        if change == "reference"
        else {"paid_on": (tranche.paid_on - timedelta(days=1)).isoformat()}
    )
    response = _pay(client, tranche, headers, **other)
    assert response.status_code == 409
    assert "PP-2026-118" in response.get_json()["message"]
    db.session.expire_all()
    assert tranche.payment_reference == "PP-2026-118" and len(_audited()) == 1


def test_a_tranche_not_approved_is_422(client, officer, grantee):
    planned = factories.TrancheFactory(
        project=factories.ProjectFactory(organisation=grantee.organisation)
    )
    response = _pay(client, planned, api_headers(officer, ["write-payments"]))
    assert response.status_code == 422
    assert response.get_json()["message"] == "Only an approved tranche can be paid."
    db.session.expire_all()
    assert planned.status == TrancheStatus.PLANNED and _audited() == []


def test_a_date_in_the_future_is_422_on_its_field(client, officer, tranche):
    tomorrow = (tranche.approved_at.date() + timedelta(days=400)).isoformat()
    response = _pay(client, tranche, api_headers(officer, ["write-payments"]), paid_on=tomorrow)
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"json": {"paid_on": [body["message"]]}}
    assert _audited() == []


@pytest.mark.parametrize("reference", ["", "   "])
def test_a_reference_is_required(client, officer, tranche, reference):
    response = _pay(client, tranche, api_headers(officer, ["write-payments"]), reference=reference)
    assert response.status_code == 422
    assert "reference" in response.get_json()["errors"]["json"]


def test_without_the_scope_or_the_right_it_is_refused(client, officer, grantee, tranche):
    assert _pay(client, tranche, api_headers(officer, ["read"])).status_code == 403
    assert _pay(client, tranche, api_headers(grantee)).status_code == 403  # no such scope
    tranche.project.status = ProjectStatus.SUSPENDED
    db.session.flush()
    response = _pay(client, tranche, api_headers(officer, ["write-payments"]))
    assert response.status_code == 403
    db.session.expire_all()
    assert tranche.status == TrancheStatus.APPROVED and _audited() == []


def test_a_missing_tranche_is_404(client, officer):
    response = client.post(
        "/api/v1/tranches/2147483647/payment",
        json={"paid_on": "2026-01-05", "reference": "PP-1"},
        headers=api_headers(officer, ["write-payments"]),
    )
    assert response.status_code == 404
