"""Approving several tranches at once: the list, the confirmation with the total, the outcome;
each tranche approved as the single button approves it, its grantee told (services/bulk.py and
blueprints/finance/routes.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_money
from fundtracker.core.time import today
from fundtracker.models import (
    MilestoneStatus,
    Notification,
    ProjectStatus,
    Role,
    TrancheStatus,
)
from fundtracker.services import bulk
from tests import factories

LIST = "/tranches/to-approve"
ACTION = "/tranches/approve-selected"


@pytest.fixture
def project(grantee):
    return factories.ProjectFactory(organisation=grantee.organisation)


@pytest.fixture
def planned(project):
    return [
        factories.TrancheFactory(
            project=project, amount=(i + 1) * 1_000_000_00, planned_date=date(2099, 1, 1 + i)
        )
        for i in range(3)
    ]


def _picked(html: str, attribute: str = "data-bulk-item") -> list[int]:
    return [int(i) for i in re.findall(rf'{attribute}="(\d+)"', html)]


def _statuses(tranches) -> list[TrancheStatus]:
    db.session.expire_all()
    return [t.status for t in tranches]


def _told(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.message_key == "tranche_approved"
            )
        )
    )


def test_list_shows_what_can_be_approved_with_filters(login, app, officer, project, planned):
    held = factories.TrancheFactory(
        project=project, milestone=factories.MilestoneFactory(project=project)
    )
    accepted = factories.MilestoneFactory(project=project, status=MilestoneStatus.ACCEPTED)
    ready = factories.TrancheFactory(project=project, milestone=accepted)
    suspended = factories.TrancheFactory(
        project=factories.ProjectFactory(status=ProjectStatus.SUSPENDED)
    )
    other = factories.ProjectFactory(area=factories.area("education"))
    with app.test_request_context():
        soon = factories.TrancheFactory(project=other, planned_date=today() + timedelta(days=10))
    client = login(officer)

    html = client.get(LIST).get_data(as_text=True)
    listed = _picked(html, "data-tranche")
    assert sorted(listed) == sorted([t.id for t in planned] + [ready.id, soon.id])
    assert held.id not in listed and suspended.id not in listed
    assert listed[0] == soon.id  # the earliest planned first

    assert _picked(
        client.get(f"{LIST}?project={other.id}").get_data(as_text=True), "data-tranche"
    ) == [soon.id]
    by_area = client.get(f"{LIST}?area={project.area_id}").get_data(as_text=True)
    assert soon.id not in _picked(by_area, "data-tranche")
    assert _picked(client.get(f"{LIST}?due=30").get_data(as_text=True), "data-tranche") == [soon.id]


def test_confirm_then_approve_with_a_partial_failure(login, officer, grantee, project, planned):
    """The confirmation lists exactly the chosen tranches with their total and changes nothing;
    confirming approves each through payments.approve (the grantee is told of each), and says
    which were not and why, leaving them as they were."""
    already = factories.TrancheFactory(project=project, status=TrancheStatus.APPROVED)
    held = factories.TrancheFactory(
        project=project, milestone=factories.MilestoneFactory(project=project)
    )
    suspended = factories.TrancheFactory(
        project=factories.ProjectFactory(status=ProjectStatus.SUSPENDED)
    )
    chosen = [planned[2], planned[0], already, held, suspended]
    ids = [str(t.id) for t in chosen] + ["2000000000"]
    client = login(officer)

    page = client.post(ACTION, data={"ids": ids, "next": f"{LIST}?due=30"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _picked(html) == [t.id for t in chosen]
    total = format_money(sum(t.amount for t in chosen), "en")
    assert f"Approve these 5 tranches for payment, {total} in all:" in html
    assert "No. 2000000000" in html
    assert f'href="{LIST}?due=30" data-bulk-cancel' in html
    assert _statuses(planned) == [TrancheStatus.PLANNED] * 3 and not _told(grantee)

    done = client.post(ACTION, data={"ids": ids, "next": LIST, "confirmed": "1"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "2 tranches have been approved for payment." in html
    P, A = TrancheStatus.PLANNED, TrancheStatus.APPROVED  # noqa: N806
    assert _statuses(planned) == [A, P, A]
    assert _statuses([held, suspended]) == [P, P]
    not_done = dict(
        re.findall(r'data-bulk-not-done-item="(\d+)">.*?data-reason>([^<]*)<', html, re.S)
    )
    assert not_done == {
        str(already.id): "Already approved.",
        str(held.id): "Waiting for the milestone it rests on to be accepted.",
        str(suspended.id): "You may not do this.",
        "2000000000": "Not found.",
    }
    # Each approval is the single one: who approved it, and the grantee told of each.
    db.session.expire_all()
    assert planned[0].approved_by_id == officer.id and planned[0].approved_at is not None
    assert held.approved_at is None
    assert len(_told(grantee)) == 2


def test_a_get_changes_nothing_and_others_may_not(login, officer, grantee, planned):
    ids = [str(t.id) for t in planned]
    client = login(officer)
    assert client.get(f"{ACTION}?ids={ids[0]}&confirmed=1").status_code == 405
    assert client.get(f"{LIST}?ids={ids[0]}&confirmed=1").status_code == 200
    for user in (factories.UserFactory(role=Role.BOARD), grantee):
        who = login(user)
        assert who.post(ACTION, data={"ids": ids, "confirmed": "1"}).status_code == 403
        assert who.get(LIST).status_code == 403
    assert _statuses(planned) == [TrancheStatus.PLANNED] * 3
    assert not _told(grantee)


def test_more_than_the_limit_is_refused(login, officer, planned):
    client = login(officer)
    ids = [str(t.id) for t in planned] + [str(i) for i in range(50_000, 50_000 + bulk.MAX_ITEMS)]
    response = client.post(ACTION, data={"ids": ids, "confirmed": "1"})
    assert response.status_code == 302
    assert "and 203 were chosen" in client.get(LIST).get_data(as_text=True)
    assert _statuses(planned) == [TrancheStatus.PLANNED] * 3
