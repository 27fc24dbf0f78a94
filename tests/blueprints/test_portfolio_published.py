"""The portfolio page and its CSV read published periods for a protected audience (the board):
the stored, protected cells of one publication, whatever filter is chosen; no range of dates
reaches it. Staff keep their live view and may look at a published period as the board does; the
CSV is published figures for everyone. Both show the same figure for the same cell."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.disclosure.display import HIDDEN, NOTHING, fmt_count
from fundtracker.models import (
    CellStatus,
    Publication,
    PublishedCell,
    ResultStatus,
    Role,
    StandardIndicator,
    WellbeingDomain,
)
from fundtracker.services import publications, rollups
from fundtracker.services.publications import SEVERAL
from tests import factories

VERIFIED = ResultStatus.VERIFIED
Q1, Q2 = date(2025, 1, 1), date(2025, 4, 1)
# Verified but in a period nobody published: only the officers' live view may count it.
UNPUBLISHED = 9137


@pytest.fixture
def board():
    return factories.UserFactory(role=Role.BOARD)


@pytest.fixture
def fund(officer):
    """A small portfolio with 2025 published: two programme areas, three regions (one project in
    two of them, reporting no regional breakdown), small counts and a large one that its table
    has to hide to protect them, two indicators of one project on the same standard."""
    health, education = factories.area("healthcare"), factories.area("education")
    astana, almaty, shymkent = (factories.region(c) for c in ("KZ-71", "KZ-75", "KZ-79"))
    kids = factories.StandardIndicatorFactory(code="PUB-KIDS", name_en="Children treated")
    families = factories.StandardIndicatorFactory(code="PUB-FAM", name_en="Families supported")

    def project(area, *regions):
        return factories.ProjectFactory(area=area, regions=list(regions), officer=officer)

    def indicator(project, standard=kids, target=1000, **kw):
        kw.setdefault("by_region", False)
        kw.setdefault("by_age", True)
        return factories.ProjectIndicatorFactory(
            project=project, standard=standard, target=target, **kw
        )

    def report(ind, start, value, cells=None):
        factories.indicator_result(ind, start, value, VERIFIED, cells)

    p1, p2 = project(health, astana), project(health, almaty)
    p3, p4 = project(education, astana), project(education, almaty, shymkent)
    i1, i2, i3, i4 = indicator(p1), indicator(p2), indicator(p3, target=2000), indicator(p4)
    i3b = indicator(p3, target=500)  # a second indicator of p3 on the same standard
    report(i1, Q1, 3, {"sex": {"female": 2, "male": 1}})
    report(i1, Q2, 40, {"sex": {"female": 20, "male": 20}, "age": {"3-6": 40}})
    report(i2, Q1, 517, {"sex": {"female": 300, "male": 217}, "age": {"7-11": 517}})
    report(i2, Q2, 60)
    report(i3, Q1, 120, {"sex": {"female": 70, "male": 50}})
    report(i3, Q2, 130)
    report(i3b, Q1, 10)
    report(i4, Q1, 250, {"sex": {"female": 125, "male": 125}})
    report(i4, Q2, 2)
    report(i2, date(2026, 1, 1), UNPUBLISHED)
    report(indicator(p1, families, 3000), Q1, 30)
    report(indicator(p2, families, 3000), Q1, 1)
    report(indicator(p3, families, 3000), Q1, 2)
    publications.publish(db.session, officer, "2025", date(2026, 1, 10))
    db.session.commit()
    return {
        "areas": (health, education),
        "regions": (astana, almaty, shymkent),
        "standards": (kids, families),
        "projects": (p1, p2, p3, p4),
    }


# Reading what was stored and what was shown -------------------------------------------------


def _stored(key: str) -> dict:
    """A publication's cells of the standard indicators: (code, table, area, region, category)
    -> the stored row (its true value and whether it is shown)."""
    publication = db.session.scalar(select(Publication).where(Publication.period == key))
    codes = dict(db.session.execute(select(StandardIndicator.id, StandardIndicator.code)).all())
    out = {}
    for cell in db.session.scalars(
        select(PublishedCell).where(
            PublishedCell.publication_id == publication.id, PublishedCell.standard_id.is_not(None)
        )
    ):
        out[(codes[cell.standard_id], cell.table, cell.area_id, cell.region, cell.category)] = cell
    return out


def _display(cell: PublishedCell | None) -> str:
    if cell is None or (cell.status == CellStatus.SHOWN and cell.reports == 0):
        return NOTHING
    return HIDDEN if cell.status != CellStatus.SHOWN else fmt_count(cell.value)


def _where(filters: dict, fund) -> tuple[str, int | None, str | None]:
    """The table and cell a filter names."""
    area = filters.get("area")
    region = next((r.code for r in fund["regions"] if r.id == filters.get("region")), None)
    table = {
        (False, False): "total",
        (True, False): "area",
        (False, True): "region",
        (True, True): "area_region",
    }[(area is not None, region is not None)]
    return table, area, region


_ROW = re.compile(r'<tr data-standard="([^"]+)">(.*?)</tr>', re.S)


def _section(html: str, table_id: str) -> str:
    if f'id="{table_id}"' not in html:
        return ""
    return html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


def _page_table(html: str) -> dict:
    """The portfolio table: code -> {achieved, target, projects, (dimension, category)...}."""
    out = {}
    for code, row in _ROW.findall(_section(html, "portfolio-table")):
        figure = {
            name: re.search(rf"data-{name}>([^<]*)<", row).group(1).strip()
            for name in ("achieved", "target", "projects")
        }
        for dimension, cells in re.findall(r'<div data-breakdown="(\w+)">(.*?)</div>', row):
            for category, text in re.findall(
                r'<span data-category="([^"]+)">([^<]*)</span>', cells
            ):
                figure[(dimension, category)] = text.rsplit(" ", 1)[1]
        out[code] = figure
    return out


def _chart_rows(html: str, anchor: str) -> list[list[str]]:
    if anchor not in html:
        return []
    section = html.split(anchor, 1)[1].split("</figure>", 1)[0]
    # A row of the chart's table: its header cell (the label), then its figures.
    return [
        [cell for _tag, cell in re.findall(r"<(th|td)\b[^>]*>(.*?)</\1>", row)]
        for row in re.findall(r"<tr>(<th scope=\"row\".*?)</tr>", section, re.S)
    ]


def _csv_table(text: str) -> tuple[list[str], dict]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    return header, {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _text(html: str) -> str:
    """What a reader sees of a page: the text between tags."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _url(path: str, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items() if v is not None)
    return f"{path}?{query}" if query else path


