"""The board report of the demo data's published year 2025, built once for this module through
the real path (an officer publishes 2025, a board member asks for its report, `flask reports
build-pending` builds it) and read back with pypdf and pdftoppm. Some project texts are made
hostile first: URLs and CSS that a careless renderer would fetch. Every published cell of the
total, area and region tables is printed as the portfolio page and its CSV show it
(publications.views), and no hidden one is."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_migrate import upgrade
from pypdf import PdfReader
from sqlalchemy import func, select

from config import TestingConfig
from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_d, format_money
from fundtracker.core.time import local_day
from fundtracker.demo import seed_demo
from fundtracker.disclosure import HIDDEN, NOTHING, THRESHOLD
from fundtracker.models import (
    CellStatus,
    ImpactStory,
    Project,
    PublishedCell,
    ReportStatus,
    Role,
    StoredReport,
    Tranche,
    TrancheStatus,
    User,
)
from fundtracker.models.labels import category_labels
from fundtracker.pdf import render, service
from fundtracker.pdf.params import ReportParams
from fundtracker.services import publications, sessions
from fundtracker.services.publications import REACHED, views
from tests.conftest import login_as
from tests.dbutil import fresh_database

pytestmark = pytest.mark.no_db

HOSTILE_TITLE = (
    'ӘҒҚҢӨҰҮҺІ әғқңөұүһі <img src="file:///etc/passwd"> http://169.254.169.254/latest/meta-data/'
)
HOSTILE_SUMMARY = (
    '<link rel="stylesheet" href="http://169.254.169.254/x.css">'
    "<style>@import url(file:///etc/passwd); body { background: url(http://169.254.169.254/) }"
    "</style> div { background: url('file:///etc/shadow') }"
)
KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"
NO_CONSENT = "Келісімсіз әңгіме: жарияланбайды"
YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)
IN_2025 = datetime(2025, 9, 1, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(app, pdf bytes, report id, the fetcher that served the build, the report's data)."""
    with fresh_database("reports") as url:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url,
            REPORTS_FOLDER=str(tmp_path_factory.mktemp("demo-reports")),
        )
        with app.app_context():
            upgrade()
            seed_demo(db.session)
            # The first project of the report: one running in 2025.
            first = db.session.scalar(
                select(Project)
                .where(Project.start_date <= YEAR_END, Project.end_date >= YEAR_START)
                .order_by(Project.code)
            )
            first.title_kk = HOSTILE_TITLE
            first.summary_kk = HOSTILE_SUMMARY
            # A story without consent, on a project that has one with consent.
            # A board report prints the stories written in its period: one with consent of a
            # project of 2025 is dated in 2025, and one without consent beside it.
            told = db.session.scalar(
                select(ImpactStory)
                .join(Project, Project.id == ImpactStory.project_id)
                .where(ImpactStory.consent, Project.end_date >= YEAR_START)
                .where(Project.start_date <= YEAR_END)
                .order_by(ImpactStory.id)
            )
            told.created_at = IN_2025
            db.session.add(
                ImpactStory(
                    project_id=told.project_id,
                    title=NO_CONSENT,
                    body=NO_CONSENT,
                    consent=False,
                    author_id=told.author_id,
                    created_at=IN_2025,
                )
            )
            db.session.commit()
            # The demo publishes every period whose results are all verified: 2025 among them.
            assert publications.find(db.session, "2025") is not None
            board = db.session.scalar(select(User).where(User.role == Role.BOARD))
            _row, board_token = sessions.start(
                db.session, board, address="127.0.0.1", user_agent="pytest", remember=False
            )
            db.session.commit()
            db.session.remove()

        fetchers = []
        original = render.asset_fetcher

        def recording_fetcher():
            fetcher = original()
            fetchers.append(fetcher)
            return fetcher

        render.asset_fetcher = recording_fetcher
        try:
            client = app.test_client()
            with client.session_transaction() as sess:
                sess["_user_id"] = board_token
            form = {"period": "2025", "area": "", "region": "", "language": "kk"}
            response = client.post("/reports/board", data=form)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            report_id = int(re.search(r"/reports/(\d+)", response.headers["Location"])[1])
            # Inside this app's context: the suite's app context is pushed for the session.
            with app.app_context():
                result = app.test_cli_runner().invoke(args=["reports", "build-pending"])
            assert result.exit_code == 0, result.output
            assert result.output.strip() == "Reports built: 1"
        finally:
            render.asset_fetcher = original
        with app.app_context():
            report = db.session.get(StoredReport, report_id)
            assert report.status == ReportStatus.DONE, report.error
            pdf = service.report_path(report).read_bytes()
            data, _ = service.current_data(db.session, ReportParams.of(report), date.today())
            db.session.remove()
        try:
            yield {
                "app": app,
                "pdf": pdf,
                "report_id": report_id,
                "fetchers": fetchers,
                "data": data,
                "form": form,
                "board_token": board_token,
            }
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="module")
def reader(built):
    return PdfReader(io.BytesIO(built["pdf"]))


