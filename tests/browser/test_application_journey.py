"""A grantee drafts and submits an application with a budget and an attachment; an officer
screens it and assigns a reviewer; the reviewer declares no conflict and scores it; the officer
previews a lower award, adds a Russian title and approves it; the new project has its milestones
and tranches and links back to the application."""

from playwright.sync_api import expect
from sqlalchemy import delete, select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.demo.applications import CALLS
from fundtracker.models import Application, Call, Notification, Project, Region, User
from tests.browser.helpers import log_in
from tests.factories import PDF_BYTES


def _setup(live_app):
    with live_app.test_request_context():
        call = db.session.scalar(select(Call).where(Call.title_en == CALLS[0]["title_en"]))
        region = db.session.scalar(select(Region).where(Region.code == "KZ-43"))
        reviewer = db.session.scalar(select(User).where(User.email == f"reviewer@{DEMO_DOMAIN}"))
        grantee = db.session.scalar(select(User).where(User.email == f"grantee@{DEMO_DOMAIN}"))
        result = call.id, call.documents(grantee.locale)[0], region.id, reviewer.id
        db.session.remove()
        return result


def test_application_from_draft_to_project(
    live_app, live_server, page, second_page, browser, screenshot, tmp_path
):
    call_id, document, region_id, reviewer_id = _setup(live_app)
    charter = tmp_path / "Жарғы.pdf"
    charter.write_bytes(PDF_BYTES)

    # The grantee finds the open call and starts an application.
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/calls/")
    page.locator(f'#call-table a[href="/calls/{call_id}"]').click()
    page.locator(f'form[action="/calls/{call_id}/apply"] button').click()
    expect(page.locator("#application-form")).to_be_visible()

    form = page.locator("#application-form")
    form.locator("[name=title]").fill("Қызылордадағы оңалту орталығы")
    form.locator("[name=summary]").fill("Сирек аурулары бар 40 балаға арналған оңалту орталығы.")
    form.locator("[name=start_date]").fill("2027-01-01")
    form.locator("[name=end_date]").fill("2027-12-31")
    form.locator("[name=region_ids]").select_option(str(region_id))
    form.locator("[name=people_children_rare_diseases]").fill("40")
    form.locator("[name=budget-0-category]").select_option("equipment")
    form.locator("[name=budget-0-description]").fill("Оңалту жабдығы")
    form.locator("[name=budget-0-amount]").fill("30 000 000")
    form.locator("[name=budget-1-category]").select_option("training")
    form.locator("[name=budget-1-description]").fill("Мамандарды оқыту")
    form.locator("[name=budget-1-amount]").fill("10 000 000")
    form.locator("[name=milestones-0-title]").fill("Жабдық орнатылды")
    form.locator("[name=milestones-0-due_date]").fill("2027-05-31")
    form.locator("[name=milestones-0-tranche]").fill("25 000 000")
    # A mistyped amount: the draft is saved, the mistake is shown, nothing typed is lost.
    form.locator("[name=milestones-1-title]").fill("Орталық ашылды")
    form.locator("[name=milestones-1-due_date]").fill("2027-11-30")
    form.locator("[name=milestones-1-tranche]").fill("15 млн")
    form.locator("[name=indicators-0-name]").fill("Оңалтудан өткен балалар")
    form.locator("[name=indicators-0-unit]").fill("бала")
    form.locator("[name=indicators-0-baseline]").fill("0")
    form.locator("[name=indicators-0-target]").fill("40")
    form.locator("[name=save]").click()
    form = page.locator("#application-form")
    expect(form.locator("[name=milestones-1-tranche]")).to_have_value("15 млн")
    expect(form.locator("[name=budget-1-description]")).to_have_value("Мамандарды оқыту")
    form.locator("[name=milestones-1-tranche]").fill("15 000 000")
    form.locator("[name=attachment]").set_input_files(str(charter))
    form.locator("[name=document]").select_option(document)
    screenshot(page, "grantee-application-form")
    form.locator("[name=submit]").click()
    expect(page.locator("#application-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    expect(page.locator("#requested")).to_contain_text("40")
    expect(page.locator("#application-files")).to_contain_text("Жарғы.pdf")
    application_url = page.url

    # The officer screens it and assigns a reviewer.
    officer = second_page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    officer.goto(application_url)
    for box in officer.locator("#screen input[type=checkbox]").all():
        box.check()
    officer.locator("#screen [name=eligible]").click()
    expect(officer.locator("#application-status [data-status]")).to_have_attribute(
        "data-status", "screened"
    )
    officer.locator("#assign [name=reviewer_id]").select_option(str(reviewer_id))
    officer.locator("#assign [name=submit]").click()
    expect(officer.locator("#application-status [data-status]")).to_have_attribute(
        "data-status", "under_review"
    )

    # The reviewer declares no conflict of interest, then scores it.
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    reviewer = context.new_page()
    try:
        log_in(reviewer, live_server, f"reviewer@{DEMO_DOMAIN}")
        reviewer.goto(f"{live_server}/reviews/")
        reviewer.locator('#review-table [data-review-state="pending"]').first.locator(
            "xpath=.."
        ).locator("a").click()
        expect(reviewer.locator("#application-summary")).to_have_count(0)
        reviewer.locator("#declare [name=no_conflict]").click()
        expect(reviewer.locator("#application-summary")).to_contain_text("40")
        for score in reviewer.locator("#score-form select").all():
            score.select_option("4")
        reviewer.locator("#score-form [name=submit]").click()
        expect(reviewer.locator('#review-table [data-review-state="none"]')).to_have_count(1)
    finally:
        context.close()

    # The officer finds it in the call's ranking with the reviewer's score, then approves a lower
    # amount; the project is created.
    officer.goto(f"{live_server}/calls/{call_id}/ranking")
    ranked = officer.locator("#ranking-table tbody tr", has_text="Қызылордадағы оңалту орталығы")
    expect(ranked).to_contain_text("4.00")
    expect(officer.locator("#ranking-count")).to_contain_text("Подан")  # the officer reads Russian
    officer.goto(application_url)
    expect(officer.locator("#assignments")).to_contain_text("4.00")
    expect(officer.locator("#review-progress")).to_contain_text("1")
    expect(officer.locator("#decide [name=confirm_unscored]")).to_have_count(0)  # all scored
    expect(officer.locator("#decide [name=title_kk]")).to_have_value(
        "Қызылордадағы оңалту орталығы"
    )
    officer.locator("#decide [name=title_ru]").fill("Реабилитационный центр в Кызылорде")
    officer.locator("#decide [name=awarded_amount]").fill("30 000 000")
    officer.locator("#decide [name=comment]").fill("Бюджет қысқартылды.")
    # The preview shows the scaled tranches before anything is saved; then the officer approves.
    officer.locator("#decide [name=preview]").click()
    tranches = officer.locator("#preview-milestones tbody [data-amount]")
    expect(tranches).to_have_count(2)
    expect(tranches.nth(0)).to_have_attribute("data-amount", "1875000000")
    expect(tranches.nth(1)).to_have_attribute("data-amount", "1125000000")
    expect(officer.locator("#preview-indicators [data-target]")).to_have_attribute(
        "data-target", "30"
    )
    expect(officer.locator("#decide [name=awarded_amount]")).to_have_value("30 000 000")
    expect(officer.locator("#decide [name=title_ru]")).to_have_value(
        "Реабилитационный центр в Кызылорде"
    )
    officer.locator("#approval-preview").scroll_into_view_if_needed()  # (a smooth scroll)
    screenshot(officer, "decision-preview")
    officer.locator("#decide [name=approve]").click()
    expect(officer.locator("#project-title")).to_have_text("Реабилитационный центр в Кызылорде")
    expect(officer.locator("#from-application a")).to_have_attribute(
        "href", application_url.removeprefix(live_server)
    )
    expect(officer.locator("#milestone-timeline")).to_contain_text("Жабдық орнатылды")
    expect(officer.locator("#milestone-timeline")).to_contain_text("Орталық ашылды")
    expect(officer.locator("#tranche-table tbody tr")).to_have_count(2)
    screenshot(officer, "project-from-application")

    with live_app.test_request_context():
        project = db.session.scalar(
            select(Project).where(Project.title_kk == "Қызылордадағы оңалту орталығы")
        )
        try:
            assert project.awarded_amount == 30_000_000_00
            assert project.title_ru == "Реабилитационный центр в Кызылорде"
            assert [t.amount for t in project.tranches] == [18_750_000_00, 11_250_000_00]
            assert sum(b.amount for b in project.budget_lines) == 30_000_000_00
        finally:
            # The browser tests share the demo database: leave the portfolio (and the applicant's
            # notifications, whose links would lead nowhere) as they were.
            application_id = db.session.scalar(
                select(Application.id).where(Application.project_id == project.id)
            )
            db.session.execute(
                delete(Notification).where(Notification.url == f"/applications/{application_id}")
            )
            db.session.execute(delete(Application).where(Application.id == application_id))
            db.session.delete(project)
            db.session.commit()
            db.session.remove()
    # The mistyped amount was answered 422 on purpose; nothing else went wrong in the pages.
    errors = [e for e in page.console_errors + officer.console_errors if "422" not in e]
    assert not errors
