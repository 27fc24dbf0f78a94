"""List scoping agrees with the per-object rules: for every role, the rows a list query keeps
are exactly the rows `can_view_*` lets the user open, so no list shows a row its page refuses
and no page is reachable only by guessing its id."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fundtracker import permissions
from fundtracker.core.extensions import db
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Organisation,
    Project,
    ReviewAssignment,
    Role,
    StoredReport,
)
from fundtracker.permissions import scopes
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ProjectFactory,
    StoredReportFactory,
    UserFactory,
)


@pytest.fixture
def world():
    """Two organisations, each with a project, a draft and a submitted application and a
    project report; a board report; a reviewer assigned to one application."""
    orgs = [OrganisationFactory(), OrganisationFactory()]
    projects = [ProjectFactory(organisation=org) for org in orgs]
    applications = []
    for org in orgs:
        applications.append(ApplicationFactory(organisation=org))
        applications.append(
            ApplicationFactory(organisation=org, status=ApplicationStatus.SUBMITTED)
        )
    for project in projects:
        StoredReportFactory(for_project=True, project=project)
    StoredReportFactory()
    reviewer = UserFactory(role=Role.REVIEWER)
    other_reviewer = UserFactory(role=Role.REVIEWER)
    db.session.add(ReviewAssignment(application=applications[1], reviewer=reviewer))
    db.session.add(ReviewAssignment(application=applications[3], reviewer=other_reviewer))
    db.session.flush()
    users = {
        "admin": UserFactory(role=Role.ADMIN),
        "officer": UserFactory(role=Role.OFFICER),
        "board": UserFactory(role=Role.BOARD),
        "reviewer": reviewer,
        "grantee": UserFactory(role=Role.GRANTEE, organisation=orgs[0]),
        "inactive grantee": UserFactory(role=Role.GRANTEE, organisation=orgs[0], active=False),
    }
    return users


ROLES = ["admin", "officer", "board", "reviewer", "grantee", "inactive grantee"]


def _ids(stmt) -> set[int]:
    return set(db.session.scalars(stmt))


@pytest.mark.parametrize("who", ROLES)
def test_project_lists_keep_what_project_pages_show(world, who):
    user = world[who]
    listed = _ids(select(Project.id).where(*scopes.projects(user)))
    openable = {
        p.id for p in db.session.scalars(select(Project)) if permissions.can_view_project(user, p)
    }
    assert listed == openable


@pytest.mark.parametrize("who", ROLES)
def test_organisation_lists_keep_what_organisation_pages_show(world, who):
    user = world[who]
    listed = _ids(select(Organisation.id).where(*scopes.organisations(user)))
    openable = {
        o.id
        for o in db.session.scalars(select(Organisation))
        if permissions.can_view_organisation(user, o)
    }
    assert listed == openable


@pytest.mark.parametrize("who", ROLES)
def test_application_lists_keep_what_application_pages_show(world, who):
    user = world[who]
    listed = _ids(select(Application.id).where(*scopes.applications(user)))
    openable = {
        a.id
        for a in db.session.scalars(select(Application))
        if permissions.can_view_application(user, a)
    }
    assert listed == openable


@pytest.mark.parametrize("who", ROLES)
def test_assignment_lists_keep_what_review_pages_show(world, who):
    user = world[who]
    listed = _ids(select(ReviewAssignment.id).where(*scopes.assignments(user)))
    openable = {
        a.id
        for a in db.session.scalars(select(ReviewAssignment))
        if permissions.can_view_assignment(user, a)
    }
    assert listed == openable


@pytest.mark.parametrize("who", ROLES)
def test_report_lists_keep_what_report_pages_show(world, who):
    user = world[who]
    listed = _ids(
        select(StoredReport.id).outerjoin(StoredReport.project).where(*scopes.reports(user))
    )
    openable = {
        r.id
        for r in db.session.scalars(select(StoredReport))
        if permissions.can_view_report(user, r)
    }
    assert listed == openable
