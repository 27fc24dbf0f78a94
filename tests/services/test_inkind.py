"""In-kind support: a delivery planned, delivered and confirmed with evidence, or disputed and
settled; what counts as given at each step; who may take each step, and who is told."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import DeliveryStatus, InKindKind, Notification, ProjectStatus, Role
from fundtracker.services import files, inkind, workflow
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories
from tests.factories import PDF_BYTES, region

TODAY = date(2026, 12, 4)


def _item(officer, value=250_000_00):
    return inkind.save_item(
        db.session,
        officer,
        None,
        inkind.ItemData(
            InKindKind.MEDICINE, "Нусинерсен", "Нусинерсен", "Nusinersen", "флакон", value
        ),
    )


def _planned(officer, project, quantity=10, value=250_000_00):
    return inkind.plan_delivery(
        db.session,
        officer,
        project,
        inkind.PlanData(
            _item(officer, value), quantity, TODAY, "Областная детская больница", region()
        ),
    )


def _delivered(officer, project, quantity=10):
    delivery = _planned(officer, project)
    inkind.record_delivery(
        db.session,
        officer,
        delivery,
        quantity=quantity,
        delivered_on=TODAY,
        today=TODAY,
        expected_version=None,
    )
    return delivery


def _confirm(grantee, delivery, quantity, note="", evidence=True):
    keys: list[str] = []
    uploads = [files.Upload(io.BytesIO(PDF_BYTES), "акт.pdf")] if evidence else []
    inkind.confirm_receipt(
        db.session,
        file_storage(),
        grantee,
        delivery,
        quantity=quantity,
        note=note,
        uploads=uploads,
        expected_version=None,
        stored_keys=keys,
    )
    return keys


@pytest.fixture
def project(grantee):
    return factories.ProjectFactory(organisation=grantee.organisation)


def test_planned_counts_nothing_delivered_counts_until_confirmed(officer, grantee, project):
    delivery = _planned(officer, project)
    assert delivery.value == 0 and delivery.planned_value == 2_500_000_00
    assert inkind.totals(db.session, [project.id]) == inkind.Totals(2_500_000_00, 0, 0)
    inkind.record_delivery(
        db.session,
        officer,
        delivery,
        quantity=10,
        delivered_on=TODAY,
        today=TODAY,
        expected_version=None,
    )
    assert inkind.totals(db.session, [project.id]).given == 2_500_000_00
    _confirm(grantee, delivery, 10)
    assert delivery.status == DeliveryStatus.CONFIRMED and len(delivery.files) == 1
    assert inkind.values_by_project(db.session, [project.id]) == {project.id: 2_500_000_00}


def test_a_discrepancy_counts_the_smaller_until_the_fund_settles_it(officer, grantee, project):
    delivery = _delivered(officer, project, quantity=10)
    with pytest.raises(DomainError, match="quantity differs"):
        _confirm(grantee, delivery, 8)
    _confirm(grantee, delivery, 8, note="Два флакона разбиты при перевозке.")
    assert delivery.status == DeliveryStatus.DISPUTED
    assert inkind.totals(db.session, [project.id]).given == 8 * 250_000_00
    inkind.resolve(
        db.session,
        officer,
        delivery,
        quantity=9,
        resolution="Один флакон найден на складе.",
        expected_version=None,
    )
    assert delivery.status == DeliveryStatus.CONFIRMED
    assert delivery.value == inkind.totals(db.session, [project.id]).given == 9 * 250_000_00


def test_receipt_needs_evidence_and_a_bad_file_leaves_nothing(officer, grantee, project):
    delivery = _delivered(officer, project)
    with pytest.raises(DomainError, match="evidence"):
        _confirm(grantee, delivery, 10, evidence=False)
    keys: list[str] = []
    with pytest.raises(DomainError):
        inkind.confirm_receipt(
            db.session,
            file_storage(),
            grantee,
            delivery,
            quantity=10,
            note="",
            uploads=[files.Upload(io.BytesIO(b"MZ\x90\x00 not a document"), "virus.exe")],
            expected_version=None,
            stored_keys=keys,
        )
    assert delivery.status == DeliveryStatus.DELIVERED and keys == []


def test_only_the_projects_grantee_confirms_and_only_staff_deliver(officer, grantee, project):
    delivery = _planned(officer, project)
    with pytest.raises(NotAllowed):
        inkind.record_delivery(
            db.session,
            grantee,
            delivery,
            quantity=1,
            delivered_on=TODAY,
            today=TODAY,
            expected_version=None,
        )
    inkind.record_delivery(
        db.session,
        officer,
        delivery,
        quantity=10,
        delivered_on=TODAY,
        today=TODAY,
        expected_version=None,
    )
    stranger = factories.UserFactory(
        role=Role.GRANTEE, organisation=factories.OrganisationFactory()
    )
    with pytest.raises(NotAllowed):
        _confirm(stranger, delivery, 10)
    with pytest.raises(NotAllowed):
        inkind.save_item(
            db.session,
            grantee,
            None,
            inkind.ItemData(InKindKind.DEVICE, "", "Протез", "", "шт", 1_00),
        )


def test_a_delivery_cannot_be_in_the_future_nor_planned_on_a_closed_project(officer):
    delivery = _planned(officer, factories.ProjectFactory())
    with pytest.raises(DomainError, match="before it happens"):
        inkind.record_delivery(
            db.session,
            officer,
            delivery,
            quantity=1,
            delivered_on=date(2027, 1, 1),
            today=TODAY,
            expected_version=None,
        )
    with pytest.raises(NotAllowed):
        _planned(officer, factories.ProjectFactory(status=ProjectStatus.CLOSED))


def test_each_step_tells_the_other_side(officer, grantee, project):
    project.officer = officer
    delivery = _delivered(officer, project)
    told = db.session.scalars(select(Notification).where(Notification.user_id == grantee.id))
    assert [n.message_key for n in told] == ["inkind_delivered"]
    _confirm(grantee, delivery, 9, note="Не хватает одного флакона.")
    told = db.session.scalars(select(Notification).where(Notification.user_id == officer.id))
    assert [n.message_key for n in told] == ["inkind_disputed"]
    assert "resolve" in workflow.actions(officer, delivery)


def test_the_catalogue_value_of_a_delivery_is_kept_when_the_catalogue_changes(officer, project):
    delivery = _planned(officer, project, value=100_00)
    item = delivery.item
    inkind.save_item(
        db.session,
        officer,
        item,
        inkind.ItemData(item.kind, item.name_kk, item.name_ru, item.name_en, item.unit, 200_00),
    )
    assert delivery.unit_value == 100_00 and item.unit_value == 200_00
