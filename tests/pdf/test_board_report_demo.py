"""The board report for the 67 demo projects, built once for this module through the real path
(a board member asks for it, `flask reports build-pending` builds it) and read back with pypdf
and pdftoppm. Some project texts are made hostile first: URLs and CSS that a careless renderer
would fetch."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from flask_babel import force_locale
from flask_migrate import upgrade
from pypdf import PdfReader
from sqlalchemy import func, select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_money
from fundtracker.demo import seed_demo
from fundtracker.models import (
    ImpactStory,
    Project,
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
from fundtracker.privacy import HIDDEN, SMALL, THRESHOLD
from fundtracker.services import rollups
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
            first = db.session.scalar(select(Project).order_by(Project.code))
            first.title_kk = HOSTILE_TITLE
            first.summary_kk = HOSTILE_SUMMARY
            # A story without consent, on a project that has one with consent.
            told = db.session.scalar(select(ImpactStory).order_by(ImpactStory.id))
            db.session.add(
                ImpactStory(
                    project_id=told.project_id,
                    title=NO_CONSENT,
                    body=NO_CONSENT,
                    consent=False,
                    author_id=told.author_id,
                )
            )
            db.session.commit()
            start = db.session.scalar(select(func.min(Project.start_date)))
            end = db.session.scalar(select(func.max(Project.end_date)))
            board = db.session.scalar(select(User).where(User.role == Role.BOARD))
            board_token = board.session_token
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
            form = {
                "period": "dates",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "area": "",
                "region": "",
                "language": "kk",
            }
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


def test_kazakh_text_extracts(built, reader, text):
    with built["app"].app_context():
        titles = db.session.scalars(select(Project.title_kk).order_by(Project.code)).all()
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
    assert meta.author == "FundTracker"


def test_figures_equal_the_database(built, text):
    app = built["app"]
    with app.app_context(), force_locale("kk"):
        projects = db.session.scalar(select(func.count(Project.id)))
        awarded = db.session.scalar(select(func.sum(Project.awarded_amount)))
        paid = db.session.scalar(
            select(func.sum(Tranche.amount)).where(Tranche.status == TrancheStatus.PAID)
        )
        money = [format_money(awarded, "kk"), format_money(paid, "kk")]
    figures = built["data"]["key_figures"]
    assert (figures["projects"], figures["awarded"], figures["paid_to_date"]) == (
        projects,
        awarded,
        paid,
    )
    assert projects == 67
    flat = _flat(text)
    for amount in money:
        assert _flat(amount) in flat, amount
    # The appendix lists every project with its award.
    with app.app_context():
        codes = db.session.scalars(select(Project.code)).all()
    assert all(code in text for code in codes)


def test_outline_lists_every_project(built, reader):
    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    outline = list(titles(reader.outline))
    with built["app"].app_context():
        codes = db.session.scalars(select(Project.code)).all()
    for code in codes:
        assert any(entry.startswith(code) for entry in outline), code
    assert "Негізгі көрсеткіштер" in outline


def test_no_small_counts_in_breakdowns(built):
    data = built["data"]
    rows = data["by_area"] + data["by_region"]
    assert rows
    for row in rows:
        shown = row["reached"]
        assert shown in (SMALL, HIDDEN) or int(shown.replace("\u202f", "")) >= THRESHOLD


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
    assert len(pages) > 50
    assert "есеп кезеңінің соңына дейінгі расталған нәтижелер" in flat  # the project pages' note
    for story in data["stories"]:
        assert _flat(story["title"]) in flat


def test_outcome_figures_equal_the_roll_ups(built, text):
    form = built["form"]
    start, end = date.fromisoformat(form["start"]), date.fromisoformat(form["end"])
    with built["app"].app_context(), force_locale("kk"):
        figures = rollups.by_indicator(
            db.session, None, start, end, for_export=True, locale="kk", labels=category_labels()
        )
        db.session.remove()
    rows = built["data"]["indicators"]
    assert [(r["label"], r["achieved_display"], r["target_display"]) for r in rows] == [
        (f.name, f.achieved_display, f.target_display) for f in figures
    ]
    # The table prints them: each indicator's row reads name, unit, achieved, target.
    flat = _flat(text).replace("\u202f", " ")
    for f in figures:
        row = _flat(f"{f.unit} {f.achieved_display} {f.target_display}").replace("\u202f", " ")
        assert row in flat, row
    people = {b["label"]: b["reached_display"] for b in built["data"]["beneficiaries"]}
    assert people
    assert all(people[f.name] == f.achieved_display for f in figures if f.name in people)


def _no_small(display: str) -> bool:
    if display in (SMALL, HIDDEN, "—"):
        return True
    return int(display.replace("\u202f", "")) >= THRESHOLD


def test_no_figure_below_5_in_any_breakdown_or_indicator_table(built):
    data = built["data"]
    shown = [row["reached"] for row in data["by_area"] + data["by_region"]]
    shown += [p["reached"] for p in data["projects"]]
    shown += [r["achieved_display"] for r in data["indicators"]]
    shown += [v for r in data["indicators"] for v in r["breakdowns"].values()]
    shown += [b["reached_display"] for b in data["beneficiaries"]]
    shown += [i["actual_display"] for p in data["projects"] for i in p["indicators"]]
    assert all(_no_small(value) for value in shown)
    # And in what was printed: no number cell of 0 to 4 in these tables.
    with built["app"].app_context():
        html = render.render_html(data, date.today(), "FundTracker")
    for table_id in (
        "indicator-table",
        "indicator-breakdowns-1",
        "indicator-breakdowns-2",
        "beneficiaries",
    ):
        part = html[html.index(f'id="{table_id}"') :]
        part = part[: part.index("</table>")]
        assert not re.search(r'<td class="num">[0-4]</td>', part), table_id


def test_a_story_without_consent_never_appears(built, text):
    assert NO_CONSENT not in text
    assert "Келісімсіз" not in text
    assert all(s["title"] != NO_CONSENT for s in built["data"]["stories"])


def test_fetcher_saw_only_bundled_assets(built, text):
    fetchers = built["fetchers"]
    assert len(fetchers) == 1
    requested = fetchers[0].requested
    assert requested == [render.ASSET_ORIGIN + "css/print.css"]
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
        token = grantee.session_token
        db.session.remove()
    client = app.test_client()
    login_as(client, type("U", (), {"session_token": token})())
    assert client.get(f"/reports/{built['report_id']}/download").status_code == 404
    assert client.post("/reports/board", data=built["form"]).status_code == 403
