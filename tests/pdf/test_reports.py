"""Reports on the suite's database: the URL fetcher; outcome figures that are the published cells
of the report's period (the same as the portfolio page and its CSV read through
publications.views), never a hidden value, with "several regions" and the period named; project
reports; the reports page; building in the background with progress; serving a stored report
again; access rules; and the scheduled board report."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_d
from fundtracker.core.time import local_day
from fundtracker.disclosure import HIDDEN, NOTHING
from fundtracker.models import (
    CellStatus,
    IndicatorType,
    MilestoneStatus,
    MilestoneUpdate,
    PublishedCell,
    ReportKind,
    ReportStatus,
    ResultStatus,
    Role,
    StoredReport,
    UpdateStatus,
)
from fundtracker.models.labels import category_labels
from fundtracker.pdf import jobs, render, service
from fundtracker.pdf.context import board_context
from fundtracker.pdf.params import ReportParams, grid_period
from fundtracker.services import notifications, publications
from fundtracker.services.errors import DomainError
from fundtracker.services.publications import REACHED, views
from tests import factories

TODAY = date(2026, 12, 4)
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
Q2 = (date(2025, 4, 1), date(2025, 6, 30))
IN_Q2 = datetime(2025, 6, 1, 6, tzinfo=UTC)


# The URL fetcher --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/x.css",
        "data:text/css,body{}",
        render.ASSET_ORIGIN + "../../config.py",
        render.ASSET_ORIGIN + "css/%2e%2e/%2e%2e/__init__.py",
        render.ASSET_ORIGIN + "js/app.js",  # bundled, but not a kind a report needs
        render.ASSET_ORIGIN + "css/missing.css",
        "https://assets.fundtracker.invalid.evil.kz/static/css/print.css",
    ],
)
def test_fetcher_refuses_everything_but_bundled_assets(app, url):
    fetcher = render.asset_fetcher()
    with pytest.raises(ValueError):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_print_stylesheet(app):
    fetcher = render.asset_fetcher()
    response = fetcher(render.ASSET_ORIGIN + "css/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_markup_in_project_texts_is_printed_not_fetched(app):
    project = factories.ProjectFactory(
        title_en='<img src="file:///etc/passwd">',
        summary_en="<style>@import url(http://169.254.169.254/);</style>",
    )
    params = ReportParams(
        ReportKind.PROJECT, "en", project.start_date, project.end_date, project_id=project.id
    )
    data, _ = service.current_data(db.session, params, TODAY)
    html = render.render_html(data, datetime.now(UTC), "FundTracker")
    assert '<img src="file' not in html and "&lt;img src=" in html
    rendered = render.html_to_pdf(html)
    assert rendered.fetcher.requested == [render.ASSET_ORIGIN + "css/print.css"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "file:///etc/passwd" in text


# A small portfolio, published -------------------------------------------------------------------

# Children treated (a standard indicator) and people reached, per project, all in Q2 2025. The
# first project's 3 children and 2 people are small; every other figure is a distinctive number,
# so that a hidden one would be recognised wherever it was printed.
TREATED = (3, 347, 461, 589)
REACHED_PEOPLE = (2, 158, 273, 396)


def _accepted_update(milestone, author, people: int) -> MilestoneUpdate:
    update = MilestoneUpdate(
        milestone=milestone,
        author_id=author.id,
        status=UpdateStatus.ACCEPTED,
        beneficiaries=people,
        progress=100,
        submitted_at=IN_Q2,
        reviewed_at=datetime(2025, 6, 3, 6, tzinfo=UTC),
    )
    db.session.add(update)
    milestone.status = MilestoneStatus.ACCEPTED
    milestone.accepted_at = update.reviewed_at
    db.session.flush()
    return update


def _portfolio(officer, treated=TREATED, people=REACHED_PEOPLE):
    """Four projects: two in healthcare (Abai Region; Akmola Region), two in education (Almaty
    city; Abai and Akmola Regions together, with no region breakdown: "several regions"). Each
    counts children treated by sex (verified results of Q2 2025) and reports people reached in
    an update the fund accepted in Q2 2025; one result is reported but not verified. Two stories,
    one without consent. Nothing is published yet."""
    standard = factories.StandardIndicatorFactory(name_en="Children treated", unit_en="children")
    healthcare, education = factories.area("healthcare"), factories.area("education")
    abai, akmola, almaty = (factories.region(c) for c in ("KZ-10", "KZ-11", "KZ-75"))
    places = ((healthcare, [abai]), (healthcare, [akmola]), (education, [almaty]))
    places += ((education, [abai, akmola]),)
    projects, indicators = [], []
    for n, ((area, regions), value, reached) in enumerate(
        zip(places, treated, people, strict=False)
    ):
        # Titles without the factories' running numbers, which could read like a count.
        project = factories.ProjectFactory(
            area=area, regions=regions, title_en=f"Project {'ABCD'[n]}", title_ru=f"Проект {n}"
        )
        indicator = factories.ProjectIndicatorFactory(
            project=project, standard=standard, by_region=False, target=500
        )
        half = value // 2
        factories.indicator_result(
            indicator,
            Q2[0],
            value,
            ResultStatus.VERIFIED,
            cells={"sex": {"female": half, "male": value - half}},
        )
        milestone = factories.MilestoneFactory(
            project=project, due_date=date(2025, 6, 30), title="Equipment delivered"
        )
        _accepted_update(milestone, officer, reached)
        projects.append(project)
        indicators.append(indicator)
    # Reported, not verified, in 2026: not published, never printed.
    factories.indicator_result(indicators[1], date(2026, 1, 1), 1000)
    factories.impact_story(projects[1], officer, title="Told with consent", created_at=IN_Q2)
    factories.impact_story(
        projects[1], officer, consent=False, title="NO CONSENT GIVEN", created_at=IN_Q2
    )
    db.session.flush()
    return standard, projects


def _board(params: ReportParams) -> dict:
    with force_locale(params.locale):
        return board_context(db.session, params, TODAY)


def _pdf_text(data: dict) -> tuple[str, str]:
    """The report's HTML, and its PDF's text read back with pypdf."""
    html = render.render_html(data, datetime.now(UTC), "FundTracker")
    pdf = render.html_to_pdf(html).pdf
    return html, "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    """Text with single spaces (thousands separators too), to find table rows in."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ")).strip()


