"""A grantee reports an indicator result with its breakdown by sex inside a milestone update;
the officer verifies it on the project's outcomes page; the portfolio roll-up shows the new
total."""

from datetime import timedelta

from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN, journey_project_code
from fundtracker.models import Milestone, MilestoneStatus, Project, ProjectIndicator, User
from fundtracker.services.outcomes import period_label, period_of
from tests.browser.helpers import log_in
from tests.factories import PDF_BYTES


def _journey(live_app):
    with live_app.test_request_context():
        code = journey_project_code(db.session)
        project = db.session.scalar(select(Project).where(Project.code == code))
        # The last planned milestone: the milestone journey reports on the first one.
        milestone = db.session.scalar(
            select(Milestone)
            .where(
                Milestone.project_id == project.id,
                Milestone.status == MilestoneStatus.PLANNED,
                Milestone.due_date >= today() + timedelta(days=1),
            )
            .order_by(Milestone.due_date.desc())
        )
        indicator = db.session.scalar(
            select(ProjectIndicator)
            .where(ProjectIndicator.project_id == project.id)
            .order_by(ProjectIndicator.id)
        )
        # The period as the officer's pages name it, in the officer's language.
        officer = db.session.scalar(select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
        with force_locale(officer.locale):
            current = period_label(indicator.frequency, period_of(indicator.frequency, today())[0])
        result = project.id, milestone.id, indicator.id, indicator.standard.code, current
        db.session.remove()
        return result


def _portfolio_total(page, base, code) -> int:
    page.goto(f"{base}/outcomes/portfolio")
    cell = page.locator(f'#portfolio-table tr[data-standard="{code}"] [data-achieved]')
    return int(cell.inner_text().replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def test_results_reported_in_an_update_reach_the_portfolio_once_verified(
    live_app, live_server, page, second_page, screenshot, tmp_path
):
    project_id, milestone_id, indicator_id, code, period = _journey(live_app)
    evidence = tmp_path / "тізім.pdf"
    evidence.write_bytes(PDF_BYTES)

    officer = second_page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    before = _portfolio_total(officer, live_server, code)

    # The grantee reports 12 families, 5 + 7 by sex, with the milestone update.
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/milestones/{milestone_id}")
    form = page.locator("#update-form")
    form.locator("[name=narrative]").fill("12 отбасы паллиативтік көмек алды.")
    form.locator("[name=progress]").fill("40")
    form.locator("[name=beneficiaries]").fill("12")
    for field in form.locator("input[name^=spending_]").all():
        field.fill("500 000")
    prefix = f"ind{indicator_id}_"
    block = form.locator(f'.indicator-result[data-indicator="{indicator_id}"]')
    expect(block).to_be_visible()
    block.locator(f"[name={prefix}value]").fill("12")
    block.locator(f"[name={prefix}sex_female]").fill("5")
    block.locator(f"[name={prefix}sex_male]").fill("7")
    form.locator("[name=evidence]").set_input_files(str(evidence))
    screenshot(page, "grantee-update-with-results")
    form.locator("[name=submit]").click()
    expect(page.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    expect(page.locator("#updates .update-results")).to_contain_text("12")

    # Reported, not yet verified: the portfolio has not changed.
    assert _portfolio_total(officer, live_server, code) == before

    # The officer verifies the result on the project's outcomes page.
    officer.goto(f"{live_server}/outcomes/projects/{project_id}")
    row = officer.locator(f"#indicator-{indicator_id} tr[data-result]").filter(has_text=period)
    expect(row).to_have_count(1)
    expect(row.locator("[data-value]")).to_have_text("12")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "reported")
    row.locator("button[name=verify]").click()
    row = officer.locator(f"#indicator-{indicator_id} tr[data-result]").filter(has_text=period)
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "verified")
    screenshot(officer, "project-outcomes")

    # The portfolio counts it now.
    assert _portfolio_total(officer, live_server, code) == before + 12
    screenshot(officer, "portfolio-outcomes")
    assert page.console_errors == [] and officer.console_errors == []
