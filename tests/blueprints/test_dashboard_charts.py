"""The pictures of the portfolio on the officers' dashboard and the board's home: money planned
against paid by quarter, projects and amounts by programme area, the tile map of regions; each
with its figures in a table, in every language, in a fixed number of queries."""

import html as html_lib
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from flask_babel import force_locale

from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_money
from fundtracker.core.time import today
from fundtracker.models import Region, Role, TrancheStatus
from fundtracker.services import dashboard
from fundtracker.web import charts
from tests import factories
from tests.factories import area, region

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def board():
    return factories.UserFactory(role=Role.BOARD, name="Board Bolat")


def _this_quarter(app) -> date:
    with app.test_request_context():
        day = today()
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _previous_quarter(start: date) -> date:
    return date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)


@pytest.fixture
def portfolio(app, officer):
    """Two projects in two areas and three regions (one of them a city); a tranche paid in the
    last quarter and one planned in this one."""
    quarter = _this_quarter(app)
    health = factories.ProjectFactory(
        area=area("healthcare"),
        regions=[region("KZ-62"), region("KZ-75")],
        awarded_amount=300_000_000_00,
        officer=officer,
        title_en='Semicolon; "quoted"',
    )
    school = factories.ProjectFactory(
        area=area("education"), regions=[region("KZ-75")], awarded_amount=120_000_000_50
    )
    factories.TrancheFactory(
        project=health,
        amount=70_000_000_00,
        planned_date=_previous_quarter(quarter),
        status=TrancheStatus.PAID,
        paid_on=_previous_quarter(quarter),
    )
    factories.TrancheFactory(project=school, amount=25_000_000_00, planned_date=quarter)
    db.session.commit()
    return {"health": health, "school": school, "quarter": quarter}


def _figures(html: str) -> dict[str, str]:
    """Each picture of a page by the id of the element around it: its <figure>."""
    found = {}
    for key in ("disbursement-chart", "area-chart", "region-map"):
        match = re.search(
            rf'id="{key}">\s*(?:<h2[^>]*>.*?</h2>)?\s*(<figure.*?</figure>)', html, re.S
        )
        assert match, key
        found[key] = match[1]
    return found


