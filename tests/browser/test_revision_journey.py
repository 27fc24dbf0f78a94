"""A revision round loses nothing: the grantee submits an update with an indicator result broken
down by sex and age; the officer asks for a revision; the grantee finds every answer filled in
again (narrative, progress, people reached, spending, the result and its breakdown cells),
corrects the result and a cell, and resubmits; the officer sees what changed and accepts; the
accepted update holds the corrected result, its earlier value kept in its history.

The journey reports on a milestone and an indicator of its own, added to the journey project, so
that it does not depend on what the other journeys reported."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN, journey_project_code
from fundtracker.models import (
    Frequency,
    IndicatorType,
    Milestone,
    MilestoneUpdate,
    Project,
    ProjectIndicator,
    UpdateStatus,
)
from fundtracker.services.outcomes import period_of, result_for
from tests.browser.helpers import log_in
from tests.factories import PDF_BYTES


def _journey(live_app):
    with live_app.test_request_context():
        code = journey_project_code(db.session)
        project = db.session.scalar(select(Project).where(Project.code == code))
        milestone = Milestone(
            project=project,
            title="Screening round revised on request",
            description="Children screened in the district clinics.",
            due_date=today() + timedelta(days=45),
        )
        indicator = ProjectIndicator(
            project=project,
            name="Children screened (revision journey)",
            unit="children",
            type=IndicatorType.COUNT,
            target=200,
            frequency=Frequency.QUARTERLY,
            by_sex=True,
            by_age=True,
        )
        db.session.add_all([milestone, indicator])
        db.session.commit()
        ids = milestone.id, indicator.id
        db.session.remove()
        return ids


def _accepted_result(live_app, milestone_id, indicator_id):
    with live_app.test_request_context():
        indicator = db.session.get(ProjectIndicator, indicator_id)
        result = result_for(db.session, indicator, period_of(indicator.frequency, today())[0])
        accepted = db.session.scalar(
            select(MilestoneUpdate).where(
                MilestoneUpdate.milestone_id == milestone_id,
                MilestoneUpdate.status == UpdateStatus.ACCEPTED,
            )
        )
        found = (
            result.value,
            result.breakdown("sex"),
            result.breakdown("age"),
            result.milestone_update_id == accepted.id,
            [(r.value, r.cells) for r in result.revisions],
        )
        db.session.remove()
        return found


def test_a_revision_round_loses_nothing(
    live_app, live_server, page, second_page, screenshot, tmp_path
):
    milestone_id, indicator_id = _journey(live_app)
    evidence = tmp_path / "скрининг.pdf"
    evidence.write_bytes(PDF_BYTES)
    p = f"ind{indicator_id}_"
    status = "#milestone-status [data-status]"

    # The grantee reports 30 children screened, 14 girls and 16 boys, 10 aged 3-6 and 20 aged 7-11.
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/milestones/{milestone_id}")
    form = page.locator("#update-form")
    form.locator("[name=narrative]").fill("30 бала скринингтен өтті.")
    form.locator("[name=progress]").fill("50")
    form.locator("[name=beneficiaries]").fill("30")
    for field in form.locator("input[name^=spending_]").all():
        field.fill("750 000")
    block = form.locator(f'.indicator-result[data-indicator="{indicator_id}"]')
    typed = {
        "value": "30",
        "sex_female": "14",
        "sex_male": "16",
        "age_3_6": "10",
        "age_7_11": "20",
    }
    for name, value in typed.items():
        block.locator(f"[name={p}{name}]").fill(value)
    form.locator("[name=evidence]").set_input_files(str(evidence))
    form.locator("[name=submit]").click()
    expect(page.locator(status)).to_have_attribute("data-status", "submitted")

    # The officer asks for a revision.
    officer = second_page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    officer.goto(f"{live_server}/milestones/{milestone_id}")
    expect(officer.locator("#changes")).to_have_count(0)  # a first submission: nothing to compare
    officer.locator("#review [name=comment]").fill("Проверьте число мальчиков 7-11 лет.")
    officer.locator("#review [name=revise]").click()
    expect(officer.locator(status)).to_have_attribute("data-status", "revision_requested")

    # The grantee finds every answer filled in again, results and breakdown cells included.
    page.goto(f"{live_server}/milestones/{milestone_id}")
    form = page.locator("#update-form")
    expect(form.locator("[name=narrative]")).to_have_value("30 бала скринингтен өтті.")
    expect(form.locator("[name=progress]")).to_have_value("50")
    expect(form.locator("[name=beneficiaries]")).to_have_value("30")
    for field in form.locator("input[name^=spending_]").all():
        expect(field).to_have_value(re.compile(r"^750\D?000"))
    block = form.locator(f'.indicator-result[data-indicator="{indicator_id}"]')
    for name, value in typed.items():
        expect(block.locator(f"[name={p}{name}]")).to_have_value(value)
    screenshot(page, "grantee-revision-form")

    # ... corrects the result and a cell, and resubmits.
    block.locator(f"[name={p}value]").fill("32")
    block.locator(f"[name={p}sex_male]").fill("18")
    block.locator(f"[name={p}age_7_11]").fill("22")
    form.locator("[name=narrative]").fill("32 бала скринингтен өтті.")
    form.locator("[name=submit]").click()
    expect(page.locator(status)).to_have_attribute("data-status", "submitted")

    # The officer sees what changed, and accepts.
    officer.goto(f"{live_server}/milestones/{milestone_id}")
    changes = officer.locator("#changes")
    expect(changes.locator(".narrative-diff del")).to_have_text("30")
    expect(changes.locator(".narrative-diff ins")).to_have_text("32")
    result_row = changes.locator("tr.change-result")
    expect(result_row).to_have_count(1)
    expect(result_row.locator("del")).to_have_text("30")
    expect(result_row.locator("ins")).to_have_text("32")
    cells = changes.locator("tr.change-cell")
    expect(cells).to_have_count(2)
    expect(cells.nth(0).locator("td")).to_have_text(["16", "18"])
    expect(cells.nth(1).locator("td")).to_have_text(["20", "22"])
    expect(changes.locator("tr.change-figure, tr.change-spending")).to_have_count(0)
    screenshot(officer, "officer-revision-changes")
    officer.locator("#review [name=accept]").click()
    expect(officer.locator(status)).to_have_attribute("data-status", "accepted")
    expect(officer.locator("#updates article").first.locator(".update-results")).to_contain_text(
        "32"
    )

    value, sexes, ages, with_accepted, history = _accepted_result(
        live_app, milestone_id, indicator_id
    )
    assert value == 32 and with_accepted
    assert sexes == {"female": 14, "male": 18} and ages == {"3-6": 10, "7-11": 22}
    assert history == [(30, {"sex": {"female": 14, "male": 16}, "age": {"3-6": 10, "7-11": 20}})]
    assert page.console_errors == [] and officer.console_errors == []
