"""The publications pages as fund staff use them: the ended periods, published or what holds
them back; publishing one after its confirmation, with the form's CSRF token; a publication's
audit with every hidden cell's true value. Nobody else may open them; a grantee who reports late
for a published period is told why and keeps what was typed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from flask_babel import force_locale

from fundtracker.core.extensions import db
from fundtracker.disclosure import grid
from fundtracker.models import Publication, ResultStatus, Role
from fundtracker.services import publications
from tests import factories

NOW = datetime(2026, 5, 4, 4, 0, tzinfo=UTC)  # 09:00 in Almaty: 2025 and 2026 Q1 have ended
TODAY = date(2026, 5, 4)
Q1, Q2 = date(2025, 1, 1), date(2025, 4, 1)


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(grantee, officer):
    return factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        start_date=date(2025, 1, 15),
        end_date=date(2026, 12, 31),
    )


@pytest.fixture
def indicator(project):
    return factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=True)


def _verified(indicator, start, value=12, female=6):
    cells = {"sex": {"female": female, "male": value - female}}
    return factories.indicator_result(indicator, start, value, ResultStatus.VERIFIED, cells)


def _text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _published() -> set[str]:
    return publications.published_periods(db.session)


PAGES = ["/outcomes/publications", "/outcomes/publications/2025-Q1"]


@pytest.mark.parametrize("role", [Role.BOARD, Role.GRANTEE, Role.REVIEWER])
def test_nobody_but_staff_opens_the_pages_or_publishes(login, role, indicator, grantee):
    _verified(indicator, Q1)
    user = grantee if role == Role.GRANTEE else factories.UserFactory(role=role)
    client = login(user)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.get("/outcomes/publications/2025-Q1/publish").status_code == 403
    assert client.post("/outcomes/publications/2025-Q1/publish").status_code == 403
    assert _published() == set()
    assert "/outcomes/publications" not in client.get("/").get_data(as_text=True)


def test_an_officer_publishes_a_period_through_the_page_with_its_csrf_token(
    app, login, officer, indicator, monkeypatch
):
    for start in (Q1, Q2):
        _verified(indicator, start)
    client = login(officer)
    page = client.get("/outcomes/publications")
    assert page.status_code == 200
    assert 'href="/outcomes/publications"' in page.get_data(as_text=True)  # in the menu
    html = page.get_data(as_text=True)
    assert re.search(r'data-period="2025-H1" data-state="ready"', html)
    assert 'href="/outcomes/publications/2025-H1/publish"' in html

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    confirm = client.get("/outcomes/publications/2025-H1/publish")
    text = _text(confirm)
    assert "Publishing locks the results of 2025 H1" in text
    assert "Published figures are never rewritten" in text
    assert "also publishes 2025 Q1, 2025 Q2" in text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm.text).group(1)

    refused = client.post("/outcomes/publications/2025-H1/publish")
    assert refused.status_code == 400 and _published() == set()

    done = client.post("/outcomes/publications/2025-H1/publish", data={"csrf_token": token})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/outcomes/publications/2025-H1")
    assert _published() == {"2025-Q1", "2025-Q2", "2025-H1"}
    audit = client.get(done.headers["Location"])
    assert "The outcome figures of 2025 H1 are published, with 2025 Q1, 2025 Q2." in _text(audit)
    assert f"Published by {officer.name}" in _text(audit)
    listing = client.get("/outcomes/publications").get_data(as_text=True)
    assert re.search(r'data-period="2025-H1" data-state="published"', listing)


def test_the_audit_page_lists_every_hidden_cell_with_its_true_value(
    login, officer, indicator, sql_log
):
    _verified(indicator, Q1, value=12, female=3)
    (publication,) = publications.publish(db.session, officer, "2025-Q1", TODAY)
    db.session.commit()
    client = login(officer)
    start = len(sql_log)
    page = client.get("/outcomes/publications/2025-Q1")
    assert page.status_code == 200
    assert len(sql_log) - start <= 15  # a few queries, whatever the number of cells
    text = _text(page)
    assert f"Published by {officer.name}" in text
    assert indicator.standard.name_en in text
    girls = re.search(r"By sex Girls and women 3 a count of 1 to 4 people (\d+)–(\d+)", text)
    assert girls is not None and int(girls[2]) - int(girls[1]) >= 5
    assert "By sex Boys and men 9 hidden so that another cannot be worked out" in text
    hidden = [c for c in publications.load(db.session, publication).figures.values() if c.hidden]
    assert page.get_data(as_text=True).count('class="hidden-cell"') >= len(hidden) >= 2


def test_a_period_not_ready_says_why_in_the_users_language(app, login, officer, indicator):
    officer.locale = "ru"
    result = factories.indicator_result(indicator, Q1, 7)  # reported, not verified
    client = login(officer)
    response = client.post("/outcomes/publications/2025-Q1/publish")
    assert response.status_code == 422
    with app.test_request_context(), force_locale("ru"):
        expected = str(publications.problems(db.session, grid.parse("2025-Q1"), TODAY)[0])
    text = _text(response)
    assert expected in text and "Traceback" not in text
    assert _published() == set() and db.session.query(Publication).count() == 0

    # The period's page lists the result that holds it back, with a link to it.
    period = client.get("/outcomes/publications/2025-Q1")
    html = period.get_data(as_text=True)
    assert f'data-result="{result.id}"' in html
    assert f"/outcomes/projects/{indicator.project_id}#result-{result.id}" in html
    assert 'href="/tasks"' in html


def test_a_grantee_reporting_late_for_a_published_period_is_told_and_keeps_what_was_typed(
    login, officer, grantee, indicator, project
):
    _verified(indicator, Q1)
    publications.publish(db.session, officer, "2025-Q1", TODAY)
    db.session.commit()
    late = factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=False)
    client = login(grantee)
    response = client.post(
        f"/outcomes/project-indicators/{late.id}/results/new",
        data={"period": Q1.isoformat(), "value": "17"},
    )
    assert response.status_code == 422
    text = _text(response)
    assert "The outcome figures of 2025 Q1 were published on" in text
    assert "contact the fund" in text
    assert 'value="17"' in response.get_data(as_text=True)
    assert late.results == []
