"""The public transparency page: no sign-in, kk/ru/en, only public projects anywhere on it (rows,
totals, map, outcome figures, project pages), cached with an ETag."""

from __future__ import annotations

import re
from datetime import date

import pytest

from fundtracker.core.extensions import db
from fundtracker.models import TrancheStatus
from tests import factories

SIGNED = date(2025, 1, 10)


@pytest.fixture
def projects():
    public = factories.ProjectFactory(
        title_en="Public rehabilitation centre",
        agreement_signed_on=SIGNED,
        awarded_amount=10_000_000_00,
        regions=[factories.region("KZ-71")],
    )
    factories.TrancheFactory(
        project=public, amount=4_000_000_00, status=TrancheStatus.PAID, paid_on=date(2025, 3, 1)
    )
    second = factories.ProjectFactory(
        title_en="Public school meals",
        agreement_signed_on=SIGNED,
        awarded_amount=5_000_000_00,
        area=factories.area("education"),
        regions=[factories.region("KZ-75")],
    )
    secret = factories.ProjectFactory(
        title_en="Confidential shelter",
        agreement_signed_on=SIGNED,
        confidential=True,
        awarded_amount=777_000_000_00,
        regions=[factories.region("KZ-79")],
    )
    factories.TrancheFactory(
        project=secret, amount=333_000_000_00, status=TrancheStatus.PAID, paid_on=date(2025, 3, 1)
    )
    unsigned = factories.ProjectFactory(title_en="Unsigned clinic", awarded_amount=888_000_000_00)
    db.session.commit()
    return {"public": public, "second": second, "secret": secret, "unsigned": unsigned}


def _html(client, url="/transparency/?lang=en"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _total(html, key):
    return re.search(rf'data-total="{key}">([^<]*)<', html).group(1)


def test_anonymous_sees_only_public_projects(client, projects):
    html = _html(client)
    assert "Public rehabilitation centre" in html and "Public school meals" in html
    for hidden in ("Confidential shelter", "Unsigned clinic", projects["secret"].code):
        assert hidden not in html
    assert projects["unsigned"].code not in html
    # Their money is nowhere: not in the totals, the rows nor the map.
    for amount in ("777,000,000", "888,000,000", "333,000,000", "1,665,000,000"):
        assert amount not in html


def test_totals_are_the_sums_over_the_public_rows(client, projects):
    html = _html(client)
    assert _total(html, "projects") == "2"
    assert _total(html, "awarded") == "₸15,000,000"
    assert _total(html, "paid") == "₸4,000,000"
    assert _total(html, "organisations") == "2"
    rows = [int(a) for a in re.findall(r'data-amount="(\d+)"', html)]
    assert sum(rows) == 15_000_000_00


def test_filters_by_area_and_region(client, projects):
    html = _html(client, "/transparency/?lang=en&area=education")
    assert "Public school meals" in html and "Public rehabilitation centre" not in html
    assert _total(html, "projects") == "1"
    html = _html(client, "/transparency/?lang=en&region=KZ-71")
    assert "Public rehabilitation centre" in html and "Public school meals" not in html
    # A confidential project's region filter shows nothing of it.
    html = _html(client, "/transparency/?lang=en&region=KZ-79")
    assert "Confidential shelter" not in html and _total(html, "projects") == "0"
    # An unknown code is no filter, never an error.
    assert _total(_html(client, "/transparency/?area=nope&region=%00"), "projects") == "2"


def test_the_map_counts_public_projects_only(client, projects):
    html = _html(client)
    region_map = html[html.index('id="region-map"') : html.index('id="outcomes"')]
    assert "<svg" in region_map and "<table" in region_map  # the tiles and their table
    assert "Confidential" not in region_map and "777,000,000" not in region_map
    assert "1 project, ₸10,000,000" in region_map


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "The fund's grants"), ("ru", 'lang="ru"'), ("kk", 'lang="kk"')],
)
def test_anonymous_in_each_language(client, projects, lang, heading):
    html = _html(client, f"/transparency/?lang={lang}")
    assert f'<html lang="{lang}">' in html and heading in html
    assert 'aria-current="true"' in html


def test_language_from_the_browser_without_lang(client, projects):
    response = client.get("/transparency/", headers={"Accept-Language": "ru"})
    assert '<html lang="ru">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]
    client.set_cookie("lang", "kk")
    assert '<html lang="kk">' in _html(client, "/transparency/")


def test_signed_in_user_sees_the_same_public_page(login, officer, projects):
    client = login(officer)
    html = _html(client)
    assert "Confidential shelter" not in html and "Public school meals" in html
    assert officer.name not in html


def test_public_headers_no_cookie_and_etag(client, projects):
    response = client.get("/transparency/?lang=en")
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in response.get_data(as_text=True)
    etag = response.headers["ETag"]
    again = client.get("/transparency/?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_project_page_for_public_projects_only(client, projects):
    html = _html(client, f"/transparency/projects/{projects['public'].code}?lang=en")
    assert "Public rehabilitation centre" in html
    assert 'data-total="paid">₸4,000,000' in html
    for name in ("secret", "unsigned"):
        assert client.get(f"/transparency/projects/{projects[name].code}").status_code == 404
    assert client.get("/transparency/projects/NO-SUCH").status_code == 404
    assert client.get("/transparency/projects/" + "x" * 200).status_code == 404


def test_download_links(client, projects):
    html = _html(client)
    for path in ("/open-data/360giving.json", "/open-data/360giving.xlsx", "/open-data/iati"):
        assert path in html


def test_no_outcomes_published_says_so(client, projects):
    assert 'id="outcomes-none"' in _html(client)


def test_paging_is_bounded(client, projects):
    html = _html(client, "/transparency/?lang=en&page=999999")
    assert "No published project matches" in html
    assert _total(html, "projects") == "2"


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_BYTES", 4 * 1024 * 1024)
    app.extensions.pop("fundtracker_public_pages", None)
    yield
    app.extensions.pop("fundtracker_public_pages", None)


def _queries(sql_log, client, url, **kw):
    start = len(sql_log)
    response = client.get(url, **kw)
    ran = [s for s in sql_log[start:] if not re.match(r"(SAVEPOINT|RELEASE|ROLLBACK)", s)]
    return len(ran), response


def test_a_cached_page_costs_one_query(page_cache, client, projects, sql_log):
    first, response = _queries(sql_log, client, "/transparency/?lang=en")
    second, again = _queries(sql_log, client, "/transparency/?lang=en")
    assert again.get_data() == response.get_data()
    assert second == 1 < first  # the data version only
    # Another language is another page.
    third, ru = _queries(sql_log, client, "/transparency/?lang=ru")
    assert third > 1 and '<html lang="ru">' in ru.get_data(as_text=True)
    # A browser that has the page gets 304, for one query too.
    fourth, not_modified = _queries(
        sql_log,
        client,
        "/transparency/?lang=en",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert not_modified.status_code == 304 and fourth == 1
    # Arguments the page does not read make no page of their own, and no link repeats them.
    fifth, junk = _queries(sql_log, client, "/transparency/?utm_source=x&lang=en")
    assert fifth == 1 and junk.get_data() == response.get_data()
    assert "utm_source" not in junk.get_data(as_text=True)


def test_a_committed_change_shows_at_once(page_cache, client, projects):
    assert "Public school meals" in _html(client)
    projects["second"].title_en = "Hot meals in every school"
    db.session.commit()
    assert "Hot meals in every school" in _html(client)
