"""In-kind support through the pages: staff add an item to the catalogue, plan and record a
delivery; the grantee confirms it with the signed act; the project page counts it. A refused
form keeps what was typed; the board does not open a receipt."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import DeliveryStatus, InKindDelivery, InKindItem, Role, StoredFile
from tests import factories
from tests.factories import PDF_BYTES


def test_a_delivery_from_the_catalogue_to_the_grantees_receipt(app, login, officer, grantee):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    staff = login(officer)
    response = staff.post(
        "/inkind/catalogue",
        data={
            "kind": "device",
            "name_ru": "Протез голени",
            "unit": "шт",
            "unit_value": "1 200 000",
            "active": "y",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(select(InKindItem))
    assert item.unit_value == 1_200_000_00 and item.active
    response = staff.post(
        f"/inkind/projects/{project.id}/new",
        data={
            "item_id": item.id,
            "quantity": "3",
            "planned_on": (today() + timedelta(days=7)).isoformat(),
            "facility": "Центр реабилитации «Балбөбек»",
            "region_id": project.organisation.region_id,
        },
    )
    assert response.status_code == 302
    delivery = db.session.scalar(select(InKindDelivery))
    response = staff.post(
        f"/inkind/{delivery.id}/deliver",
        data={"quantity": "3", "delivered_on": today().isoformat(), "version": delivery.version_id},
    )
    assert response.status_code == 302
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED

    client = login(grantee)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="inkind-table"' in page and "Протез голени" in page
    response = client.post(
        f"/inkind/{delivery.id}/confirm",
        data={
            "quantity": "3",
            "note": "",
            "version": delivery.version_id,
            "evidence": (io.BytesIO(PDF_BYTES), "акт приёма.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.CONFIRMED and delivery.value == 3_600_000_00
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-figure="inkind"' in page

    (receipt,) = db.session.scalars(select(StoredFile)).all()
    trustee = login(factories.UserFactory(role=Role.BOARD))
    assert trustee.get(f"/files/{receipt.id}").status_code == 404
    assert "акт" not in trustee.get(f"/inkind/{delivery.id}").get_data(as_text=True)


def test_a_discrepancy_without_a_word_is_refused_and_keeps_the_answers(
    app, login, officer, grantee
):
    project = factories.ProjectFactory(organisation=grantee.organisation)
    item = InKindItem(kind="medicine", name_ru="Нусинерсен", unit="флакон", unit_value=100_00)
    delivery = InKindDelivery(
        project=project,
        item=item,
        unit_value=100_00,
        quantity_planned=10,
        planned_on=today(),
        facility="Больница",
        region_id=project.organisation.region_id,
        status=DeliveryStatus.DELIVERED,
        quantity_delivered=10,
        delivered_on=today(),
        discrepancy="",
        resolution="",
    )
    db.session.add(delivery)
    db.session.flush()
    client = login(grantee)
    response = client.post(
        f"/inkind/{delivery.id}/confirm",
        data={
            "quantity": "8",
            "note": "",
            "version": delivery.version_id,
            "evidence": (io.BytesIO(PDF_BYTES), "акт.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="8"' in page and "choose the files again" in page
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert db.session.scalar(select(StoredFile)) is None
