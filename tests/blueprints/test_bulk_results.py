"""Verifying several results at once: the list, the confirmation, the outcome (services/bulk.py
and blueprints/outcomes/verify.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import ProjectEvent, ProjectStatus, ResultStatus, Role
from fundtracker.services import bulk
from tests import factories

LIST = "/outcomes/results/to-verify"
ACTION = "/outcomes/results/verify-selected"
QUARTERS = [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)]


@pytest.fixture
def project(grantee):
    return factories.ProjectFactory(organisation=grantee.organisation)


@pytest.fixture
def indicator(project):
    return factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=False)


@pytest.fixture
def reported(indicator):
    return [
        factories.indicator_result(indicator, start, 10 + i) for i, start in enumerate(QUARTERS)
    ]


def _picked(html: str, attribute: str = "data-bulk-item") -> list[int]:
    return [int(i) for i in re.findall(rf'{attribute}="(\d+)"', html)]


def _statuses(results) -> list[ResultStatus]:
    db.session.expire_all()
    return [r.status for r in results]


def test_list_shows_the_results_waiting_with_filters_and_pages(
    login, officer, project, reported, monkeypatch
):
    other = factories.ProjectFactory(area=factories.area("education"))
    other_result = factories.indicator_result(
        factories.ProjectIndicatorFactory(project=other, by_region=False, by_sex=False),
        QUARTERS[0],
        5,
    )
    factories.indicator_result(reported[0].indicator, date(2024, 10, 1), 1, ResultStatus.VERIFIED)
    client = login(officer)

    html = client.get(LIST).get_data(as_text=True)
    assert sorted(_picked(html, "data-result")) == sorted(
        [r.id for r in reported] + [other_result.id]
    )
    assert 'data-select-all="ids"' in html and "js/select-all.js" in html
    assert f'name="next" value="{LIST}"' in html

    by_project = client.get(f"{LIST}?project={other.id}").get_data(as_text=True)
    assert _picked(by_project, "data-result") == [other_result.id]
    by_area = client.get(f"{LIST}?area={project.area_id}").get_data(as_text=True)
    assert sorted(_picked(by_area, "data-result")) == sorted(r.id for r in reported)
    by_period = client.get(f"{LIST}?period=2025-03-31").get_data(as_text=True)
    assert sorted(_picked(by_period, "data-result")) == sorted([reported[0].id, other_result.id])
    for nonsense in ("project=abc&period=someday&area=99999", "project=99999999999999"):
        response = client.get(f"{LIST}?{nonsense}")
        assert response.status_code == 200  # an unknown filter is dropped, not an error
        assert len(_picked(response.get_data(as_text=True), "data-result")) == 5

    # A project whose results are all verified stays chosen, and its list is empty.
    other_result.status = ResultStatus.VERIFIED
    db.session.flush()
    emptied = client.get(f"{LIST}?project={other.id}").get_data(as_text=True)
    assert _picked(emptied, "data-result") == []
    assert f'selected value="{other.id}"' in emptied or f'value="{other.id}" selected' in emptied

    monkeypatch.setattr(bulk, "PER_PAGE", 3)  # four wait now
    first = client.get(LIST).get_data(as_text=True)
    second = client.get(f"{LIST}?page=2").get_data(as_text=True)
    assert len(_picked(first, "data-result")) == 3
    assert len(_picked(second, "data-result")) == 1
    assert f"{LIST}?page=2" in first


def test_confirm_then_verify_with_a_partial_failure(login, officer, reported):
    """Confirmation lists exactly the chosen results and changes nothing; confirming verifies
    them, each through the workflow (its event on the timeline), and reports the rest."""
    closed = factories.ProjectFactory(status=ProjectStatus.CLOSED)
    closed_result = factories.indicator_result(
        factories.ProjectIndicatorFactory(project=closed, by_region=False, by_sex=False),
        QUARTERS[0],
        7,
    )
    already = reported[3]
    already.status = ResultStatus.VERIFIED
    db.session.flush()
    chosen = [reported[1], reported[0], already, closed_result]
    ids = [str(r.id) for r in chosen] + ["987654"]
    client = login(officer)

    page = client.post(ACTION, data={"ids": ids, "next": LIST})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _picked(html) == [r.id for r in chosen]  # in the order chosen, nothing else
    assert "Verify these 4 results:" in html
    assert "No. 987654" in html and "cannot be found" in html
    assert html.count('name="ids"') == 5 and 'name="confirmed"' in html
    assert _statuses(reported) == [ResultStatus.REPORTED] * 3 + [ResultStatus.VERIFIED]

    done = client.post(ACTION, data={"ids": ids, "next": LIST, "confirmed": "1"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "2 results have been verified." in html
    V, R = ResultStatus.VERIFIED, ResultStatus.REPORTED  # noqa: N806
    assert _statuses(reported) == [V, V, R, V]  # the third was not chosen
    assert _statuses([closed_result]) == [ResultStatus.REPORTED]
    not_done = dict(
        re.findall(r'data-bulk-not-done-item="(\d+)">.*?data-reason>([^<]*)<', html, re.S)
    )
    assert not_done == {
        str(already.id): "Already verified.",
        str(closed_result.id): "You may not do this.",
        "987654": "Not found.",
    }
    # The verified ones went through the workflow: who checked them, and the timeline event.
    db.session.expire_all()
    assert reported[0].reviewed_by_id == officer.id
    kinds = db.session.scalars(
        select(ProjectEvent.kind).where(ProjectEvent.project_id == reported[0].indicator.project_id)
    ).all()
    assert kinds.count("result_verified") == 2
    assert not db.session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == closed.id)
    ).all()


def test_a_get_changes_nothing_and_others_may_not(login, officer, grantee, reported):
    ids = [str(r.id) for r in reported]
    client = login(officer)
    assert client.get(f"{ACTION}?ids={ids[0]}&confirmed=1").status_code == 405
    assert client.get(f"{LIST}?ids={ids[0]}&confirmed=1").status_code == 200
    for role in (Role.BOARD, Role.REVIEWER):
        who = login(factories.UserFactory(role=role))
        assert who.post(ACTION, data={"ids": ids, "confirmed": "1"}).status_code == 403
        assert who.get(LIST).status_code == 403
    assert login(grantee).post(ACTION, data={"ids": ids, "confirmed": "1"}).status_code == 403
    assert _statuses(reported) == [ResultStatus.REPORTED] * 4


def test_more_than_the_limit_or_none_is_refused(login, officer, reported):
    client = login(officer)
    ids = [str(reported[0].id)] + [str(i) for i in range(10_000, 10_000 + bulk.MAX_ITEMS)]
    response = client.post(ACTION, data={"ids": ids, "confirmed": "1", "next": LIST})
    assert response.status_code == 302 and response.headers["Location"].endswith(LIST)
    html = client.get(LIST).get_data(as_text=True)
    assert "At most 200 items can be handled at once, and 201 were chosen" in html
    assert _statuses(reported) == [ResultStatus.REPORTED] * 4

    client.post(ACTION, data={"next": LIST})
    assert "Choose at least one item first." in client.get(LIST).get_data(as_text=True)


def test_next_must_stay_on_the_site(login, officer, reported):
    client = login(officer)
    response = client.post(ACTION, data={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith(LIST)


def test_a_result_changed_after_the_confirmation_is_not_verified(login, officer, reported):
    """What is confirmed is what was shown: the confirmation carries each result's version, and
    one corrected since is reported, not verified."""
    client = login(officer)
    ids = [str(reported[0].id), str(reported[1].id)]
    html = client.post(ACTION, data={"ids": ids}).get_data(as_text=True)
    form = dict(re.findall(r'name="(version-\d+)" value="(\d+)"', html))
    assert set(form) == {f"version-{r.id}" for r in reported[:2]}

    reported[1].value = 99  # the grantee corrects it meanwhile
    db.session.flush()
    done = client.post(ACTION, data={"ids": ids, "confirmed": "1", **form})
    html = done.get_data(as_text=True)
    assert "1 result has been verified." in html
    assert re.search(
        rf'data-bulk-not-done-item="{reported[1].id}">.*?Someone else changed it', html, re.S
    )
    assert _statuses(reported[:2]) == [ResultStatus.VERIFIED, ResultStatus.REPORTED]
