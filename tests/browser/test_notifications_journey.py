"""A grantee sees the unread count, opens a notification and lands on its page; an admin
previews a reminder email on the reminders page."""

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.models import ReminderRule
from tests.browser.helpers import log_in, open_menu


def test_grantee_opens_a_reminder_from_the_navigation(live_server, page, screenshot):
    log_in(page, live_server, f"grantee@{DEMO_DOMAIN}")
    badge = page.locator("#unread-count")
    expect(badge).to_be_visible()
    unread = int(re.match(r"\d+", badge.inner_text()).group())
    assert unread >= 1

    page.click("#nav-notifications")
    items = page.locator("#notification-list li")
    expect(items.first).to_be_visible()
    screenshot(page, "notifications-kk")
    items.first.locator("button[name=open]").click()
    # Reminders lead to milestones; workflow events of other journeys to their own pages.
    expect(page).to_have_url(
        re.compile(
            r"/(milestones|projects|applications|outcomes|follow-ups|organisations|inkind"
            r"|payment-requests)/"
        )
    )
    if unread > 1:
        expect(page.locator("#unread-count")).to_contain_text(str(unread - 1))
    else:
        expect(page.locator("#unread-count")).to_have_count(0)
    assert page.console_errors == []


def test_admin_previews_a_reminder_email(live_app, live_server, page, screenshot):
    with live_app.test_request_context():
        rules = db.session.scalar(select(func.count()).select_from(ReminderRule))
        db.session.remove()
    log_in(page, live_server, f"admin@{DEMO_DOMAIN}")
    open_menu(page, "#admin-menu")
    page.click("nav >> text=Reminders")
    # The rules migration 0006 inserts, the demo's reviewer reminder, and any a journey that ran
    # before this one added (the follow-up journey's): every rule, one row each.
    expect(page.locator("#rule-table tbody tr")).to_have_count(rules)
    screenshot(page, "reminders-admin")
    page.locator("#rule-table tbody tr").first.locator("text=Preview").click()
    expect(page.locator("h1")).to_contain_text("Reminder preview")
    assert page.console_errors == []