def _svg(figure: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg\b.*?</svg>", figure, re.S)[0])  # noqa: S314


def _table(figure: str) -> list[list[str]]:
    """The rows of a figure's table, as text."""
    body = figure.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t([hd])\b[^>]*>(.*?)</t\1>", row, re.S)
        rows.append([html_lib.unescape(re.sub(r"<[^>]+>", "", c)) for _t, c in cells])
    return rows


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_the_dashboard_draws_the_portfolio_with_its_figures(app, login, officer, portfolio, locale):
    officer.locale = locale
    db.session.commit()
    html = login(officer).get("/dashboard").get_data(as_text=True)
    figures = _figures(html)
    for figure in figures.values():
        svg = _svg(figure)
        assert svg.get("viewBox") and svg.get("width") == "100%"
        assert svg.get("aria-label") and svg.find(f"{SVG}title").text == svg.get("aria-label")
        assert "<details" in figure and '<th scope="col">' in figure and '<th scope="row"' in figure

    money = lambda tiyn: format_money(tiyn, locale)  # noqa: E731
    # Planned against paid: this quarter's plan, last quarter's payment, in the app's money.
    with app.test_request_context(), force_locale(locale):
        from fundtracker.disclosure import Period

        now = Period(portfolio["quarter"].year, "Q", (portfolio["quarter"].month + 2) // 3)
        before_day = _previous_quarter(portfolio["quarter"])
        before = Period(before_day.year, "Q", (before_day.month + 2) // 3)
        labels = now.label(), before.label()
    rows = {r[0]: r[1:] for r in _table(figures["disbursement-chart"])}
    assert len(rows) == dashboard.QUARTERS_BACK + 1 + dashboard.QUARTERS_AHEAD
    assert rows[labels[0]] == [money(25_000_000_00), money(0)]
    assert rows[labels[1]] == [money(70_000_000_00), money(70_000_000_00)]
    alt = _svg(figures["disbursement-chart"]).get("aria-label")
    assert money(25_000_000_00) in alt and money(70_000_000_00) in alt

    # By programme area: projects and amounts.
    by_area = {r[0]: r[1:] for r in _table(figures["area-chart"])}
    names = {a.code: a.name(locale) for a in (area("healthcare"), area("education"))}
    assert by_area[names["healthcare"]] == ["1", money(300_000_000_00)]
    assert by_area[names["education"]] == ["1", money(120_000_000_50)]

    # The map: every region once, linked to the project list filtered by it.
    svg = _svg(figures["region-map"])
    links = {a.get("href"): a for a in svg.iter(f"{SVG}a")}
    regions = db.session.query(Region).all()
    assert len(links) == len(regions) == 20
    for r in regions:
        assert f"/projects/?region={r.id}" in links
    city = region("KZ-75")
    tile = links[f"/projects/?region={city.id}"]
    assert city.name(locale) in tile.get("aria-label")
    assert money(420_000_000_50) in tile.get("aria-label")
    table = {r[0]: r[1:] for r in _table(figures["region-map"])}
    assert table[city.name(locale)] == ["2", money(420_000_000_50)]
    assert table[region("KZ-10").name(locale)] == ["0", money(0)]
    assert f'href="/projects/?region={city.id}"' in figures["region-map"]  # the table links too


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_the_board_home_draws_the_same_figures_as_its_tables(login, board, portfolio, locale):
    board.locale = locale
    db.session.commit()
    html = login(board).get("/").get_data(as_text=True)
    figures = _figures(html)
    money = lambda tiyn: format_money(tiyn, locale)  # noqa: E731
    # The area chart's table is the page's own, linked table beside it.
    assert "<details" not in figures["area-chart"]
    by_area = re.search(r'<table[^>]*id="by-area".*?</table>', html, re.S)[0]
    assert money(300_000_000_00) in by_area
    compact = {"kk": "300\xa0млн\xa0₸", "ru": "300\xa0млн\xa0₸", "en": "₸300M"}[locale]
    assert compact in _svg(figures["area-chart"]).get("aria-label")
    table = {r[0]: r[1:] for r in _table(figures["region-map"])}
    assert table[region("KZ-75").name(locale)] == ["2", money(420_000_000_50)]
    assert len(table) == 20
    rows = _table(figures["disbursement-chart"])
    assert any(r[1:] == [money(70_000_000_00), money(70_000_000_00)] for r in rows)


def test_a_grantee_home_has_no_portfolio_pictures(login, grantee, portfolio):
    html = login(grantee).get("/").get_data(as_text=True)
    assert "region-map" not in html and "<svg" not in html.split("</header>", 1)[-1]


def test_the_dashboard_filters_apply_to_its_pictures(login, officer, portfolio):
    health = area("healthcare")
    html = login(officer).get(f"/dashboard?area={health.id}").get_data(as_text=True)
    figures = _figures(html)
    by_area = {r[0]: r[1:] for r in _table(figures["area-chart"])}
    assert by_area["Education"] == ["0", format_money(0, "en")]
    links = [a.get("href") for a in _svg(figures["region-map"]).iter(f"{SVG}a")]
    city = region("KZ-75")
    assert f"/projects/?area={health.id}&region={city.id}" in links
    table = {r[0]: r[1:] for r in _table(figures["region-map"])}
    assert table[city.name("en")] == ["1", format_money(300_000_000_00, "en")]


def test_the_region_tiles_are_shaded_by_amount_with_a_readable_label(login, officer, portfolio):
    html = login(officer).get("/dashboard").get_data(as_text=True)
    svg = _svg(_figures(html)["region-map"])
    fills = {}
    for link in svg.iter(f"{SVG}a"):
        rect, text = link.find(f"{SVG}rect"), link.find(f"{SVG}text")
        fills[link.get("href")] = rect.get("fill")
        assert charts.contrast(rect.get("fill"), text.get("fill")) >= 4.5
    almaty, ulytau, abai = (
        f"/projects/?region={region(c).id}" for c in ("KZ-75", "KZ-62", "KZ-10")
    )
    # ₸420M is the most: the scale's top is a round ₸600M, in four steps of ₸150M.
    assert charts.shading_steps([420_000_000_50, 300_000_000_00]) == [
        150_000_000_00,
        300_000_000_00,
        450_000_000_00,
        600_000_000_00,
    ]
    assert fills[almaty] == charts.SHADES[2]
    assert fills[ulytau] == charts.SHADES[1]
    legend = [t.text for t in svg.iter(f"{SVG}text") if t.text and "₸" in t.text]
    assert legend == ["up to ₸150M", "₸150M to ₸300M", "₸300M to ₸450M", "₸450M to ₸600M"]
    assert fills[abai] == charts.NONE_SHADE


def _count(sql_log, client, url) -> int:
    start = len(sql_log)
    assert client.get(url).status_code == 200
    return len(sql_log) - start


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BOARD])
@pytest.mark.parametrize("url", ["/dashboard", "/"])
def test_the_pictures_take_a_fixed_number_of_queries(login, sql_log, role, url):
    user = factories.UserFactory(role=role)
    client = login(user)
    codes = [r.code for r in db.session.query(Region).order_by(Region.code)]

    def grow(n):
        for i in range(n):
            project = factories.ProjectFactory(
                area=area(("healthcare", "education", "social_protection")[i % 3]),
                regions=[region(codes[i % 20]), region(codes[(i + 7) % 20])],
            )
            factories.TrancheFactory(project=project, planned_date=date(2026, 1 + i % 12, 1))
            factories.TrancheFactory(
                project=project,
                planned_date=date(2025, 1 + i % 12, 1),
                status=TrancheStatus.PAID,
                paid_on=date(2025, 1 + i % 12, 2),
            )
        db.session.commit()

    grow(2)
    small = _count(sql_log, client, url)
    grow(12)
    assert _count(sql_log, client, url) == small
