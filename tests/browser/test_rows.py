"""A grantee adds two budget lines to an application and removes one, with the keyboard only;
after saving, exactly the lines left come back, their amounts in the grantee's format."""

from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.demo.applications import CALLS
from fundtracker.models import Call, User
from fundtracker.web.forms import tenge_text
from tests.browser.helpers import log_in


def _setup(live_app):
    with live_app.test_request_context():
        call = db.session.scalar(select(Call).where(Call.title_en == CALLS[0]["title_en"]))
        grantee = db.session.scalar(select(User).where(User.email == f"grantee@{DEMO_DOMAIN}"))
        result = call.id, grantee.locale
        db.session.remove()
        return result


def test_budget_lines_added_and_removed_with_the_keyboard(live_app, live_server, page, screenshot):
    call_id, locale = _setup(live_app)
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/calls/{call_id}")
    page.locator(f'form[action="/calls/{call_id}/apply"] button').click()
    form = page.locator("#application-form")
    expect(form).to_be_visible()
    budget = page.locator("#budget-rows")
    rows = budget.locator("[data-rows-list] > [data-row]")
    expect(rows).to_have_count(3)  # a new application: three blank lines
    add = budget.locator("[data-row-add]")
    expect(add).to_be_visible()
    status = budget.locator("[data-rows-status]")
    keyboard = page.keyboard

    def said(name, **values):
        """A text of the section's script, in the page's language."""
        text = budget.get_attribute(f"data-{name}")
        for key, value in values.items():
            text = text.replace(f"%({key})s", value)
        return text

    typed_name = "Оқыту, 7345679,01"

    # The first blank line, typed into.
    form.locator("[name=budget-0-description]").focus()
    keyboard.type("Жабдық")
    keyboard.press("Tab")
    keyboard.type("1250000")

    # "Add a budget line": a fourth row, index 3, with the focus in its first field.
    add.focus()
    keyboard.press("Enter")
    expect(rows).to_have_count(4)
    expect(form.locator("[name=budget-3-category]")).to_be_focused()
    expect(status).to_have_text(said("added", number="4"))
    expect(page.locator("label[for=budget-3-amount]")).to_have_count(1)
    keyboard.press("Tab")
    keyboard.type("Оқыту")
    keyboard.press("Tab")
    keyboard.type("7345679,01")
    remove = budget.get_by_role("button", name=said("remove-named", row=typed_name))
    expect(remove).to_be_visible()

    # Tab past the row's "Remove" button to "Add" again: a fifth row, index 4.
    keyboard.press("Tab")
    expect(budget.locator("[data-row-remove]").nth(3)).to_be_focused()
    keyboard.press("Tab")
    expect(add).to_be_focused()
    keyboard.press("Enter")
    expect(rows).to_have_count(5)
    expect(form.locator("[name=budget-4-category]")).to_be_focused()
    keyboard.press("Tab")
    keyboard.type("Жалдау")
    keyboard.press("Tab")
    keyboard.type("300 000,5")

    budget.scroll_into_view_if_needed()
    screenshot(page, "application-budget-rows")

    # Remove the fourth row (Оқыту) with Shift+Tab and Space: the focus goes to the row that
    # took its place.
    form.locator("[name=budget-4-category]").focus()
    keyboard.press("Shift+Tab")
    expect(remove).to_be_focused()
    keyboard.press("Space")
    expect(rows).to_have_count(4)
    expect(form.locator("[name=budget-3-description]")).to_have_count(0)
    expect(form.locator("[name=budget-4-category]")).to_be_focused()
    expect(status).to_have_text(said("removed", row=typed_name))

    # Save (Enter in a text field submits the form with its first button, "Save draft").
    form.locator("[name=title]").focus()
    keyboard.type("Оңалту орталығы")
    keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()

    # Exactly the two lines typed come back, amounts in the grantee's format, then blank rows.
    form = page.locator("#application-form")
    descriptions = form.locator("input[name^=budget-][name$=-description]")
    amounts = form.locator("input[name^=budget-][name$=-amount]")
    expect(descriptions).to_have_count(5)
    expect(descriptions.nth(0)).to_have_value("Жабдық")
    expect(descriptions.nth(1)).to_have_value("Жалдау")
    expect(amounts.nth(0)).to_have_value(tenge_text(1_250_000_00, locale))
    expect(amounts.nth(1)).to_have_value(tenge_text(300_000_50, locale))
    for n in range(2, 5):
        expect(descriptions.nth(n)).to_have_value("")
        expect(amounts.nth(n)).to_have_value("")
    assert not page.console_errors