FILTERS = ["none", "health", "astana", "education+almaty", "health+shymkent"]


def _filters(name: str, fund) -> dict:
    health, education = fund["areas"]
    astana, almaty, shymkent = fund["regions"]
    return {
        "none": {},
        "health": {"area": health.id},
        "astana": {"region": astana.id},
        "education+almaty": {"area": education.id, "region": almaty.id},
        "health+shymkent": {"area": health.id, "region": shymkent.id},
    }[name]


# The board -------------------------------------------------------------------------------------


def test_the_dataset_hides_what_it_should(fund):
    """The tests below are only as good as their data: some cells are hidden, among them large
    ones (secondary suppression), and something is reported in more than one region."""
    cells = _stored("2025-Q1")
    hidden = [c for c in cells.values() if c.status != CellStatus.SHOWN]
    assert any(c.status == CellStatus.PRIMARY for c in hidden)
    assert any(c.status == CellStatus.SECONDARY and c.value >= 100 for c in hidden)
    assert cells[("PUB-KIDS", "region", None, SEVERAL, None)].value == 250
    assert cells[("PUB-FAM", "area", fund["areas"][1].id, None, None)].status != CellStatus.SHOWN


@pytest.mark.parametrize("period", [None, "2025", "2025-Q1", "2025-H1", "2025-Q2", "2025-Q3"])
@pytest.mark.parametrize("which", FILTERS)
def test_the_board_sees_the_stored_cell_of_its_filter(login, board, fund, period, which):
    filters = _filters(which, fund)
    html = login(board).get(_url("/outcomes/portfolio", period=period, **filters))
    assert html.status_code == 200
    html = html.get_data(as_text=True)
    key = period or "2025"  # the latest period: the year comes before its parts
    cells = _stored(key)
    table, area, region = _where(filters, fund)
    shown = _page_table(html)
    for code in ("PUB-KIDS", "PUB-FAM"):
        cell = cells.get((code, table, area, region, None))
        if cell is None or cell.projects == 0:
            continue  # nothing of it in the filter: no line, or one with "—"
        assert shown[code]["achieved"] == _display(cell), (code, table)
        assert shown[code]["projects"] == str(cell.projects)
    for code, figure in shown.items():
        cell = cells.get((code, table, area, region, None))
        assert figure["achieved"] == _display(cell)
        # Breakdowns by sex and age are published for the whole portfolio only.
        for (dimension, category), text in ((k, v) for k, v in figure.items() if type(k) is tuple):
            assert table == "total"
            assert text == _display(cells.get((code, dimension, None, None, category)))

    assert f"{key.replace('-', ' ')} · published " in html
    assert "hidden so that no small count can be worked out" in html
    # Every figure block says what it is.
    blocks = (
        html.count('id="portfolio-table"')
        + html.count('class="chart-figure"')
        + html.count('id="domain-view-table"')
    )
    assert html.count("data-stamp") == max(blocks, 1)


