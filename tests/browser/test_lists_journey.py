"""Ticking notifications with "Select all on this page" (static/js/select-all.js, under the strict
CSP) and marking the ticked ones read; searching the applications list keeps the search."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.models import User
from fundtracker.services import notifications
from tests.browser.helpers import log_in

EMAIL = f"board2@{DEMO_DOMAIN}"


def _fresh_notifications(live_app, count: int) -> None:
    """`count` unread notifications of their own for EMAIL, whom no other journey reads."""
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        for i in range(count):
            notifications.notify(
                db.session, user, subject=f"Select-all check {i}", body="", url="", email=False
            )
        db.session.commit()
        db.session.remove()


def _unread(live_app) -> int:
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        count = notifications.unread_count(db.session, user)
        db.session.remove()
        return count


def test_select_all_ticks_the_page_and_the_ticked_are_marked_read(live_app, live_server, page):
    _fresh_notifications(live_app, 3)
    log_in(page, live_server, EMAIL)
    page.goto(f"{live_server}/notifications?q=Select-all")
    boxes = page.locator("#notification-list input[name=notification_id]")
    expect(boxes).to_have_count(3)
    master = page.locator("#select-all")
    expect(master).to_be_visible()  # shown by the script

    master.check()
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    boxes.nth(0).uncheck()
    assert master.evaluate("box => box.indeterminate") is True
    master.click()  # from "some": all, as a browser does
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    master.click()
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()

    # The subject is the box's label: clicking it ticks the box.
    page.locator("#notification-list label").nth(1).click()
    expect(boxes.nth(1)).to_be_checked()
    before = _unread(live_app)
    page.click("#read-selected")
    expect(page).to_have_url(re.compile(r"/notifications\?q=Select-all"))
    expect(page.locator(".alert-success")).to_contain_text("1")
    assert _unread(live_app) == before - 1
    assert page.console_errors == []


def test_without_the_script_there_is_no_select_all_box(browser, live_app, live_server):
    _fresh_notifications(live_app, 1)
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        log_in(page, live_server, EMAIL)
        page.goto(f"{live_server}/notifications")
        expect(page.locator("#select-all")).to_be_hidden()
        expect(page.locator("#read-selected")).to_be_visible()
    finally:
        context.close()


def test_officer_searches_applications_and_the_search_stays(live_server, page):
    log_in(page, live_server, f"officer@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/applications/")
    page.fill("#q", "zzzz-no-such")
    page.click("#application-filters [type=submit]")
    expect(page.locator("#no-results")).to_be_visible()
    expect(page.locator("#q")).to_have_value("zzzz-no-such")
    assert page.console_errors == []
