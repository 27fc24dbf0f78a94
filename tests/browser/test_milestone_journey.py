"""A grantee reports on a milestone with a file; the officer asks for a revision; the grantee
resubmits; the officer accepts it and approves the tranche; the dashboard shows it."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN, journey_project_code
from fundtracker.models import Milestone, MilestoneStatus, Project, User
from tests.browser.helpers import log_in
from tests.factories import PDF_BYTES


def _journey(live_app):
    with live_app.test_request_context():
        code = journey_project_code(db.session)
        project = db.session.scalar(select(Project).where(Project.code == code))
        milestone = db.session.scalar(
            select(Milestone)
            .where(
                Milestone.project_id == project.id,
                Milestone.status == MilestoneStatus.PLANNED,
                Milestone.due_date >= today() + timedelta(days=1),
            )
            .order_by(Milestone.due_date)
        )
        grantee = db.session.scalar(select(User).where(User.email == f"grantee@{DEMO_DOMAIN}"))
        own_org = grantee.organisation.name
        db.session.remove()
        return project.code, milestone.id, own_org


def test_milestone_update_revision_and_acceptance(
    live_app, live_server, page, second_page, screenshot, tmp_path
):
    code, milestone_id, own_org = _journey(live_app)
    evidence = tmp_path / "Қабылдау актісі.pdf"
    evidence.write_bytes(PDF_BYTES)

    # The grantee sees only their organisation's projects.
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/projects/")
    rows = page.locator("#project-table tbody tr")
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text(own_org)
    expect(page.locator("#project-table")).to_contain_text(code)

    # ... and submits an update with a file.
    page.goto(f"{live_server}/milestones/{milestone_id}")
    form = page.locator("#update-form")
    form.locator("[name=narrative]").fill("Жабдық орнатылды, 18 бала оңалтудан өтуде.")
    form.locator("[name=progress]").fill("80")
    form.locator("[name=beneficiaries]").fill("18")
    for field in form.locator("input[name^=spending_]").all():
        field.fill("1 000 000")
    form.locator("[name=evidence]").set_input_files(str(evidence))
    screenshot(page, "grantee-update-form")
    form.locator("[name=submit]").click()
    expect(page.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    expect(page.locator("#evidence")).to_contain_text("Қабылдау актісі.pdf")

    # The officer asks for a revision.
    officer = second_page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    officer.goto(f"{live_server}/milestones/{milestone_id}")
    officer.locator("#review [name=comment]").fill(
        "Приложите подписанный акт ввода в эксплуатацию."
    )
    officer.locator("#review [name=revise]").click()
    expect(officer.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "revision_requested"
    )

    # The grantee sees the request, finds the answers filled in, and resubmits.
    page.goto(f"{live_server}/")
    expect(page.locator("#revisions")).to_contain_text(code)
    page.goto(f"{live_server}/milestones/{milestone_id}")
    expect(page.locator("#comments")).to_contain_text("акт ввода в эксплуатацию")
    narrative = page.locator("#update-form [name=narrative]")
    expect(narrative).to_have_value("Жабдық орнатылды, 18 бала оңалтудан өтуде.")
    narrative.fill("Жабдық орнатылды, пайдалануға беру актісі қоса берілді.")
    page.locator("#update-form [name=submit]").click()
    expect(page.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )

    # The officer accepts it and approves the tranche.
    officer.goto(f"{live_server}/milestones/{milestone_id}")
    expect(officer.locator("#review [name=approve_tranche]")).to_be_checked()
    officer.locator("#review [name=accept]").click()
    expect(officer.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "accepted"
    )

    # The dashboard shows the accepted milestone's tranche awaiting payment.
    officer.goto(f"{live_server}/dashboard")
    row = officer.locator("#awaiting-payment tr", has_text=code)
    expect(row).to_be_visible()
    expect(row.locator("[data-status=accepted]")).to_be_visible()
    screenshot(officer, "dashboard")
    assert page.console_errors == [] and officer.console_errors == []