def test_the_board_never_sees_a_raw_or_hidden_value(login, board, fund):
    client = login(board)
    everything = {k: _stored(k) for k in ("2025", "2025-H1", "2025-Q1", "2025-Q2")}
    shown = {c.value for cells in everything.values() for c in cells.values() if not _hidden(c)}
    # Distinctive hidden values: large (a small one could be any number on the page: a count of
    # projects, a share of target) and not also the value of a shown cell.
    secret = {
        c.value
        for cells in everything.values()
        for c in cells.values()
        if _hidden(c) and c.value > 100 and c.value not in shown
    }
    assert secret, "the dataset must hide a large value"
    # The live roll-up (all verified results, 2026 included) must not show either.
    live = rollups.by_indicator(db.session, factories.UserFactory(role=Role.OFFICER))
    secret |= {UNPUBLISHED} | {f.achieved for f in live if f.achieved not in shown}
    for period in (None, "2025", "2025-H1", "2025-Q1", "2025-Q2"):
        for which in FILTERS:
            for indicator in (None, *[s.id for s in fund["standards"]]):
                url = _url(
                    "/outcomes/portfolio",
                    period=period,
                    indicator=indicator,
                    **_filters(which, fund),
                )
                text = _text(client.get(url).get_data(as_text=True))
                found = [v for v in secret if re.search(_number(v), text)]
                assert not found, url


def _number(value: int) -> str:
    """A count as printed, not as a part of a longer number."""
    return rf"(?<![\d\u202f]){fmt_count(value)}(?![\d\u202f])"


def _hidden(cell: PublishedCell) -> bool:
    return cell.status != CellStatus.SHOWN


def test_the_board_cannot_ask_for_a_range_of_dates(login, board, fund):
    client = login(board)
    plain = client.get("/outcomes/portfolio").get_data(as_text=True)
    assert 'name="start"' not in plain and 'name="end"' not in plain
    for args in (
        "start=2025-01-01&end=2025-05-31",
        "period=&start=2025-01-01&end=2025-03-31",
        "period=2025&end=2025-02-28",
    ):
        html = client.get(f"/outcomes/portfolio?{args}").get_data(as_text=True)
        assert _page_table(html) == _page_table(plain), args
        assert 'name="start"' not in html
        csv_text = client.get(f"/outcomes/portfolio.csv?{args}").get_data(as_text=True)
        assert csv_text == client.get("/outcomes/portfolio.csv").get_data(as_text=True)


def test_the_period_select_lists_the_publications_latest_first(login, board, fund):
    html = login(board).get("/outcomes/portfolio").get_data(as_text=True)
    select_ = re.search(r'<select[^>]*name="period".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option([^>]*)value="([^"]*)"([^>]*)>([^<]*)</option>', select_)
    assert [(value, label) for _, value, _, label in options] == [
        ("2025", "2025"),
        ("2025-H2", "2025 H2"),
        ("2025-Q4", "2025 Q4"),
        ("2025-Q3", "2025 Q3"),
        ("2025-H1", "2025 H1"),
        ("2025-Q2", "2025 Q2"),
        ("2025-Q1", "2025 Q1"),
    ]
    assert "selected" in (options[0][0] + options[0][2])  # the latest, by default
    q2 = login(board).get("/outcomes/portfolio?period=2025-Q2").get_data(as_text=True)
    assert re.search(r'<option (selected )?value="2025-Q2"( selected)?>', q2)
    assert _page_table(q2)["PUB-KIDS"]["achieved"] == _display(
        _stored("2025-Q2")[("PUB-KIDS", "total", None, None, None)]
    )


