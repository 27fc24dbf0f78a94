from playwright.sync_api import expect

from fundtracker.demo import DEMO_PASSWORD


def log_in(page, base_url, email):
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/auth/login?next=%2F")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()
