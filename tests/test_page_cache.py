"""The rendered-page cache (the project list, the outcomes portfolio): reused for the same user,
address, language, day and data version; a committed change shows at once; each session gets its
own CSRF token; flashed messages are never kept."""

from __future__ import annotations

import re

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import ResultStatus
from fundtracker.services.outcomes import period_of
from tests import factories
from tests.blueprints.test_outcomes_pages import _achieved
from tests.conftest import login_as

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_BYTES", 4 * 1024 * 1024)
    app.extensions.pop("fundtracker_page_cache", None)
    yield
    app.extensions.pop("fundtracker_page_cache", None)


def _queries(sql_log, client, url="/projects/"):
    start = len(sql_log)
    response = client.get(url)
    assert response.status_code == 200
    ran = [s for s in sql_log[start:] if not re.match(r"(SAVEPOINT|RELEASE|ROLLBACK)", s)]
    return len(ran), response.get_data(as_text=True)


def test_the_same_page_again_is_served_from_the_cache(page_cache, login, officer, sql_log):
    project = factories.ProjectFactory(officer=officer)
    db.session.commit()
    client = login(officer)
    first, html = _queries(sql_log, client)
    second, again = _queries(sql_log, client)
    assert project.code in html and again == html
    # The user with the data version; nothing of the page's own.
    assert second == 1 < first
    # Another filter is another page.
    third, filtered = _queries(sql_log, client, "/projects/?q=nothing-matches-this")
    assert third > second and project.code not in filtered


def test_a_committed_change_shows_at_once(page_cache, login, officer):
    project = factories.ProjectFactory(officer=officer, title_en="Autism services")
    db.session.commit()
    client = login(officer)
    assert "Autism services" in client.get("/projects/").get_data(as_text=True)
    project.title_en = "Autism services in every region"
    db.session.commit()
    assert "Autism services in every region" in client.get("/projects/").get_data(as_text=True)


def test_each_user_gets_their_own_page(app, page_cache, login, officer, grantee):
    own = factories.ProjectFactory(organisation=grantee.organisation)
    other = factories.ProjectFactory()
    db.session.commit()
    staff = login(officer).get("/projects/").get_data(as_text=True)
    assert own.code in staff and other.code in staff
    theirs = app.test_client()
    login_as(theirs, grantee)
    html = theirs.get("/projects/").get_data(as_text=True)
    assert own.code in html and other.code not in html
    assert officer.name not in html and grantee.name in html


def test_each_session_gets_its_own_csrf_token(app, page_cache, monkeypatch, officer):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    first, second = app.test_client(), app.test_client()
    login_as(first, officer)
    login_as(second, officer)
    tokens = [
        set(TOKEN.findall(client.get("/projects/").get_data(as_text=True)))
        for client in (first, second)
    ]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    # The session that rendered it gets it again as it was.
    assert set(TOKEN.findall(first.get("/projects/").get_data(as_text=True))) == tokens[0]
    # The second session's page came from the cache, and its token works for that session.
    for client, token in zip((first, second), tokens, strict=True):
        response = client.post(
            "/language", data={"csrf_token": token.pop(), "language": "en", "next": "/projects/"}
        )
        assert response.status_code == 302 and response.headers["Location"].endswith("/projects/")


def test_flashed_messages_are_shown_once_and_never_kept(page_cache, login, officer):
    client = login(officer)
    client.get("/projects/")
    client.post("/language", data={"language": "xx", "next": "/projects/"})
    assert "Unknown language." in client.get("/projects/").get_data(as_text=True)
    assert "Unknown language." not in client.get("/projects/").get_data(as_text=True)


def test_a_new_language_gives_the_page_in_that_language(page_cache, login, officer):
    client = login(officer)
    assert 'lang="en"' in client.get("/projects/").get_data(as_text=True)
    client.post("/language", data={"language": "ru", "next": "/projects/"})
    assert 'lang="ru"' in client.get("/projects/").get_data(as_text=True)


def test_the_outcomes_portfolio_is_kept_until_a_result_is_verified(
    app, page_cache, login, officer, sql_log
):
    indicator = factories.ProjectIndicatorFactory()
    with app.test_request_context():
        start = period_of(indicator.frequency, today())[0]
    result = factories.indicator_result(indicator, start, 23)
    db.session.commit()
    client = login(officer)
    first, before = _queries(sql_log, client, "/outcomes/portfolio")
    second, again = _queries(sql_log, client, "/outcomes/portfolio")
    assert second == 1 < first and again == before
    assert _achieved(before, indicator.standard.code) in (None, "0")

    result.status = ResultStatus.VERIFIED
    db.session.commit()
    after = client.get("/outcomes/portfolio").get_data(as_text=True)
    assert _achieved(after, indicator.standard.code) == "23"