@pytest.mark.parametrize("which", ["none", "health", "education+almaty"])
def test_the_regional_chart_reads_region_cells_and_adds_up(login, board, fund, which):
    filters = _filters(which, fund)
    kids = fund["standards"][0]
    html = login(board).get(
        _url("/outcomes/portfolio", period="2025-Q1", indicator=kids.id, **filters)
    )
    html = html.get_data(as_text=True)
    cells = _stored("2025-Q1")
    area = filters.get("area")
    table = "area_region" if area is not None else "region"
    names = {r.name("en"): r.code for r in fund["regions"]} | {"Several regions": SEVERAL}
    rows = _chart_rows(html, 'id="region-chart"')
    expected = {
        region: _display(cell)
        for (code, t, a, region, _c), cell in cells.items()
        if code == "PUB-KIDS" and t == table and a == area
    }
    assert {names[name]: text for name, text in rows} == expected
    if area is None:
        assert "Several regions" in [name for name, _ in rows]
        # The stored rows add up to the total (the several-regions row included).
        total = cells[("PUB-KIDS", "total", None, None, None)].value
        assert sum(cells[("PUB-KIDS", "region", None, r, None)].value for r in expected) == total


def test_projects_are_counted_once_however_many_indicators(login, board, officer, fund):
    """p3 reports on PUB-KIDS with two indicators: one project, where the live view counts
    indicators."""
    education = fund["areas"][1]
    html = login(board).get(f"/outcomes/portfolio?period=2025-Q1&area={education.id}")
    cell = _stored("2025-Q1")[("PUB-KIDS", "area", education.id, None, None)]
    assert cell.projects == 2
    assert _page_table(html.get_data(as_text=True))["PUB-KIDS"]["projects"] == "2"


@pytest.mark.parametrize("period", [None, "2025", "2025-Q1", "2025-H1"])
@pytest.mark.parametrize("which", FILTERS)
def test_the_csv_shows_what_the_page_shows(login, board, officer, fund, period, which):
    filters = _filters(which, fund)
    client = login(board)
    page = _page_table(
        client.get(_url("/outcomes/portfolio", period=period, **filters)).get_data(as_text=True)
    )
    response = client.get(_url("/outcomes/portfolio.csv", period=period, **filters))
    assert response.mimetype == "text/csv"
    header, rows = _csv_table(response.get_data(as_text=True))
    assert header[:8] == [
        "Code",
        "Indicator",
        "Unit",
        "Period",
        "Published on",
        "Achieved",
        "Target",
        "Projects",
    ]
    assert "By sex: Not recorded" in header and "By age group: Not recorded" in header
    assert set(rows) == set(page)
    columns = {
        ("sex", "female"): "Girls and women",
        ("sex", "male"): "Boys and men",
        ("sex", "unknown"): "By sex: Not recorded",
        ("age", "3-6"): "3-6 years",
        ("age", "7-11"): "7-11 years",
        ("age", "unknown"): "By age group: Not recorded",
    }
    label = (period or "2025").replace("-", " ")
    plain = lambda shown: shown.replace("\u202f", "")  # noqa: E731 - a number, as a spreadsheet reads it
    for code, figure in page.items():
        row = rows[code]
        assert row["Achieved"] == plain(figure["achieved"])
        assert row["Target"] == plain(figure["target"])
        assert row["Projects"] == figure["projects"]
        assert row["Period"] == label and re.fullmatch(r"\d{4}-\d\d-\d\d", row["Published on"])
        for k, column in columns.items():
            assert row[column] == plain(figure.get(k, "")), (code, column)
    # Staff get the same file: it leaves the fund.
    staff = login(officer).get(_url("/outcomes/portfolio.csv", period=period, **filters))
    assert _csv_table(staff.get_data(as_text=True))[1] == rows


