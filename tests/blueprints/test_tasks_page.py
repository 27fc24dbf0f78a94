"""The "My tasks" page for every role, its links to where each task is done, and the count
beside it in the navigation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import (
    ApplicationStatus,
    MilestoneStatus,
    MilestoneUpdate,
    OrganisationRegistration,
    ResultStatus,
    Role,
    UpdateStatus,
    utcnow,
)
from fundtracker.services import reviews as review_service
from tests import factories

S = ApplicationStatus


def badge(html: str) -> int | None:
    found = re.search(r'id="tasks-count"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else None


def counts(html: str) -> dict[str, int]:
    """Each group's count, by its key."""
    return {
        key: int(n)
        for key, n in re.findall(r'data-tasks="(\w+)">\s*<h2[^>]*>.*?data-count>(\d+)<', html, re.S)
    }


def unverified(name: str):
    organisation = factories.OrganisationFactory(name=name)
    db.session.add(OrganisationRegistration(organisation_id=organisation.id))
    db.session.flush()
    return organisation


@pytest.fixture
def world(grantee, officer):
    """Something waiting for the fund, for a reviewer and for the grantee."""
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    submitted = factories.MilestoneFactory(
        project=project, title="Equipment delivered", status=MilestoneStatus.SUBMITTED
    )
    db.session.add(
        MilestoneUpdate(
            milestone=submitted,
            author_id=grantee.id,
            status=UpdateStatus.SUBMITTED,
            narrative="Delivered.",
            progress=100,
            submitted_at=utcnow(),
        )
    )
    due = factories.MilestoneFactory(
        project=project, title="Staff trained", due_date=today() + timedelta(days=5)
    )
    indicator = factories.ProjectIndicatorFactory(project=project, standard=None, name="Families")
    queried = factories.indicator_result(
        indicator, project.start_date.replace(day=1), 7, status=ResultStatus.QUERIED
    )
    application = factories.application_in(S.SUBMITTED, title="Mobile clinic")
    draft = factories.application_in(
        S.DRAFT, title="Our next idea", organisation=grantee.organisation, created_by=grantee
    )
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Reviewer Rustem")
    assignment = review_service.assign_reviewer(
        db.session, officer, factories.application_in(S.SCREENED, title="Secret"), reviewer
    )
    unverified("Newly registered fund")
    return {
        "officer": officer,
        "admin": factories.UserFactory(role=Role.ADMIN),
        "reviewer": reviewer,
        "board": factories.UserFactory(role=Role.BOARD),
        "grantee": grantee,
        "links": {
            "officer": [
                f'href="/milestones/{submitted.id}#review"',
                f'href="/applications/{application.id}#screen"',
                'href="/applications/#unverified"',
            ],
            "reviewer": [f'href="/reviews/{assignment.id}"'],
            "grantee": [
                f'href="/milestones/{due.id}#update"',
                f'href="/outcomes/results/{queried.id}/correct"',
                f'href="/applications/{draft.id}/edit"',
            ],
        },
    }


@pytest.mark.parametrize("role", ["admin", "officer", "reviewer", "board", "grantee"])
def test_the_page_for_every_role_links_to_where_each_task_is_done(login, world, role):
    user = world[role]
    client = login(user)
    response = client.get("/tasks")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h1 class="h3 mb-4">My tasks</h1>' in html
    assert 'id="nav-tasks"' in html
    links = world["links"].get("officer" if role == "admin" else role, [])
    for link in links:
        assert link in html
    if role == "board":
        assert "Nothing waits for you." in html and badge(html) is None
    else:
        assert "Nothing waits for you." not in html
        assert badge(html) == sum(counts(html).values()) > 0
    if role == "reviewer":  # not the title until they declare no conflict
        assert "Secret" not in html and "Application no." in html


def test_the_officers_page_marks_their_own_projects_and_dates(login, world):
    html = login(world["officer"]).get("/tasks").get_data(as_text=True)
    assert counts(html) == {
        "review_updates": 1,
        "screen_applications": 1,
        "verify_organisations": 1,
    }
    assert "Milestone updates to review" in html and "Your project" in html
    assert "Equipment delivered" in html and "Newly registered fund" in html


def test_the_navigation_counts_what_waits_and_follows_the_work(login, world, sql_log):
    client = login(world["officer"])
    sql_log.clear()
    home = client.get("/projects/").get_data(as_text=True)
    assert badge(home) == 3
    # One statement per page for the badge (the only one that reads registrations here).
    assert sum("organisation_registrations" in s for s in sql_log) == 1
    sql_log.clear()
    page = client.get("/tasks").get_data(as_text=True)
    assert badge(page) == 3
    assert sum("organisation_registrations" in s for s in sql_log) == 1  # the page's own

    organisation = db.session.scalar(
        db.select(OrganisationRegistration.organisation_id).where(
            OrganisationRegistration.verified_at.is_(None)
        )
    )
    assert client.post(f"/organisations/{organisation}/verify").status_code == 302
    assert badge(client.get("/projects/").get_data(as_text=True)) == 2


def test_no_badge_when_nothing_waits(login):
    html = login(factories.UserFactory(role=Role.BOARD)).get("/").get_data(as_text=True)
    assert 'id="nav-tasks"' in html and badge(html) is None


def test_a_long_group_says_how_many_more_there_are(login, officer):
    for n in range(52):
        unverified(f"Fund {n:02d}")
    html = login(officer).get("/tasks").get_data(as_text=True)
    assert counts(html) == {"verify_organisations": 52}
    assert html.count('href="/applications/#unverified"') == 50
    assert "2 more are not shown." in html