def _numbers(text: str) -> set[int]:
    """Every count printed in the PDF's text: digits grouped by thin spaces, standing alone
    (not part of a code such as QH-2025-347, an amount or a date)."""
    found = re.findall(r"(?<![\w\-.,₸])\d+(?:\u202f\d{3})*(?![\w.,:\u202f])", text)
    return {int(n.replace("\u202f", "")) for n in found}


def _stamp(publication) -> str:
    """What names the period and its publication in an English report."""
    with force_locale("en"):
        day = format_d(local_day(publication.published_at))
    return (
        f"{grid_period(publication.period_start, publication.period_end).label()} · published {day}"
    )


def _cells(publication, tables=("total", "area", "region", "sex", "age", "project")):
    return db.session.scalars(
        select(PublishedCell).where(
            PublishedCell.publication_id == publication.id, PublishedCell.table.in_(tables)
        )
    ).all()


def _table(html: str, table_id: str) -> str:
    part = html[html.index(f'id="{table_id}"') :]
    return part[: part.index("</table>")]


def test_board_pdf_prints_exactly_the_published_cells(app, officer, publish):
    standard, projects = _portfolio(officer)
    publish("2025")
    publication = publications.find(db.session, "2025")
    params = ReportParams.board(publication, "en")
    data = _board(params)
    published = publications.load(db.session, publication, projects=[p.id for p in projects])
    measure = ("std", standard.id)

    # Every figure is what publications.views gives the portfolio page and its CSV.
    with force_locale("en"):
        figures = views.by_indicator(db.session, published, labels=category_labels())
        areas = views.by_area(db.session, published)
        rollups = {m: views.by_region(db.session, published, m) for m in (REACHED, measure)}
    assert [
        (r["label"], r["achieved_display"], r["target_display"]) for r in data["indicators"]
    ] == [(f.name, f.achieved_display, f.target_display) for f in figures]
    assert data["key_figures"]["reached"] == published.get(REACHED, "total").display
    assert data["key_figures"]["projects"] == 4  # distinct projects
    by_area = data["outcomes_by_area"]
    assert by_area["rows"][0]["cells"] == [
        published.get(REACHED, "area", area=a).display for a in by_area["area_ids"]
    ]
    shown = {(a.area_id, f.standard_id): f.achieved_display for a in areas for f in a.indicators}
    assert by_area["rows"][1]["cells"] == [
        shown.get((a, standard.id), NOTHING) for a in by_area["area_ids"]
    ]
    tables = {tuple(t["measure"]): t for t in data["outcomes_by_region"]}
    for m, rollup in rollups.items():
        assert [(r["code"], r["display"]) for r in tables[m]["rows"]] == [
            (r.code, r.display) for r in rollup.regions
        ]
        assert tables[m]["total_display"] == rollup.total_display
        # The fourth project works in two regions: its results are in "several regions".
        assert rollup.regions[-1].code == "several"
    (sex,) = data["indicator_breakdowns"]
    assert sex["rows"][0]["cells"] == [
        c.display for b in figures[0].breakdowns if b.dimension == "sex" for c in b.cells
    ]

    # The regions add up to the total (stored values, hidden ones included).
    for m in (REACHED, measure):
        regions = published.table(m, "region")
        stored = {
            (c.region, c.table): c.value
            for c in _cells(publication, ("total", "region"))
            if (c.standard_id, c.indicator_id)
            == ((standard.id, None) if m == measure else (None, None))
        }
        assert set(r for (_a, r, _c, _p) in regions) == {"KZ-10", "KZ-11", "KZ-75", "several"}
        assert sum(v for (r, t), v in stored.items() if t == "region") == stored[(None, "total")]

    html, raw = _pdf_text(data)
    text = _flat(raw)
    stamp = _stamp(publication)
    # The PDF prints each published cell where it belongs ...
    for m, title in ((REACHED, "People reached"), (measure, "Children treated (children)")):
        rows = " ".join(f"{r.name} {r.display}" for r in rollups[m].regions)
        total = rollups[m].total_display
        assert _flat(f"{title} {stamp} Region Achieved {rows} Total {total}") in text
    assert "Several regions" in text
    for f in figures:
        assert _flat(f"{f.name} {f.unit} {f.achieved_display} {f.target_display}") in text
    for row in by_area["rows"]:
        label = row["label"] + (f" ({row['unit']})" if row["unit"] else "")
        assert _flat(" ".join([label, *row["cells"]])) in text
    # ... and never a hidden one: the hidden cells' values (distinctive) are printed nowhere.
    hidden = [c for c in _cells(publication) if c.status != CellStatus.SHOWN]
    assert {c.table for c in hidden} >= {"region", "project"}
    printed = {c.value for c in _cells(publication) if c.status == CellStatus.SHOWN and c.reports}
    distinctive = {c.value for c in hidden if c.value >= 100} - printed
    assert distinctive, "the data should hide a distinctive figure"
    assert not distinctive & _numbers(raw)
    for table_id in ("indicator-table", "beneficiaries", "outcomes-by-area"):
        assert not re.search(r'<td class="num">[1-4]</td>', _table(html, table_id)), table_id
    assert HIDDEN in text and NOTHING in text
    # Every outcome table names the period and the day it was published, with the legend.
    assert html.count('<caption class="published">') >= 6
    assert text.count(stamp) >= html.count('<caption class="published">')
    assert "… hidden so that no small count can be worked out; — nothing reported" in text
    # Stories with consent only; nothing raw on the project pages.
    assert "Told with consent" in text and "NO CONSENT GIVEN" not in text
    for p, value, people in zip(data["projects"], TREATED, REACHED_PEOPLE, strict=True):
        cells = {m: published.get(m, "project", project=p["id"]) for m in (REACHED, measure)}
        assert p["reached"] == cells[REACHED].display
        assert p["indicators"][0]["actual_display"] == cells[measure].display
        assert p["published"]["key"] == "2025"
        page = html[html.index(f'id="project-{p["id"]}"') :]
        page = page[: page.index("</section>")]
        for m, true in ((measure, value), (REACHED, people)):
            if cells[m].hidden:
                assert f'<td class="num">{true}</td>' not in page
                assert f'<td class="reached">{true}<' not in page