def test_the_csv_guards_against_formulas(login, board, fund):
    kids = fund["standards"][0]
    kids.name_en = "=HYPERLINK(1)"
    db.session.commit()
    _header, rows = _csv_table(login(board).get("/outcomes/portfolio.csv").get_data(as_text=True))
    assert rows["PUB-KIDS"]["Indicator"] == "'=HYPERLINK(1)"


def test_an_unknown_period_is_a_clear_error(login, board, officer, fund):
    for user in (board, officer):
        for key in ("2031-Q1", "nonsense", "2024"):
            response = login(user).get(f"/outcomes/portfolio?period={key}")
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            assert "No figures are published for this period" in html
            assert 'id="portfolio-table"' not in html
            exported = login(user).get(f"/outcomes/portfolio.csv?period={key}")
            assert exported.status_code == 404
            assert "No figures are published for this period" in exported.get_data(as_text=True)


def test_the_error_is_in_the_users_language(login, fund):
    board = factories.UserFactory(role=Role.BOARD, locale="ru")
    html = login(board).get("/outcomes/portfolio?period=2031-Q1").get_data(as_text=True)
    assert 'class="form-select is-invalid"' in html and "Период" in html


def test_before_anything_is_published_the_board_is_told(login, board, officer):
    kids = factories.StandardIndicatorFactory(code="PUB-KIDS")
    indicator = factories.ProjectIndicatorFactory(standard=kids)
    factories.indicator_result(indicator, Q1, 3, VERIFIED)
    db.session.commit()
    html = login(board).get("/outcomes/portfolio").get_data(as_text=True)
    assert "No outcome figures are published yet." in html
    assert 'id="portfolio-table"' not in html and 'id="export-csv"' not in html
    for user in (board, officer):
        rows = list(csv.reader(io.StringIO(login(user).get("/outcomes/portfolio.csv").text)))
        assert len(rows) == 1  # the header only
    # Officers still have their live view.
    assert _page_table(login(officer).get("/outcomes/portfolio").text)["PUB-KIDS"] is not None


# Staff -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [{}, {"start": "2025-01-01", "end": "2025-03-31"}, {"area": "health"}, {"region": "astana"}],
)
def test_staff_keep_their_live_view(login, officer, fund, args):
    health, astana = fund["areas"][0], fund["regions"][0]
    args = {k: {"health": health.id, "astana": astana.id}.get(v, v) for k, v in args.items()}
    html = login(officer).get(_url("/outcomes/portfolio", **args)).get_data(as_text=True)
    live = rollups.by_indicator(
        db.session,
        officer,
        date.fromisoformat(args["start"]) if "start" in args else None,
        date.fromisoformat(args["end"]) if "end" in args else None,
        args.get("area"),
        args.get("region"),
    )
    assert {code: f["achieved"] for code, f in _page_table(html).items()} == {
        f.code: f.achieved_display for f in live
    }
    assert 'name="start"' in html and "data-stamp" not in html
    assert '<option selected value="">Live figures</option>' in html
    if not args:
        assert _page_table(html)["PUB-KIDS"]["achieved"] == fmt_count(
            3 + 40 + 517 + 60 + 120 + 130 + 10 + 250 + 2 + UNPUBLISHED
        )


@pytest.mark.parametrize("period", ["2025", "2025-Q1"])
@pytest.mark.parametrize("which", FILTERS)
def test_staff_can_look_at_a_period_as_the_board_sees_it(
    login, officer, board, fund, period, which
):
    url = _url("/outcomes/portfolio", period=period, **_filters(which, fund))
    staff = login(officer).get(url + "&start=2025-02-01").get_data(as_text=True)
    seen = login(board).get(url).get_data(as_text=True)
    assert _page_table(staff) == _page_table(seen)
    assert _chart_rows(staff, 'id="region-chart"') == _chart_rows(seen, 'id="region-chart"')
    assert "data-stamp" in staff
    # The dates do not apply to a published period, and are not shown as if they did.
    assert 'name="start" placeholder="" type="date" value=""' in staff


# Cost and the page cache -----------------------------------------------------------------------


