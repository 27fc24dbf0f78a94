"""The rendered-page cache (the project list, the outcomes portfolio): reused for the same user,
address, language and day while the tables it read are unchanged; a committed change shows at
once; each session gets its own CSRF token; flashed messages are never kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fundtracker.core import data_version
from fundtracker.core.extensions import db
from fundtracker.core.observability import PAGE_CACHE
from fundtracker.core.time import today
from fundtracker.models import ResultStatus, WellbeingDomain
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


# Kept while the tables it read are unchanged (issue #22) ----------------------------------------


def test_a_write_to_a_table_the_page_did_not_read_keeps_it(page_cache, login, officer, grantee):
    """A child well-being domain renamed (a table the project list does not read) moves the
    global data version, not the list's tables: the officer's list is kept, after one look at
    the tables. (A notification would not do: the bar's unread count reads them.)"""
    factories.ProjectFactory(officer=officer, title_en="Rehabilitation in Zhezkazgan")
    db.session.commit()
    client = login(officer)
    first = client.get("/projects/").get_data(as_text=True)
    hits = PAGE_CACHE.labels("hit")._value.get()
    domain = db.session.scalar(select(WellbeingDomain).where(WellbeingDomain.code == "LIVING"))
    domain.name_en = "Housing and surroundings"
    db.session.commit()
    again = client.get("/projects/").get_data(as_text=True)
    assert PAGE_CACHE.labels("hit")._value.get() == hits + 1
    assert again == first


def test_a_write_the_database_cascades_makes_it_stale(page_cache, login, officer):
    """Deleting a project deletes its milestones by the database's cascade, which no statement
    names: a page that read milestones alone still goes stale."""
    assert {"milestones", "tranches", "milestone_updates"} <= data_version.with_cascades(
        {"projects"}
    )
    assert "projects" not in data_version.with_cascades({"milestones"})


def test_only_a_delete_moves_the_tables_the_database_cascades_to(page_cache, officer):
    """An update changes no other table (no foreign key acts on update): a login, which updates
    its user, must not make every page that read notifications stale; a delete does."""
    project = factories.ProjectFactory(officer=officer)
    milestone = factories.MilestoneFactory(project=project)
    db.session.commit()
    before = data_version.table_versions(db.session)[1]
    project.title_en = "Renamed"
    db.session.commit()
    after_update = data_version.table_versions(db.session)[1]
    assert after_update["projects"] > before.get("projects", 0)
    assert after_update.get("milestones", 0) == before.get("milestones", 0)
    db.session.execute(db.delete(type(milestone)).where(type(milestone).id == milestone.id))
    db.session.execute(db.text("DELETE FROM tranches WHERE project_id = :p"), {"p": project.id})
    db.session.execute(db.delete(type(project)).where(type(project).id == project.id))
    db.session.commit()
    after_delete = data_version.table_versions(db.session)[1]
    assert after_delete["milestone_updates"] > after_update.get("milestone_updates", 0)


def test_a_page_made_while_something_committed_is_not_kept(page_cache, login, officer, monkeypatch):
    factories.ProjectFactory(officer=officer, title_en="Hearing aids for Kyzylorda")
    db.session.commit()
    client = login(officer)
    real = data_version.table_versions
    # The versions read before the page's data see a commit the user's read did not.
    monkeypatch.setattr(
        data_version, "table_versions", lambda s: ((real(s)[0] or 0) + 1, real(s)[1])
    )
    client.get("/projects/")
    monkeypatch.setattr(data_version, "table_versions", real)
    misses = PAGE_CACHE.labels("miss")._value.get()
    client.get("/projects/")
    assert PAGE_CACHE.labels("miss")._value.get() == misses + 1  # nothing was kept


def test_a_verified_result_still_changes_the_portfolio(page_cache, login, officer):
    """The portfolio reads results: verifying one is a new page, whatever else was kept."""
    html = login(officer).get("/outcomes/portfolio").get_data(as_text=True)
    project = factories.ProjectFactory(officer=officer)
    indicator = factories.ProjectIndicatorFactory(project=project, target=500)
    factories.indicator_result(indicator, factories.date(2025, 1, 1), 4321, ResultStatus.VERIFIED)
    db.session.commit()
    after = login(officer).get("/outcomes/portfolio").get_data(as_text=True)
    assert after != html and "4\u202f321" in after


def test_tables_of_rows_loaded_before_the_view_count_as_read(app, page_cache, login, officer):
    """The signed-in user (and whatever else the request loaded before the view) is used from
    the session without a statement during the page: its table is among those the page read."""
    login(officer).get("/projects/")
    (kept,) = app.extensions["fundtracker_page_cache"].values()
    assert "users" in kept.tables and "projects" in kept.tables