def test_a_region_filter_prints_the_region_cells(app, officer, publish):
    standard, projects = _portfolio(officer, treated=(30, 347, 461, 589))
    publish("2025")
    publication = publications.find(db.session, "2025")
    almaty = factories.region("KZ-75")
    data = _board(ReportParams.board(publication, "en", region_id=almaty.id))
    published = publications.load(db.session, publication)
    assert [p["code"] for p in data["projects"]] == [projects[2].code]
    assert [r["achieved_display"] for r in data["indicators"]] == ["461"]
    assert (
        data["key_figures"]["reached"] == published.get(REACHED, "region", region="KZ-75").display
    )
    # By area: the area x region cells; no table by region (the region is the total).
    assert data["outcomes_by_region"] == []
    education = factories.area("education")
    column = data["outcomes_by_area"]["area_ids"].index(education.id)
    assert data["outcomes_by_area"]["rows"][1]["cells"][column] == (
        published.get(
            ("std", standard.id), "area_region", area=education.id, region="KZ-75"
        ).display
    )
    assert data["stories"] == []  # the story is another region's project's


def test_an_area_filter_prints_the_area_and_area_region_cells(app, officer, publish):
    standard, _projects = _portfolio(officer, treated=(30, 347, 461, 589))
    publish("2025")
    publication = publications.find(db.session, "2025")
    healthcare = factories.area("healthcare")
    data = _board(ReportParams.board(publication, "en", area_id=healthcare.id))
    published = publications.load(db.session, publication)
    measure = ("std", standard.id)
    assert data["indicators"][0]["achieved_display"] == (
        published.get(measure, "area", area=healthcare.id).display
    )
    assert data["outcomes_by_area"]["area_ids"] == [healthcare.id]
    (reached, treated) = data["outcomes_by_region"]
    assert [(r["code"], r["display"]) for r in treated["rows"]] == [
        (r, f.display)
        for (_a, r, _c, _p), f in sorted(
            published.table(measure, "area_region", area=healthcare.id).items(),
            key=lambda kv: kv[0][1],
        )
    ]
    assert treated["total_display"] == published.get(measure, "area", area=healthcare.id).display