def test_the_board_page_reads_stored_rows_only(login, board, fund, monkeypatch, sql_log):
    def refuse(*_a, **_k):
        raise AssertionError("a live roll-up for a protected user")

    for name in ("period_totals", "by_indicator", "by_area", "by_region"):
        monkeypatch.setattr(rollups, name, refuse)
    client = login(board)
    kids = fund["standards"][0]
    counts = []
    for url in (
        "/outcomes/portfolio",
        "/outcomes/portfolio?period=2025-Q1",
        f"/outcomes/portfolio?period=2025-Q2&area={fund['areas'][0].id}&indicator={kids.id}",
    ):
        start = len(sql_log)
        assert client.get(url).status_code == 200
        ran = [s for s in sql_log[start:] if not re.match(r"(SAVEPOINT|RELEASE|ROLLBACK)", s)]
        counts.append(len(ran))
        # One read of the publication's cells, none of the results.
        assert sum("FROM published_cells" in s for s in ran) == 1
        assert not any("FROM indicator_results" in s for s in ran)
    assert counts[0] == counts[1], counts
    assert max(counts) <= 20, counts


def test_the_board_page_costs_the_same_however_large_the_publication(
    login, board, officer, sql_log
):
    """A bigger year is more stored rows, not more queries."""
    kids = factories.StandardIndicatorFactory(code="PUB-KIDS")
    for year, projects in ((2023, 1), (2024, 6)):
        for n in range(projects):
            project = factories.ProjectFactory(
                start_date=date(year, 1, 1),
                end_date=date(year, 12, 31),
                regions=[factories.region(("KZ-71", "KZ-75")[n % 2])],
            )
            indicator = factories.ProjectIndicatorFactory(project=project, standard=kids)
            for month in (1, 4):
                factories.indicator_result(indicator, date(year, month, 1), 20 + n, VERIFIED)
        publications.publish(db.session, officer, str(year), date(2026, 1, 10))
    db.session.commit()
    client = login(board)

    def queries(url):
        start = len(sql_log)
        assert client.get(url).status_code == 200
        return len([s for s in sql_log[start:] if not re.match(r"(SAVEPOINT|RELEASE)", s)])

    assert queries("/outcomes/portfolio?period=2023") == queries("/outcomes/portfolio?period=2024")


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_BYTES", 4 * 1024 * 1024)
    app.extensions.pop("fundtracker_page_cache", None)
    yield
    app.extensions.pop("fundtracker_page_cache", None)


def test_a_publication_shows_at_once_through_the_page_cache(page_cache, login, board, officer):
    kids = factories.StandardIndicatorFactory(code="PUB-KIDS")
    indicator = factories.ProjectIndicatorFactory(standard=kids)
    factories.indicator_result(indicator, Q1, 30, VERIFIED)
    db.session.commit()
    client = login(board)
    assert "No outcome figures are published yet." in client.get("/outcomes/portfolio").text
    publications.publish(db.session, officer, "2025-Q1", date(2026, 1, 10))
    db.session.commit()  # writing a publication is a new data version
    html = client.get("/outcomes/portfolio").text
    assert _page_table(html)["PUB-KIDS"]["achieved"] == "30"
    # The period is part of the address, hence of the page kept.
    assert 'id="period-refused"' in client.get("/outcomes/portfolio?period=2025-Q2").text
    assert _page_table(client.get("/outcomes/portfolio?period=2025-Q1").text)


def test_a_standard_with_only_small_counts_is_a_row_of_marks(login, board, officer):
    """Every cell of it is hidden: the board reads the mark, the same in the CSV, and never 3."""
    few = factories.StandardIndicatorFactory(code="PUB-FEW")
    indicator = factories.ProjectIndicatorFactory(standard=few, target=1000)
    factories.indicator_result(indicator, Q1, 3, VERIFIED, {"sex": {"female": 3}})
    publications.publish(db.session, officer, "2025-Q1", date(2026, 1, 10))
    db.session.commit()
    client = login(board)
    row = _page_table(client.get("/outcomes/portfolio").text)["PUB-FEW"]
    assert row["achieved"] == HIDDEN and row[("sex", "female")] == HIDDEN
    _header, rows = _csv_table(client.get("/outcomes/portfolio.csv").text)
    assert rows["PUB-FEW"]["Achieved"] == HIDDEN and rows["PUB-FEW"]["Girls and women"] == HIDDEN


