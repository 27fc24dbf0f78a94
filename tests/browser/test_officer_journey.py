"""An officer logs in, switches to Kazakh, filters projects by region and opens one."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.models import Project
from tests.browser.helpers import log_in, open_user_menu, set_language


def test_officer_filters_projects_in_kazakh_and_opens_one(live_app, live_server, page, screenshot):
    # The demo's 67 projects, and those other journeys made in the same database.
    with live_app.app_context():
        projects = db.session.scalar(select(func.count(Project.id)))
        db.session.remove()
    assert projects >= 67
    log_in(page, live_server, f"officer@{DEMO_DOMAIN}")
    expect(page.locator("#key-figures [data-figure=projects]")).to_have_text(str(projects))
    screenshot(page, "officer-home")

    set_language(page, "kk")
    expect(page.locator("nav")).to_contain_text("Жобалар")

    page.click("nav >> text=Жобалар")
    page.select_option("#region", label="Ұлытау облысы")
    page.click("#project-filters button[type=submit]")
    rows = page.locator("#project-table tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 1
    for i in range(count):
        expect(rows.nth(i)).to_contain_text("Ұлытау облысы")
    screenshot(page, "projects-filtered-kk")

    code = rows.first.locator("td").first.inner_text()
    rows.first.locator("td a").first.click()
    expect(page.locator("#project-facts")).to_contain_text(code)
    expect(page.locator("#project-facts")).to_contain_text("Ұлытау облысы")
    expect(page.locator("#project-facts")).to_contain_text("₸")
    screenshot(page, "project-page-kk")
    assert page.console_errors == []


def test_grantee_sees_only_their_organisation(live_server, page, screenshot):
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    expect(page.locator("#org-projects")).to_be_visible()
    screenshot(page, "grantee-home")
    open_user_menu(page)
    page.click('form[action="/auth/logout"] button')
    expect(page).to_have_url(f"{live_server}/auth/login")
    assert page.console_errors == []
