from playwright.sync_api import expect

from fundtracker.demo import DEMO_PASSWORD


def log_in(page, base_url, email):
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/auth/login?next=%2F")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()


def open_menu(page, toggle: str = "#user-menu"):
    """Open a navigation drop-down once Bootstrap's script has run.

    A click on the toggle before the page's deferred scripts have run does
    nothing, which a busy CI machine shows as a menu item never appearing.
    """
    page.wait_for_load_state("load")
    button = page.locator(toggle)
    for _ in range(5):
        if button.get_attribute("aria-expanded") != "true":
            button.click()
        try:
            expect(button).to_have_attribute("aria-expanded", "true", timeout=2000)
            return
        except AssertionError:
            continue
    expect(button).to_have_attribute("aria-expanded", "true")


def open_user_menu(page):
    open_menu(page, "#user-menu")


def set_language(page, language: str) -> None:
    """Switch the interface language as a user does: the language menu in the navigation."""
    if page.locator("html").get_attribute("lang") == language:
        return
    open_menu(page, "#language-menu")
    with page.expect_navigation():
        page.click(f'button[data-language="{language}"]')
    expect(page.locator("html")).to_have_attribute("lang", language)