# The view by child well-being domain (issue #21) --------------------------------------------


def _domain_view(html: str) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The domain view: [(domain code, [(indicator code, {achieved, target, projects})])]."""
    out = []
    for code, body in re.findall(
        r'<tbody data-domain="([^"]*)">(.*?)</tbody>', _section(html, "domain-view-table"), re.S
    ):
        rows = [
            (
                standard,
                {
                    name: re.search(rf"data-{name}>([^<]*)<", row).group(1).strip()
                    for name in ("achieved", "target", "projects")
                },
            )
            for standard, row in _ROW.findall(body)
        ]
        out.append((code, rows))
    return out


@pytest.fixture
def domains(fund):
    """Children treated informs health and psychological well-being; families supported is
    linked to no domain; protection and safety has no indicator."""
    by_code = {d.code: d for d in db.session.scalars(select(WellbeingDomain))}
    kids, _families = fund["standards"]
    kids.domains = [by_code["MENTAL"], by_code["HEALTH"]]
    db.session.commit()
    return by_code


@pytest.mark.parametrize("period", [None, "2025", "2025-Q1", "2025-H1", "2025-Q2"])
@pytest.mark.parametrize("which", FILTERS)
def test_the_domain_view_regroups_the_cells_the_table_shows(
    login, board, fund, domains, period, which
):
    """Every figure of the view by domain is the table's figure of the same indicator, for every
    period and filter: nothing is added up, a hidden cell stays hidden, and no figure appears
    that the table does not show."""
    html = login(board).get(_url("/outcomes/portfolio", period=period, **_filters(which, fund)))
    html = html.get_data(as_text=True)
    table = _page_table(html)
    view = _domain_view(html)
    if not table:
        assert view == []
        return
    # Domains in the list's order, then the indicators linked to none.
    assert [code for code, _rows in view] == ["HEALTH", "MENTAL", ""][: len(view)]
    listed = set()
    for _code, rows in view:
        for standard, figure in rows:
            want = table[standard]
            assert figure == {k: want[k] for k in ("achieved", "target", "projects")}
            listed.add(standard)
    assert listed == set(table)
    health = dict(view)["HEALTH"]
    assert [s for s, _f in health] == ["PUB-KIDS"]
    assert [s for s, _f in dict(view)[""]] == ["PUB-FAM"]


def test_a_domain_not_in_use_leaves_the_view(login, board, officer, fund, domains):
    domains["MENTAL"].active = False
    db.session.commit()
    for user in (board, officer):
        view = _domain_view(login(user).get("/outcomes/portfolio").get_data(as_text=True))
        assert [code for code, _rows in view] == ["HEALTH", ""]


def test_the_domain_view_never_shows_a_hidden_value(login, board, fund, domains):
    """The attack of the board's whole page, on the view by domain alone."""
    everything = {k: _stored(k) for k in ("2025", "2025-H1", "2025-Q1", "2025-Q2")}
    hidden = {
        c.value
        for cells in everything.values()
        for c in cells.values()
        if _hidden(c) and c.value > 100
    }
    shown = {c.value for cells in everything.values() for c in cells.values() if not _hidden(c)}
    secret = hidden - shown
    assert secret
    client = login(board)
    for period in (None, "2025", "2025-H1", "2025-Q1", "2025-Q2"):
        for which in FILTERS:
            html = client.get(_url("/outcomes/portfolio", period=period, **_filters(which, fund)))
            section = _text(_section(html.get_data(as_text=True), "domain-view-table"))
            assert not [v for v in secret if re.search(_number(v), section)]


def test_staff_see_their_live_figures_by_domain(login, officer, fund, domains):
    html = login(officer).get("/outcomes/portfolio").get_data(as_text=True)
    view = dict(_domain_view(html))
    live = {f.code: f for f in rollups.by_indicator(db.session, officer)}
    health = dict(view["HEALTH"])
    assert health["PUB-KIDS"]["achieved"] == live["PUB-KIDS"].achieved_display
    # Live figures include the verified 2026 result that no period published.
    assert live["PUB-KIDS"].achieved >= UNPUBLISHED
