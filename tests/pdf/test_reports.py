"""Reports on the suite's database: the URL fetcher, the context's small-cell rule, the reports
page, building in the background with progress, serving a stored report again, access rules,
and the monthly job."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import (
    MilestoneStatus,
    MilestoneUpdate,
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
from fundtracker.pdf.params import ReportParams
from fundtracker.services import notifications, rollups
from tests import factories

TODAY = date(2026, 11, 25)


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


# The context --------------------------------------------------------------------------------------


def _accepted_update(milestone, author, people: int) -> MilestoneUpdate:
    update = MilestoneUpdate(
        milestone=milestone,
        author_id=author.id,
        status=UpdateStatus.ACCEPTED,
        beneficiaries=people,
        progress=100,
        submitted_at=datetime(2025, 6, 1, 6, tzinfo=UTC),
        reviewed_at=datetime(2025, 6, 3, 6, tzinfo=UTC),
    )
    db.session.add(update)
    milestone.status = MilestoneStatus.ACCEPTED
    milestone.accepted_at = update.reviewed_at
    db.session.flush()
    return update


def test_small_beneficiary_counts_are_suppressed(app, officer):
    small = factories.ProjectFactory(regions=[factories.region("KZ-10")])  # Abai region
    middle = factories.ProjectFactory(regions=[factories.region("KZ-11")])  # Akmola region
    large = factories.ProjectFactory(regions=[factories.region("KZ-75")])  # Almaty city
    for project, people in ((small, 3), (middle, 25), (large, 40)):
        milestone = factories.MilestoneFactory(project=project, due_date=date(2025, 6, 30))
        _accepted_update(milestone, officer, people)
    params = ReportParams(ReportKind.BOARD, "en", date(2025, 1, 1), date(2025, 12, 31))
    with force_locale("en"):
        data = board_context(db.session, params, TODAY)
    assert data["key_figures"]["reached"] == "68"
    # 3 is small; 25 is hidden too, or 68 - 40 - 25 would give it away.
    reached = {row["reached"] for row in data["by_region"]}
    assert reached == {"40", "<5", "…"}
    by_code = {p["code"]: p["reached"] for p in data["projects"]}
    assert (by_code[small.code], by_code[middle.code], by_code[large.code]) == ("<5", "…", "40")
    assert data["key_figures"]["delivery"] == {"due": 3, "on_time": 3, "share": 100}
    html = render.render_html(data, datetime.now(UTC), "FundTracker")
    breakdown = html[html.index('id="breakdown-by_region"') :]
    breakdown = breakdown[: breakdown.index("</table>")]
    assert "&lt;5" in breakdown and "…" in breakdown
    assert not re.search(r'<td class="num">[1-4]</td>\s*</tr>', breakdown)
    assert not re.search(r'<td class="num">25</td>\s*</tr>', breakdown)


def test_a_project_hidden_in_a_region_stays_hidden_on_the_projects_pages(app, officer):
    """Two projects in one region: 3 and 40 people make the region's 43, so the project page
    that would show 40 would give the 3 away by subtraction."""
    abai = factories.region("KZ-10")
    first = factories.ProjectFactory(regions=[abai])
    second = factories.ProjectFactory(regions=[abai])
    third = factories.ProjectFactory(regions=[factories.region("KZ-75")])
    for project, people in ((first, 3), (second, 40), (third, 60)):
        milestone = factories.MilestoneFactory(project=project, due_date=date(2025, 6, 30))
        _accepted_update(milestone, officer, people)
    params = ReportParams(ReportKind.BOARD, "en", date(2025, 1, 1), date(2025, 12, 31))
    with force_locale("en"):
        data = board_context(db.session, params, TODAY)
    regions = sorted(row["reached"] for row in data["by_region"])
    assert regions == ["43", "60"]
    by_code = {p["code"]: p["reached"] for p in data["projects"]}
    assert by_code[first.code] == "<5"
    assert by_code[second.code] in ("…", "<5")


# Outcomes ---------------------------------------------------------------------------------------

YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 31))
IN_2025 = datetime(2025, 6, 1, 6, tzinfo=UTC)


def _outcomes(officer, people=(3, 40, 25)):
    """One standard indicator counted by three projects in three regions, with verified results
    of `people` in Q2 2025, one reported (not verified) result, and stories with and without
    consent."""
    standard = factories.StandardIndicatorFactory(name_en="Children treated", unit_en="children")
    projects = []
    for code, value in zip(("KZ-10", "KZ-11", "KZ-75"), people, strict=False):
        project = factories.ProjectFactory(regions=[factories.region(code)])
        indicator = factories.ProjectIndicatorFactory(
            project=project, standard=standard, by_region=False, target=50
        )
        half = value // 2
        factories.indicator_result(
            indicator,
            date(2025, 4, 1),
            value,
            ResultStatus.VERIFIED,
            cells={"sex": {"female": half, "male": value - half}},
        )
        factories.indicator_result(indicator, date(2025, 7, 1), 1000)  # reported only
        projects.append(project)
    factories.impact_story(projects[1], officer, title="Told with consent", created_at=IN_2025)
    factories.impact_story(
        projects[1], officer, consent=False, title="NO CONSENT GIVEN", created_at=IN_2025
    )
    return standard, projects


def _tables(html: str, *ids: str) -> str:
    out = []
    for table_id in ids:
        if f'id="{table_id}"' in html:
            part = html[html.index(f'id="{table_id}"') :]
            out.append(part[: part.index("</table>")])
    return "".join(out)


def test_board_report_shows_outcomes_as_the_roll_ups_give_them(app, officer):
    standard, projects = _outcomes(officer)
    params = ReportParams(ReportKind.BOARD, "en", *YEAR_2025)
    with force_locale("en"):
        data = board_context(db.session, params, TODAY)
        figures = rollups.by_indicator(
            db.session, None, *YEAR_2025, for_export=True, labels=category_labels()
        )
    (row,) = data["indicators"]
    (figure,) = figures
    assert (row["label"], row["achieved_display"], row["target_display"]) == (
        figure.name,
        figure.achieved_display,
        figure.target_display,
    )
    assert (row["achieved_display"], row["target_display"], row["share"]) == ("68", "150", "45%")
    # The breakdown by sex: 1 girl of 3 would be small, and is hidden with its complement.
    assert row["breakdowns"] == {"female": "33", "male": "35"}
    assert data["beneficiaries"] == [
        {
            "label": "Children treated",
            "unit": "children",
            "reached": 68,
            "target": 150,
            "reached_display": "68",
            "target_display": "150",
        }
    ]
    # The projects' actuals add up to the 68: 3 is small, and 25 is hidden with it.
    actual = {p["code"]: p["indicators"][0]["actual_display"] for p in data["projects"]}
    assert [actual[p.code] for p in projects] == ["<5", "40", "…"]
    assert all(p["indicators"][0]["actual"] is None for p in data["projects"][:1])
    assert [s["title"] for s in data["stories"]] == ["Told with consent"]

    html = render.render_html(data, datetime.now(UTC), "FundTracker")
    assert 'id="indicators"' in html and 'href="#indicators"' in html
    assert "NO CONSENT GIVEN" not in html and "Told with consent" in html
    tables = _tables(
        html, "indicator-table", "indicator-breakdowns-1", "indicator-breakdowns-2", "beneficiaries"
    )
    assert "68" in tables
    assert not re.search(r'<td class="num">[0-4]</td>', tables)
    for p in data["projects"]:
        page = html[html.index(f'id="project-{p["id"]}"') :]
        page = page[: page.index("</section>")]
        assert not re.search(r'<td class="num">(3|25)</td>', page)


def test_outcomes_follow_the_reports_filters(app, officer):
    _standard, projects = _outcomes(officer, people=(30, 40, 25))
    region = factories.region("KZ-75")
    params = ReportParams(ReportKind.BOARD, "en", *YEAR_2025, region_id=region.id)
    with force_locale("en"):
        data = board_context(db.session, params, TODAY)
        figures = rollups.by_indicator(
            db.session, None, *YEAR_2025, region_id=region.id, for_export=True
        )
    assert [p["code"] for p in data["projects"]] == [projects[2].code]
    assert [r["achieved_display"] for r in data["indicators"]] == [
        f.achieved_display for f in figures
    ]
    assert [r["achieved_display"] for r in data["indicators"]] == ["25"]
    assert data["stories"] == []  # the stories are another region's project's
    # Another year: nothing verified ended in it.
    params = ReportParams(ReportKind.BOARD, "en", date(2024, 1, 1), date(2024, 12, 31))
    with force_locale("en"):
        data = board_context(db.session, params, TODAY)
    assert all(r["achieved_display"] == "<5" for r in data["indicators"])
    assert data["stories"] == []


def test_project_report_prints_its_indicators_and_consented_stories(app, officer):
    _standard, projects = _outcomes(officer, people=(12, 40))
    project = projects[1]
    params = ReportParams(
        ReportKind.PROJECT, "ru", project.start_date, project.end_date, project_id=project.id
    )
    data, _ = service.current_data(db.session, params, TODAY)
    assert [(i["actual_display"], i["target"]) for i in data["project"]["indicators"]] == [
        ("40", 50)
    ]
    rendered = render.html_to_pdf(render.render_html(data, datetime.now(UTC), "FundTracker"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "Told with consent" in text
    assert "NO CONSENT GIVEN" not in text
    assert "Дети, получившие лечение редкого заболевания" in text


def test_project_indicators_are_loaded_once_for_all_project_pages(app, officer, sql_log):
    def queries(count: int) -> int:
        for _ in range(count):
            _outcomes(officer)
        params = ReportParams(ReportKind.BOARD, "en", *YEAR_2025)
        start = len(sql_log)
        with force_locale("en"):
            board_context(db.session, params, TODAY)
        db.session.expire_all()
        return len(sql_log) - start

    assert queries(1) == queries(3)


# The reports page and building -------------------------------------------------------------------


BOARD_FORM = {
    "period": "year",
    "year": "2025",
    "quarter": "1",
    "area": "",
    "region": "",
    "language": "ru",
}


def _count():
    return db.session.scalar(select(func.count(StoredReport.id)))


def test_board_report_is_queued_built_in_the_background_and_served_again(
    app, login, officer, monkeypatch
):
    factories.ProjectFactory(title_ru="Реабилитационный центр в Жезказгане")
    board = factories.UserFactory(role=Role.BOARD)
    client = login(board)
    assert "board-report-form" in client.get("/reports/").get_data(as_text=True)

    response = client.post("/reports/board", data=BOARD_FORM)
    assert response.status_code == 302
    report = db.session.scalar(select(StoredReport).order_by(StoredReport.id.desc()))
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    assert (report.status, report.kind, report.locale) == (ReportStatus.QUEUED, "board", "ru")
    assert (report.period_start, report.period_end) == (date(2025, 1, 1), date(2025, 12, 31))

    # The request did not build it: the page shows its progress.
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'id="report-progress-bar"' in page and "js/reports.js" in page
    assert client.get(f"/reports/{report.id}/status").json == {
        "status": "queued",
        "label": "Waiting to be built",
        "progress": 0,
        "finished": False,
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
    reader = PdfReader(io.BytesIO(download.data))
    assert reader.metadata.title == "Отчёт о результатах"
    assert "Реабилитационный центр в Жезказгане" in "".join(p.extract_text() for p in reader.pages)

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


def _not_expected(*_args, **_kwargs):
    raise AssertionError("the report's data was worked out again")


def test_a_bad_period_is_refused_with_a_message_and_keeps_the_form(app, login, officer):
    client = login(officer)
    form = dict(BOARD_FORM, period="dates", start="2025-06-01", end="2025-01-01", language="en")
    response = client.post("/reports/board", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The period ends before it starts." in html
    assert 'value="2025-06-01"' in html
    assert _count() == 0


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


# The monthly job ---------------------------------------------------------------------------


def test_monthly_board_report_is_queued_once_built_and_announced(app, monkeypatch):
    factories.ProjectFactory(start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    kk_member = factories.UserFactory(role=Role.BOARD, locale="kk")
    ru_member = factories.UserFactory(role=Role.BOARD, locale="ru")
    told = []

    def spy(session, recipient, *, subject, body, url):
        told.append((recipient.id, subject, url))

    monkeypatch.setattr(notifications, "notify", spy)
    assert jobs.last_month(TODAY) == (date(2026, 10, 1), date(2026, 10, 31))
    queued = jobs.queue_monthly(db.session, TODAY)
    assert sorted(r.locale for r in queued) == ["kk", "ru"]
    assert jobs.queue_monthly(db.session, TODAY) == []  # safe to run twice

    with app.app_context():
        built = jobs.build_pending(app)
    assert built == 2
    reports = db.session.scalars(select(StoredReport).where(StoredReport.scheduled)).all()
    assert all(r.status == ReportStatus.DONE and r.notified_at for r in reports)
    by_user = {user: (subject, url) for user, subject, url in told}
    assert set(by_user) == {kk_member.id, ru_member.id}
    assert by_user[ru_member.id][0].startswith("Отчёт для совета")
    assert re.fullmatch(r"/reports/\d+", by_user[kk_member.id][1])

    told.clear()
    with app.app_context():
        assert jobs.build_pending(app) == 0
    assert told == []  # told once