def test_nothing_reported_is_a_dash_never_a_small_number(app, officer, publish):
    _portfolio(officer)
    publish("2025")
    publication = publications.find(db.session, "2025-Q1")  # nothing reported in Q1
    data = _board(ReportParams.board(publication, "en"))
    assert data["key_figures"]["reached"] == NOTHING
    assert all(r["achieved_display"] == NOTHING for r in data["indicators"])
    assert all(p["reached"] == NOTHING for p in data["projects"])
    assert data["stories"] == []


def test_a_report_on_dates_that_are_no_published_period_prints_no_figure(app, officer, publish):
    _portfolio(officer)
    params = ReportParams(ReportKind.BOARD, "en", *Q2)
    data = _board(params)
    assert data["published"] is None and data["indicators"] == []
    assert data["key_figures"]["reached"] == "not published yet"
    assert all(
        p["indicators"][0]["actual_display"] == "not published yet" for p in data["projects"]
    )
    _html, raw = _pdf_text(data)
    assert not set(TREATED[1:] + REACHED_PEOPLE[1:]) & _numbers(raw)
    # Nobody can ask for it.
    with pytest.raises(DomainError):
        service.request_report(db.session, officer, params, TODAY)
    # Free dates never were a period of the grid.
    assert grid_period(date(2025, 1, 1), date(2025, 5, 31)) is None
    assert grid_period(*Q2).key == "2025-Q2"


