"""A page number in the query string is a reader's, or the first page: one too large for the
database's OFFSET (the probe's `?page=99999999999999999999`, an OverflowError and a 500 before),
negative or not a number never fails a page."""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for

from fundtracker.core.extensions import db
from fundtracker.models import ResultStatus, Role
from fundtracker.services import publications
from fundtracker.web import MAX_PAGE, page_arg
from tests import factories

PROBES = ("99999999999999999999", "-3", "0", "1e9", "10001", "２")


def _listing_urls(app, call_id: int) -> list[str]:
    """Every GET rule with no arguments, and the paged pages that take one."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
                urls.append(url_for(rule.endpoint))
        urls.append(url_for("applications.call_ranking", call_id=call_id))
        urls.append(url_for("outcomes.publication", period="2025"))
    return urls


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER])
def test_no_page_number_fails_a_page(app, login, role):
    user = factories.UserFactory(role=role)
    officer = factories.UserFactory(role=Role.OFFICER)
    call = factories.CallFactory()
    project = factories.ProjectFactory(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    indicator = factories.ProjectIndicatorFactory(project=project, by_sex=False, by_region=False)
    factories.indicator_result(indicator, date(2025, 1, 1), 12, status=ResultStatus.VERIFIED)
    publications.publish(db.session, officer, "2025", date(2026, 3, 1), tell=False)
    client = login(user)
    failed = []
    for url in _listing_urls(app, call.id):
        for probe in PROBES:
            for name in ("page", "page_notifications", "page_outbox"):
                response = client.get(f"{url}?{name}={probe}")
                if response.status_code >= 500:
                    failed.append(f"{url}?{name}={probe}: {response.status_code}")
    assert not failed, failed[:20]


def test_a_page_number_too_large_is_the_last_page_there_can_be(login, officer):
    factories.ProjectFactory(officer=officer)
    response = login(officer).get("/projects/?page=99999999999999999999")
    assert response.status_code == 200
    with login(officer).application.test_request_context("/?page=99999999999999999999"):
        assert page_arg() == MAX_PAGE
    with login(officer).application.test_request_context("/?page=-4"):
        assert page_arg() == 1