@pytest.fixture(scope="module")
def text(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _report_projects(app) -> list[Project]:
    """The projects the report is about: those running at some time in 2025."""
    with app.app_context():
        projects = db.session.scalars(
            select(Project)
            .where(Project.start_date <= YEAR_END, Project.end_date >= YEAR_START)
            .order_by(Project.code)
        ).all()
        db.session.expunge_all()
        return projects


def test_kazakh_text_extracts(built, reader, text):
    titles = [p.title_kk for p in _report_projects(built["app"])]
    flat = _flat(text)
    for letter in KAZAKH_LETTERS:
        assert letter in text, f"{letter} did not survive into the PDF text"
    # Titles wrap across lines; compare without line breaks.
    for title in titles[1:6]:
        assert _flat(title) in flat
    assert "Негізгі көрсеткіштер" in text  # "Key figures" in Kazakh
    assert reader.trailer["/Root"]["/Lang"] == "kk"


def test_metadata(reader):
    meta = reader.metadata
    assert meta.title == "Әсер туралы есеп"
    assert meta.author == TestingConfig.FUND_NAME  # the fund, as the open-data files name it


def test_figures_equal_the_database(built, text):
    app = built["app"]
    projects = _report_projects(app)
    ids = [p.id for p in projects]
    with app.app_context(), force_locale("kk"):
        awarded = sum(p.awarded_amount for p in projects)
        paid = db.session.scalar(
            select(func.sum(Tranche.amount)).where(
                Tranche.status == TrancheStatus.PAID,
                Tranche.project_id.in_(ids),
                Tranche.paid_on <= YEAR_END,
            )
        )
        money = [format_money(awarded, "kk"), format_money(paid, "kk")]
    figures = built["data"]["key_figures"]
    assert (figures["projects"], figures["awarded"], figures["paid_to_date"]) == (
        len(projects),
        awarded,
        paid,
    )
    assert 20 < len(projects) < 67  # distinct projects of the period, not all of the fund's
    flat = _flat(text)
    for amount in money:
        assert _flat(amount) in flat, amount
    # The appendix lists every project of the report with its award.
    assert all(p.code in text for p in projects)


def test_outline_lists_every_project(built, reader):
    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    outline = list(titles(reader.outline))
    for project in _report_projects(built["app"]):
        assert any(entry.startswith(project.code) for entry in outline), project.code
    assert "Негізгі көрсеткіштер" in outline


def test_outcomes_section_and_indicators_are_in_the_pdf(built, reader, text):
    data = built["data"]
    flat = _flat(text)
    assert data["indicators"] and data["beneficiaries"] and data["stories"]
    assert "Стандартты көрсеткіштер бойынша нәтижелер" in flat  # the section's heading
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Стандартты көрсеткіштер бойынша нәтижелер" in outline
    for row in data["indicators"]:
        assert _flat(row["label"]) in flat, row["label"]
    # Each project page lists its indicators (in Kazakh, from the library).
    pages = [p for p in data["projects"] if p["indicators"]]
    assert len(pages) > 20
    for story in data["stories"]:
        assert _flat(story["title"]) in flat


def test_the_domain_section_regroups_the_indicator_rows(built, reader, text):
    """Outcomes by child well-being domain (issue #21): the rows of the table by standard
    indicator, the same figures, under each domain their indicator informs; nothing added up."""
    data = built["data"]
    groups = data["outcomes_by_domain"]
    rows = {r["standard_id"]: r for r in data["indicators"]}
    assert groups and groups[0]["code"] == "HEALTH"
    for group in groups:
        for row in group["rows"]:
            assert row == rows[row["standard_id"]]
    assert {r["standard_id"] for g in groups for r in g["rows"]} == set(rows)
    # Rehabilitation places inform health and the living environment: listed under both.
    several = [r for r in data["indicators"] if sum(r in g["rows"] for g in groups) > 1]
    assert several
    title = "Бала әл-ауқатының салалары бойынша нәтижелер"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert title in outline
    flat = _flat(text)
    # After the contents' entry, the section itself (its title then runs in the page header).
    section = flat.split(title, 2)[2]
    for group in groups:
        assert _flat(group["name"]) in section, group["name"]
        for row in group["rows"]:
            assert _flat(f"{row['achieved_display']} {row['target_display']}") in section


@pytest.fixture(scope="module")
def published(built):
    """What publications.views gives the portfolio page and its CSV for 2025, in Kazakh."""
    app = built["app"]
    with app.app_context(), force_locale("kk"):
        publication = publications.find(db.session, "2025")
        ids = [p["id"] for p in built["data"]["projects"]]
        loaded = publications.load(db.session, publication, projects=ids)
        measures = [REACHED] + [("std", s) for s in loaded.measures("std")]
        out = {
            "publication": publication,
            "loaded": loaded,
            "figures": views.by_indicator(
                db.session, loaded, locale="kk", labels=category_labels()
            ),
            "areas": views.by_area(db.session, loaded, locale="kk"),
            "regions": {m: views.by_region(db.session, loaded, m, locale="kk") for m in measures},
            "stamp": _(
                "%(period)s · published %(date)s",
                period="2025",
                date=format_d(local_day(publication.published_at)),
            ),
            "words": (_("Region"), _("Achieved"), _("Total")),
            "cells": db.session.scalars(
                select(PublishedCell).where(PublishedCell.publication_id == publication.id)
            ).all(),
        }
        db.session.remove()
    return out


def test_outcome_figures_equal_the_published_views(built, published, text):
    data = built["data"]
    figures = published["figures"]
    assert [
        (r["label"], r["achieved_display"], r["target_display"]) for r in data["indicators"]
    ] == [(f.name, f.achieved_display, f.target_display) for f in figures]
    # The table prints them: each indicator's row reads name, unit, achieved, target.
    flat = _flat(text)
    for f in figures:
        assert _flat(f"{f.unit} {f.achieved_display} {f.target_display}") in flat, f.name
    people = {b["label"]: b["reached_display"] for b in data["beneficiaries"]}
    assert people
    assert all(people[f.name] == f.achieved_display for f in figures if f.name in people)
    assert data["key_figures"]["reached"] == published["loaded"].get(REACHED, "total").display
    assert _flat(data["key_figures"]["reached"]) in flat
    # The breakdowns by sex and age group, cell by cell.
    for table in data["indicator_breakdowns"]:
        for row, f in zip(
            table["rows"],
            [f for f in figures if any(b.dimension == table["dimension"] for b in f.breakdowns)],
            strict=True,
        ):
            (b,) = [b for b in f.breakdowns if b.dimension == table["dimension"]]
            cells = {c.key: c.display for c in b.cells}
            assert row["cells"] == [cells.get(k, NOTHING) for k in table["keys"]]


def test_every_area_and_region_cell_is_printed_as_published(built, published, text):
    data = built["data"]
    flat = _flat(text)
    loaded = published["loaded"]
    by_area = data["outcomes_by_area"]
    assert by_area["rows"][0]["cells"] == [
        loaded.get(REACHED, "area", area=a).display for a in by_area["area_ids"]
    ]
    shown = {
        (a.area_id, f.standard_id): f.achieved_display
        for a in published["areas"]
        for f in a.indicators
    }
    for row, indicator in zip(by_area["rows"][1:], data["indicators"], strict=True):
        assert row["cells"] == [
            shown.get((a, indicator["standard_id"]), NOTHING) for a in by_area["area_ids"]
        ]
    for row in by_area["rows"]:
        label = row["label"] + (f" ({row['unit']})" if row["unit"] else "")
        assert _flat(" ".join([label, *row["cells"]])) in flat, label

    tables = {tuple(t["measure"]): t for t in data["outcomes_by_region"]}
    several = 0
    for measure, rollup in published["regions"].items():
        if not rollup.regions:
            assert measure not in tables
            continue
        table = tables[measure]
        assert [(r["code"], r["display"]) for r in table["rows"]] == [
            (r.code, r.display) for r in rollup.regions
        ]
        # Printed in one piece: title, the period, every region in order, the total.
        rows = " ".join(f"{r.name} {r.display}" for r in rollup.regions)
        head = table["title"] + (f" ({table['unit']})" if table["unit"] else "")
        region, achieved, total = published["words"]
        printed = f"{head} {published['stamp']} {region} {achieved} {rows} {total}"
        assert _flat(printed) in flat, head
        if rollup.regions[-1].code == "several":
            several += 1
            assert _flat(rollup.regions[-1].name) in flat
    assert several
    # The stored values of the region cells add up to the total's, for every measure.
    cells = published["cells"]
    for measure in published["regions"]:
        mine = [c for c in cells if _measure(c) == measure]
        total = [c.value for c in mine if c.table == "total"]
        assert sum(c.value for c in mine if c.table == "region") == sum(total)


def _measure(cell) -> tuple:
    if cell.standard_id is not None:
        return ("std", cell.standard_id)
    if cell.indicator_id is not None:
        return ("ind", cell.indicator_id)
    return REACHED


def test_no_hidden_value_and_no_small_count_is_printed(built, published, text):
    data = built["data"]
    shown = [r["achieved_display"] for r in data["indicators"]]
    shown += [b["reached_display"] for b in data["beneficiaries"]]
    shown += [c for t in data["indicator_breakdowns"] for row in t["rows"] for c in row["cells"]]
    shown += [c for row in data["outcomes_by_area"]["rows"] for c in row["cells"]]
    shown += [r["display"] for t in data["outcomes_by_region"] for r in t["rows"]]
    shown += [p["reached"] for p in data["projects"]]
    shown += [r["achieved_display"] for g in data["outcomes_by_domain"] for r in g["rows"]]
    shown += [i["actual_display"] for p in data["projects"] for i in p["indicators"] if i["counts"]]
    assert HIDDEN in shown and NOTHING in shown
    for value in shown:
        assert value in (HIDDEN, NOTHING) or not 0 < int(value.replace("\u202f", "")) < THRESHOLD
    # In what was printed: no number cell of 1 to 4 in the outcome tables.
    with built["app"].app_context():
        html = render.render_html(data, date.today(), "FundTracker")
    ids = ["indicator-table", "beneficiaries", "outcomes-by-area"]
    ids += [f"indicator-breakdowns-{t['dimension']}" for t in data["indicator_breakdowns"]]
    ids += [f"outcomes-by-region-{n}" for n in range(1, len(data["outcomes_by_region"]) + 1)]
    ids += ["outcomes-by-domain-table"]
    for table_id in ids:
        part = html[html.index(f'id="{table_id}"') :]
        part = part[: part.index("</table>")]
        assert not re.search(r'<td class="num">[1-4]</td>', part), table_id
    # A hidden cell of the project pages: its true value is not on the project's page.
    hidden = {
        (c.project_id, _measure(c)): c.value
        for c in published["cells"]
        if c.table == "project" and c.status != CellStatus.SHOWN
    }
    # (Which project cells the demo hides depends on the partners the protection chooses; the
    # tables above hold hidden cells whatever it chooses.)
    for p in data["projects"]:
        page = html[html.index(f'id="project-{p["id"]}"') :]
        page = page[: page.index("</section>")]
        value = hidden.get((p["id"], REACHED))
        if value is not None:
            assert p["reached"] == HIDDEN
            assert f'<td class="reached">{value}<' not in page
    # Every outcome table names the period and the day it was published.
    assert html.count('<caption class="published">') == len(ids) + sum(
        1 for p in data["projects"] if p["indicators"]
    )
    assert _flat(text).count(_flat(published["stamp"])) >= len(ids)


def test_a_story_without_consent_never_appears(built, text):
    assert NO_CONSENT not in text
    assert "Келісімсіз" not in text
    assert all(s["title"] != NO_CONSENT for s in built["data"]["stories"])


def test_fetcher_saw_only_bundled_assets(built, text):
    fetchers = built["fetchers"]
    assert len(fetchers) == 1
    # Printed in parts: each part's printer asked for the stylesheet, and for nothing else.
    requested = fetchers[0].requested
    assert len(requested) >= 4 and set(requested) == {render.ASSET_ORIGIN + "css/print.css"}
    assert not fetchers[0].refused
    # The hostile texts are printed as text, not followed.
    flat = _flat(text)
    assert "file:///etc/passwd" in flat
    assert "169.254.169.254" in flat


def test_pages_render_to_images(built, tmp_path, reader):
    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(built["pdf"])
    last = len(reader.pages)
    for page in (1, 2, 5, last):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                str(pdf),
                str(tmp_path / f"p{page}"),
            ],
            check=True,
            timeout=120,
        )
    images = sorted(tmp_path.glob("p*.png"))
    assert len(images) == 4
    assert all(image.stat().st_size > 2000 for image in images)


def test_second_request_is_served_from_the_stored_file(built):
    app = built["app"]
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = built["board_token"]
    with app.app_context():
        before = db.session.scalar(select(func.count(StoredReport.id)))
        db.session.remove()
    response = client.post("/reports/board", data=built["form"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/{built['report_id']}/download")
    download = client.get(response.headers["Location"])
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == built["pdf"]
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredReport.id))) == before
        db.session.remove()


def test_a_grantee_gets_no_board_report(built):
    app = built["app"]
    with app.app_context():
        grantee = db.session.scalar(select(User).where(User.role == Role.GRANTEE))
        client = app.test_client()
        login_as(client, grantee)
        db.session.commit()
        db.session.remove()
    assert client.get(f"/reports/{built['report_id']}/download").status_code == 404
    assert client.post("/reports/board", data=built["form"]).status_code == 403
