"""The outcomes pages as people use them: results with breakdowns reported inside a milestone
update, verified by the officer, added up in the portfolio; the board and exports see published
periods only (tests/blueprints/test_portfolio_published.py); the library and indicators are kept
by staff."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import (
    IndicatorResult,
    MilestoneStatus,
    ProjectIndicator,
    ResultStatus,
    Role,
    StandardIndicator,
)
from fundtracker.services.outcomes import period_of
from tests import factories
from tests.factories import PDF_BYTES


@pytest.fixture
def project(app, grantee, officer):
    with app.test_request_context():
        due = today() + timedelta(days=20)
    project = factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        start_date=factories.date(2025, 1, 15),
        end_date=factories.date(2099, 12, 31),
    )
    factories.MilestoneFactory(project=project, due_date=due)
    factories.BudgetLineFactory(project=project)
    return project


@pytest.fixture
def indicator(project):
    return factories.ProjectIndicatorFactory(
        project=project, by_region=False, by_sex=True, by_age=True, target=200
    )


def _update(project, indicator, **overrides):
    p = f"ind{indicator.id}_"
    data = {
        f"{p}period": period_of(indicator.frequency, today())[0].isoformat(),
        "narrative": "Twenty-three children started therapy.",
        "progress": "50",
        "beneficiaries": "23",
        f"spending_{project.budget_lines[0].id}": "1 000 000",
        f"{p}value": "23",
        f"{p}sex_female": "3",
        f"{p}sex_male": "20",
        f"{p}age_0_2": "0",
        f"{p}age_3_6": "10",
        f"{p}age_7_11": "13",
        f"{p}age_12_17": "0",
        f"{p}age_18plus": "0",
        "submit": "1",
        "evidence": [(io.BytesIO(PDF_BYTES), "акт.pdf")],
    }
    data.update(overrides)
    return data


def test_results_in_a_milestone_update_are_verified_and_rolled_up(
    app, login, grantee, officer, project, indicator
):
    milestone = project.milestones[0]
    board = factories.UserFactory(role=Role.BOARD)
    client = login(grantee)
    page = client.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    with app.test_request_context():
        current = period_of(indicator.frequency, today())[0].isoformat()
    # The current period is chosen for the grantee.
    assert re.search(rf'<option selected value="{current}">|value="{current}" selected', page)

    response = client.post(
        f"/milestones/{milestone.id}/update",
        data=_update(project, indicator, **{f"ind{indicator.id}_period": current}),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.SUBMITTED
    (result,) = indicator.results
    assert result.status == ResultStatus.REPORTED
    assert result.value == 23 and result.milestone_update_id == milestone.updates[-1].id
    assert result.breakdown("sex") == {"female": 3, "male": 20}

    # Not verified yet: the portfolio does not count it.
    officer_client = login(officer)
    before = officer_client.get("/outcomes/portfolio").get_data(as_text=True)
    assert _achieved(before, indicator.standard.code) in (None, "0")

    response = officer_client.post(
        f"/outcomes/results/{result.id}/review", data={"verify": "1", "version": result.version_id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert result.status == ResultStatus.VERIFIED

    after = officer_client.get("/outcomes/portfolio").get_data(as_text=True)
    assert _achieved(after, indicator.standard.code) == "23"
    assert "Girls and women 3" in after  # officers see every figure

    # The board sees published periods only, and the current one has not ended: nothing yet.
    board_page = login(board).get("/outcomes/portfolio").get_data(as_text=True)
    assert _achieved(board_page, indicator.standard.code) is None
    assert "No outcome figures are published yet." in board_page
    assert "Girls and women" not in board_page

    # The CSV leaves the fund: published figures only, whoever asks (here just its header).
    exported = login(officer).get("/outcomes/portfolio.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0][:5] == ["Code", "Indicator", "Unit", "Period", "Published on"]


def _achieved(html: str, code: str) -> str | None:
    match = re.search(
        rf'<tr data-standard="{re.escape(code)}">.*?data-achieved>([^<]*)<', html, re.S
    )
    return match.group(1).strip() if match else None


def test_a_breakdown_that_does_not_add_up_keeps_the_draft_and_asks_why(
    login, grantee, project, indicator
):
    milestone = project.milestones[0]
    p = f"ind{indicator.id}_"
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update",
        data=_update(project, indicator, **{f"{p}sex_male": "19"}),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "do not add up" in html, re.findall(r'id="missing".*?</div>', html, re.S)
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.PLANNED
    (result,) = indicator.results
    assert result.status == ResultStatus.DRAFT and result.breakdown("sex")["male"] == 19
    # What was typed is still on the form.
    assert f'name="{p}sex_male" type="number" value="19"' in html or 'value="19"' in html

    response = login(grantee).post(
        f"/milestones/{milestone.id}/update",
        data=_update(
            project,
            indicator,
            **{f"{p}sex_male": "19", f"{p}explanation": "One child's sex is not recorded."},
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert indicator.results[0].status == ResultStatus.REPORTED


def test_a_result_reported_on_its_own_and_corrected_keeps_its_history(
    login, grantee, officer, project, indicator
):
    client = login(grantee)
    response = client.post(
        f"/outcomes/project-indicators/{indicator.id}/results/new",
        data={"period": "2025-01-01", "value": "12", "sex_female": "6", "sex_male": "6"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    result = db.session.query(IndicatorResult).filter_by(indicator_id=indicator.id).one()
    response = client.post(
        f"/outcomes/results/{result.id}/correct",
        data={
            "value": "14",
            "sex_female": "7",
            "sex_male": "7",
            "reason": "Two late enrolments.",
            "version": result.version_id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = login(officer).get(f"/outcomes/projects/{project.id}").get_data(as_text=True)
    assert "Two late enrolments." in page
    db.session.expire_all()
    assert result.value == 14 and [r.value for r in result.revisions] == [12]


def test_bad_numbers_are_refused_without_losing_what_was_typed(login, grantee, indicator):
    response = login(grantee).post(
        f"/outcomes/project-indicators/{indicator.id}/results/new",
        data={"period": "2025-01-01", "value": "twelve", "sex_female": "6"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="6"' in html and 'value="twelve"' in html


def test_officers_keep_the_library_and_set_indicators(login, officer, project):
    client = login(officer)
    response = client.post(
        "/outcomes/indicators/new",
        data={
            "code": "autism-dx",
            "name_kk": "Аутизм диагнозы қойылған балалар",
            "name_ru": "Дети с диагнозом РАС",
            "name_en": "Children diagnosed with autism",
            "unit_en": "children",
            "type": "count",
            "active": "y",
        },
    )
    assert response.status_code == 302
    standard = db.session.query(StandardIndicator).filter_by(code="AUTISM-DX").one()
    duplicate = client.post(
        "/outcomes/indicators/new", data={"code": "AUTISM-DX", "name_en": "x", "type": "count"}
    )
    assert duplicate.status_code == 422
    response = client.post(
        f"/outcomes/projects/{project.id}/indicators/new",
        data={
            "standard_id": str(standard.id),
            "type": "count",
            "baseline": "0",
            "target": "120",
            "direction": "higher",
            "frequency": "quarterly",
            "by_sex": "y",
            "by_age": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    indicator = db.session.query(ProjectIndicator).filter_by(project_id=project.id).one()
    assert indicator.standard_id == standard.id and indicator.target == 120
    assert indicator.by_sex and indicator.by_age and not indicator.by_region
    assert "Children diagnosed with autism" in client.get(
        f"/outcomes/projects/{project.id}"
    ).get_data(as_text=True)


def test_stories_with_a_photo_and_the_board_sees_only_consented_ones(
    login, grantee, officer, project
):
    client = login(grantee)
    response = client.post(
        f"/outcomes/projects/{project.id}/stories/new",
        data={
            "title": "Айдана жүре бастады",
            "body": "Оңалтудан кейін Айдана өз бетімен жүреді.",
            "consent": "y",
            "photo": (io.BytesIO(factories.photo_with_gps()), "IMG_0001.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    refused = client.post(
        f"/outcomes/projects/{project.id}/stories/new",
        data={
            "title": "Скан",
            "body": "Не фото.",
            "photo": (io.BytesIO(PDF_BYTES), "scan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "is not a JPEG or PNG photo" in refused.get_data(as_text=True)
    assert 'value="Скан"' in refused.get_data(as_text=True)
    client.post(
        f"/outcomes/projects/{project.id}/stories/new",
        data={"title": "Без согласия", "body": "Семья не дала согласия."},
    )
    staff_page = login(officer).get(f"/outcomes/projects/{project.id}").get_data(as_text=True)
    assert "Айдана жүре бастады" in staff_page and "Без согласия" in staff_page
    board = factories.UserFactory(role=Role.BOARD)
    board_page = login(board).get(f"/outcomes/projects/{project.id}").get_data(as_text=True)
    assert "Айдана жүре бастады" in board_page and "Без согласия" not in board_page


def test_officers_lock_verified_periods_and_nobody_corrects_them(
    login, grantee, officer, project, indicator
):
    q1 = factories.indicator_result(indicator, factories.date(2025, 1, 1), 10)
    q2 = factories.indicator_result(indicator, factories.date(2025, 4, 1), 12)
    client = login(officer)
    page = client.get(f"/outcomes/projects/{project.id}").get_data(as_text=True)
    assert 'id="lock-periods"' in page
    # Not verified yet: nothing is locked.
    client.post(f"/outcomes/projects/{project.id}/lock", data={"until": "2025-06-30"})
    db.session.expire_all()
    assert not q1.locked and not q2.locked
    for result in (q1, q2):
        client.post(f"/outcomes/results/{result.id}/review", data={"verify": "1"})
    response = client.post(f"/outcomes/projects/{project.id}/lock", data={"until": "2025-03-31"})
    assert response.status_code == 302
    db.session.expire_all()
    assert q1.locked and not q2.locked
    # Locked: the officer is sent back to the project with why; the grantee may not correct it.
    assert login(officer).get(f"/outcomes/results/{q1.id}/correct").status_code == 302
    assert login(grantee).get(f"/outcomes/results/{q2.id}/correct").status_code == 403  # verified


@pytest.mark.parametrize("page", ["project", "portfolio", "milestone"])
def test_outcome_pages_run_a_fixed_number_of_queries(
    login, officer, grantee, project, sql_log, page
):
    client = login(officer if page != "milestone" else grantee)
    standard = factories.StandardIndicatorFactory()
    quarters = [factories.date(2025, m, 1) for m in (1, 4, 7, 10)]

    def grow(n):
        for _ in range(n):
            indicator = factories.ProjectIndicatorFactory(project=project, standard=standard)
            other = factories.ProjectIndicatorFactory(standard=standard)
            for q in quarters:
                for i in (indicator, other):
                    factories.indicator_result(
                        i, q, 12, ResultStatus.VERIFIED, {"sex": {"female": 5, "male": 7}}
                    )
            factories.impact_story(project, grantee)
        db.session.expire_all()

    url = {
        "project": f"/outcomes/projects/{project.id}",
        "portfolio": "/outcomes/portfolio",
        "milestone": f"/milestones/{project.milestones[0].id}",
    }[page]
    grow(1)
    small = _queries(sql_log, client, url)
    grow(4)
    assert _queries(sql_log, client, url) == small


def _queries(sql_log, client, url):
    start = len(sql_log)
    assert client.get(url).status_code == 200
    return len(sql_log) - start
