"""A small world for the API's tests: two organisations, each with a grantee, a project, a
milestone, a tranche, an indicator and an application; a call not open to applicants; a
published period with a shown and a hidden cell."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationStatus,
    CallStatus,
    CellStatus,
    Publication,
    PublishedCell,
    Role,
)
from tests import factories


def _project_with_plan(organisation):
    project = factories.ProjectFactory(organisation=organisation)
    milestone = factories.MilestoneFactory(project=project)
    tranche = factories.TrancheFactory(project=project, milestone=milestone)
    indicator = factories.ProjectIndicatorFactory(project=project)
    return project, milestone, tranche, indicator


@pytest.fixture
def world(grantee, officer, admin):
    own_org = grantee.organisation
    other_org = factories.OrganisationFactory(contact_phone="+7 701 000 00 00")
    other_grantee = factories.UserFactory(role=Role.GRANTEE, organisation=other_org)
    own, own_milestone, own_tranche, own_indicator = _project_with_plan(own_org)
    other, other_milestone, other_tranche, other_indicator = _project_with_plan(other_org)
    open_call = factories.CallFactory()
    draft_call = factories.CallFactory(status=CallStatus.DRAFT)
    own_application = factories.ApplicationFactory(
        organisation=own_org, created_by=grantee, call=open_call
    )
    other_application = factories.application_in(
        ApplicationStatus.UNDER_REVIEW, organisation=other_org, call=open_call
    )
    publication = Publication(
        period="2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        published_by_id=officer.id,
        published_at=datetime(2026, 1, 20, 6, 0, tzinfo=UTC),
        audit={},
    )
    db.session.add(publication)
    db.session.flush()
    standard_id = own_indicator.standard_id
    db.session.add_all(
        [
            PublishedCell(
                publication_id=publication.id,
                standard_id=standard_id,
                table="total",
                value=240,
                reports=3,
                projects=2,
                target=300,
                status=CellStatus.SHOWN,
            ),
            PublishedCell(
                publication_id=publication.id,
                standard_id=standard_id,
                table="sex",
                category="male",
                value=3,
                reports=1,
                projects=1,
                status=CellStatus.PRIMARY,
            ),
        ]
    )
    db.session.flush()
    return SimpleNamespace(
        grantee=grantee,
        officer=officer,
        admin=admin,
        board=factories.UserFactory(role=Role.BOARD),
        reviewer=factories.UserFactory(role=Role.REVIEWER),
        other_grantee=other_grantee,
        own_org=own_org,
        other_org=other_org,
        own=own,
        other=other,
        own_milestone=own_milestone,
        other_milestone=other_milestone,
        own_tranche=own_tranche,
        other_tranche=other_tranche,
        own_indicator=own_indicator,
        other_indicator=other_indicator,
        open_call=open_call,
        draft_call=draft_call,
        own_application=own_application,
        other_application=other_application,
        publication=publication,
    )