def test_the_fingerprint_changes_when_the_period_is_published(app, officer, publish):
    _standard, projects = _portfolio(officer)
    board = ReportParams(ReportKind.BOARD, "en", *Q2)
    project = projects[1]
    report = ReportParams(
        ReportKind.PROJECT, "en", project.start_date, project.end_date, project_id=project.id
    )
    before = {p: service.current_data(db.session, p, TODAY)[1] for p in (board, report)}
    publish("2025-Q2")
    after = {p: service.current_data(db.session, p, TODAY)[1] for p in (board, report)}
    assert before[board] != after[board] and before[report] != after[report]
    publish("2025-Q3")  # another period: the project report lists it
    assert service.current_data(db.session, report, TODAY)[1] != after[report]
    assert service.current_data(db.session, board, TODAY)[1] == after[board]


# Project reports --------------------------------------------------------------------------------


def test_project_report_says_not_published_yet_and_prints_no_raw_figure(app, officer):
    _standard, projects = _portfolio(officer)
    project = projects[1]
    params = ReportParams(
        ReportKind.PROJECT, "en", project.start_date, project.end_date, project_id=project.id
    )
    data, _ = service.current_data(db.session, params, TODAY)
    assert data["published_by_period"] is None
    assert data["project"]["reached"] == "not published yet"
    assert [i["actual_display"] for i in data["project"]["indicators"]] == ["not published yet"]
    _html, raw = _pdf_text(data)
    assert "No outcome figures of this project have been published yet" in _flat(raw)
    assert not {347, 158} & _numbers(raw)


def test_project_report_prints_its_cells_of_every_published_period(app, officer, publish):
    standard, projects = _portfolio(officer)
    project = projects[1]
    # A percentage is not a count of people: its latest verified value is printed as it is.
    share = factories.ProjectIndicatorFactory(
        project=project,
        standard=None,
        name="Share of families satisfied",
        unit="%",
        type=IndicatorType.PERCENTAGE,
        target=90,
    )
    factories.indicator_result(share, Q2[0], 87, ResultStatus.VERIFIED)
    # A count of its own (no standard indicator): its own published cell, ("ind", id).
    own = factories.ProjectIndicatorFactory(
        project=project, standard=None, name="Families counselled", unit="families", target=300
    )
    factories.indicator_result(own, Q2[0], 212, ResultStatus.VERIFIED)
    publish("2025")
    params = ReportParams(
        ReportKind.PROJECT, "ru", project.start_date, project.end_date, project_id=project.id
    )
    data, _ = service.current_data(db.session, params, TODAY)
    found = publications.project_figures(db.session, project.id)
    table = data["published_by_period"]
    assert [row["key"] for row in table["rows"]] == [p.period for p, _cells in found]
    assert {"2025", "2025-H1", "2025-Q2"} <= {row["key"] for row in table["rows"]}
    for row, (_publication, cells) in zip(table["rows"], found, strict=True):
        assert row["cells"] == [
            cells.get(m, publications.NOTHING_REPORTED).display
            for m in (REACHED, ("std", standard.id), ("ind", own.id))
        ]
    # The page shows the latest published period's cells: the year.
    assert data["project"]["published"]["key"] == "2025"
    year = dict(found)[publications.find(db.session, "2025")]
    assert data["project"]["reached"] == year[REACHED].display
    assert [(i["label"], i["actual_display"]) for i in data["project"]["indicators"]] == [
        (standard.name("ru"), year[("std", standard.id)].display),
        ("Share of families satisfied", "87"),
        ("Families counselled", year[("ind", own.id)].display),
    ]
    assert year[("ind", own.id)].display == "212"
    rendered = render.html_to_pdf(render.render_html(data, datetime.now(UTC), "FundTracker"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "Told with consent" in text
    assert "NO CONSENT GIVEN" not in text
    assert 1000 not in _numbers(text)  # the unverified result


def test_project_indicators_are_loaded_once_for_all_project_pages(app, officer, sql_log, publish):
    _portfolio(officer)
    publish("2025")

    def queries(count: int) -> int:
        for _ in range(count):
            _portfolio(officer)
        params = ReportParams(ReportKind.BOARD, "en", *YEAR)
        start = len(sql_log)
        with force_locale("en"):
            board_context(db.session, params, TODAY)
        db.session.expire_all()
        return len(sql_log) - start

    assert queries(1) == queries(3)


# The reports page and building -------------------------------------------------------------------


BOARD_FORM = {"period": "2025", "area": "", "region": "", "language": "ru"}


def _count():
    return db.session.scalar(select(func.count(StoredReport.id)))


def test_the_form_offers_the_published_periods_latest_first(app, login, officer, publish):
    board = factories.UserFactory(role=Role.BOARD)
    client = login(board)
    page = client.get("/reports/").get_data(as_text=True)
    # Nothing published: the form says so and cannot be sent.
    assert 'id="board-report-unpublished"' in page
    assert "No period has been published yet" in page
    assert re.search(r"<fieldset\s+disabled", page)
    response = client.post("/reports/board", data=BOARD_FORM)
    assert response.status_code == 422 and _count() == 0

    factories.ProjectFactory()
    publish("2025-H1")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'id="board-report-unpublished"' not in page
    select_ = page[page.index('name="period"') :]
    options = re.findall(r"<option ([^>]*)>", select_[: select_.index("</select>")])
    assert [re.search(r'value="([^"]*)"', o)[1] for o in options] == [
        "2025-H1",
        "2025-Q2",
        "2025-Q1",
    ]
    assert "selected" in options[0]
    assert "2025 H1 · published" in page

    # Free dates and periods not published are refused.
    for period in ("2025", "2025-Q3", "2025-01-01"):
        response = client.post("/reports/board", data=dict(BOARD_FORM, period=period))
        assert response.status_code == 422, period
        assert "Choose a published period." in response.get_data(as_text=True)
    assert _count() == 0
    assert client.post("/reports/board", data=dict(BOARD_FORM, period="2025-Q2")).status_code == 302
    report = db.session.scalar(select(StoredReport))
    assert (report.period_start, report.period_end) == Q2
    listing = client.get("/reports/").get_data(as_text=True)
    assert "2025 Q2" in listing[listing.index('id="report-table"') :]


def test_board_report_is_queued_built_in_the_background_and_served_again(
    app, login, officer, monkeypatch, publish
):
    factories.ProjectFactory(title_ru="Реабилитационный центр в Жезказгане")
    publish("2025")
    board = factories.UserFactory(role=Role.BOARD)
    client = login(board)
    assert "board-report-form" in client.get("/reports/").get_data(as_text=True)

    response = client.post("/reports/board", data=BOARD_FORM)
    assert response.status_code == 302
    report = db.session.scalar(select(StoredReport).order_by(StoredReport.id.desc()))
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    assert (report.status, report.kind, report.locale) == (ReportStatus.QUEUED, "board", "ru")
    assert (report.period_start, report.period_end) == YEAR

    # The request did not build it: the page shows its progress.
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'id="report-progress-bar"' in page and "js/reports.js" in page
    assert client.get(f"/reports/{report.id}/status").json == {
        "status": "queued",
        "label": "Waiting to be built",
        "progress": 0,
        "finished": False,
        "pages": None,
    }
    assert client.get(f"/reports/{report.id}/download").status_code == 302

    # Asking again while it waits gives the same report.
    again = client.post("/reports/board", data=BOARD_FORM)
    assert again.headers["Location"].endswith(f"/reports/{report.id}")

    result = app.test_cli_runner().invoke(args=["reports", "build-pending"])
    assert result.exit_code == 0 and "Reports built: 1" in result.output
    db.session.refresh(report)
    assert (report.status, report.progress) == (ReportStatus.DONE, 100)
    assert client.get(f"/reports/{report.id}/status").json["finished"] is True

    download = client.get(f"/reports/{report.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "impact-report-2025-ru.pdf" in download.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(download.data))
    assert reader.metadata.title == "Отчёт о результатах"
    assert "Реабилитационный центр в Жезказгане" in "".join(p.extract_text() for p in reader.pages)
    # Behind nginx (X_ACCEL_REDIRECT) the same check hands the file to nginx: no body, the
    # stored PDF's place under nginx's internal location, the same name (tests/deploy).
    app.config["X_ACCEL_REDIRECT"] = True
    try:
        accel = client.get(f"/reports/{report.id}/download")
    finally:
        app.config["X_ACCEL_REDIRECT"] = False
    assert accel.status_code == 200 and accel.data == b""
    assert accel.headers["X-Accel-Redirect"] == f"/_protected/reports/{report.storage_key}.pdf"
    assert accel.headers["Content-Disposition"] == download.headers["Content-Disposition"]

    # Unchanged data: served from the stored file at once, nothing queued, and without working
    # the report's data out again: the data version has not moved since the build.
    before = _count()
    with monkeypatch.context() as m:
        m.setattr(service, "current_data", _not_expected)
        served = client.post("/reports/board", data=BOARD_FORM)
    assert served.headers["Location"].endswith(f"/reports/{report.id}/download")
    assert _count() == before

    # A change elsewhere (a notification) moves the version but not the report's data: the
    # fingerprint is worked out again, matches, and the report is served and stamped anew.
    notifications.notify(db.session, board, subject="Elsewhere", body="-", url="/reports/")
    db.session.commit()
    served = client.post("/reports/board", data=BOARD_FORM)
    assert served.headers["Location"].endswith(f"/reports/{report.id}/download")
    with monkeypatch.context() as m:
        m.setattr(service, "current_data", _not_expected)
        assert client.post("/reports/board", data=BOARD_FORM).status_code == 302
    assert _count() == before

    # Changed data: a new build.
    factories.ProjectFactory()
    db.session.commit()
    changed = client.post("/reports/board", data=BOARD_FORM)
    assert _count() == before + 1
    assert not changed.headers["Location"].endswith("/download")


def test_a_board_report_of_before_publishing_is_no_longer_handed_out(app, login, publish):
    """Reports built under the old rules (any dates; a period built before it was published)
    could be subtracted from each other: they stay listed, but are not downloaded any more."""
    board = factories.UserFactory(role=Role.BOARD)
    client = login(board)
    old = []
    for start, end in ((date(2025, 1, 1), date(2025, 5, 31)), YEAR):
        key, sha256 = service.store_pdf(factories.PDF_BYTES)
        old.append(
            factories.StoredReportFactory(
                period_start=start,
                period_end=end,
                status=ReportStatus.DONE,
                storage_key=key,
                sha256=sha256,
                finished_at=datetime(2026, 1, 5, tzinfo=UTC),
            )
        )
    db.session.commit()
    publish("2025")
    for report in old:
        assert service.outdated(db.session, report)
        download = client.get(f"/reports/{report.id}/download")
        assert download.status_code == 302
        assert download.headers["Location"].endswith(f"/reports/{report.id}")
        page = client.get(f"/reports/{report.id}").get_data(as_text=True)
        assert 'id="report-outdated"' in page and 'id="report-download"' not in page
    listing = client.get("/reports/").get_data(as_text=True)
    assert "/download" not in listing[listing.index('id="report-table"') :]
    # Built after its period was published: handed out.
    old[1].finished_at = datetime.now(UTC)
    db.session.commit()
    assert not service.outdated(db.session, old[1])
    assert client.get(f"/reports/{old[1].id}/download").status_code == 200


def _not_expected(*_args, **_kwargs):
    raise AssertionError("the report's data was worked out again")


def test_claiming_is_exclusive(app):
    report = factories.StoredReportFactory()
    assert service.claim(db.session, report.id) is True
    assert service.claim(db.session, report.id) is False


def test_grantee_builds_their_own_project_report_only(app, login, grantee):
    own = factories.ProjectFactory(organisation=grantee.organisation)
    factories.MilestoneFactory(project=own)
    factories.BudgetLineFactory(project=own)
    other = factories.ProjectFactory()
    client = login(grantee)
    page = client.get("/reports/").get_data(as_text=True)
    assert own.code in page and other.code not in page
    assert "board-report-form" not in page

    response = client.post("/reports/project", data={"project": own.id, "language": "kk"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/download")
    pdf = client.get(response.headers["Location"])
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    words = " ".join(text.split())  # a long title wraps onto the next line
    assert own.title_kk in words and "Жоба бойынша есеп" in words

    assert (
        client.post("/reports/project", data={"project": other.id, "language": "kk"}).status_code
        == 404
    )
    foreign = factories.StoredReportFactory(for_project=True, project=other)
    assert client.get(f"/reports/{foreign.id}/download").status_code == 404
    board_report = factories.StoredReportFactory()
    assert client.get(f"/reports/{board_report.id}").status_code == 404


# The scheduled board report -----------------------------------------------------------------------


def test_the_scheduled_board_report_is_the_latest_published_periods(app, monkeypatch, publish):
    factories.ProjectFactory(start_date=date(2025, 1, 1), end_date=date(2027, 12, 31))
    kk_member = factories.UserFactory(role=Role.BOARD, locale="kk")
    ru_member = factories.UserFactory(role=Role.BOARD, locale="ru")
    told = []

    def spy(session, recipient, *, subject, body, url):
        told.append((recipient.id, subject, url))

    monkeypatch.setattr(notifications, "notify", spy)
    assert jobs.queue_monthly(db.session, TODAY) == []  # nothing published: nothing to build

    publish("2025-Q3")
    queued = jobs.queue_monthly(db.session, TODAY)
    assert sorted(r.locale for r in queued) == ["kk", "ru"]
    assert {(r.period_start, r.period_end) for r in queued} == {
        (date(2025, 7, 1), date(2025, 9, 30))
    }
    assert jobs.queue_monthly(db.session, TODAY) == []  # safe to run twice

    with app.app_context():
        built = jobs.build_pending(app)
    assert built == 2
    reports = db.session.scalars(select(StoredReport).where(StoredReport.scheduled)).all()
    assert all(r.status == ReportStatus.DONE and r.notified_at for r in reports)
    by_user = {user: (subject, url) for user, subject, url in told}
    assert set(by_user) == {kk_member.id, ru_member.id}
    assert by_user[ru_member.id][0].startswith("Отчёт для совета")
    assert "2025" in by_user[ru_member.id][0]
    assert re.fullmatch(r"/reports/\d+", by_user[kk_member.id][1])

    told.clear()
    with app.app_context():
        assert jobs.build_pending(app) == 0
    assert told == []  # told once

    # A later period published: its report comes next (the year, published after its quarters).
    publish("2025")
    assert {(r.period_start, r.period_end) for r in jobs.queue_monthly(db.session, TODAY)} == {YEAR}
