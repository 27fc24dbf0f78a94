"""A colleague invited and signed in: the demo organisation's manager (in Kazakh) invites a
colleague in Russian; the invitation goes through the outbox to a real SMTP server on loopback;
the colleague opens its link, chooses a password, signs in and sees the organisation's projects
(in Russian); the manager then hands the manager role over to another colleague and is a member
from then on."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN, journey_project_code
from fundtracker.models import User
from fundtracker.scheduler.jobs import outbox_job
from tests.browser.helpers import log_in, open_user_menu
from tests.browser.test_accessibility import AXE, AXE_RUN, TAGS, WIDER_THAN_SCREEN
from tests.conftest import _Inbox, free_port

COLLEAGUE = "aigerim.colleague@example.kz"
PASSWORD = "жаңа құпиясөз 2026"


@pytest.fixture
def mailbox(live_app):
    """A real SMTP server on 127.0.0.1 that the live app's outbox sends to."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: live_app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    outbox_job(live_app)  # what the demo data queued is not this journey's
    inbox.messages.clear()
    try:
        yield inbox
    finally:
        live_app.config.update(saved)
        controller.stop()


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    raise AssertionError("no text part")


def _is_manager(live_app, email: str) -> bool:
    with live_app.app_context():
        manager = db.session.scalar(select(User.org_manager).where(User.email == email))
        db.session.remove()
        return manager


def _check_accessibility(browser, live_server, email: str) -> None:
    """The page passes the accessibility checks and fits a phone's width (axe is injected, so
    this browser ignores the CSP, as tests/browser/test_accessibility.py's does)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        log_in(page, live_server, email)
        page.goto(f"{live_server}/organisations/people")
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(AXE_RUN, TAGS) == []
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate(WIDER_THAN_SCREEN) <= 1
    finally:
        context.close()


def test_a_colleague_invited_and_signed_in(
    live_app, live_server, browser, page, second_page, mailbox, screenshot
):
    with live_app.app_context():
        code = journey_project_code(db.session)
        db.session.remove()
    manager = f"grantee@{DEMO_DOMAIN}"  # the demo organisation's first account: its manager
    member = f"grantee-b@{DEMO_DOMAIN}"
    assert _is_manager(live_app, manager) and not _is_manager(live_app, member)

    # The manager (Kazakh) opens "Our organisation's people" from the user menu.
    log_in(page, live_server, manager)
    open_user_menu(page)
    page.click("#nav-people")
    expect(page.locator("h1")).to_have_text("Ұйымымыздың қызметкерлері")
    expect(page.locator(f"#people-table tr[data-email='{member}']")).to_contain_text("Қызметкер")
    page.fill("#name", "Айгерім Сейітова")
    page.fill("#email", COLLEAGUE)
    page.select_option("#locale", "ru")
    page.click("form[action$='/people/invite'] [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text(COLLEAGUE)
    row = page.locator(f"#people-table tr[data-email='{COLLEAGUE}']")
    expect(row).to_contain_text("Шақырылған, әлі қабылдамаған")
    screenshot(page, "members-kk")
    _check_accessibility(browser, live_server, manager)

    # The invitation leaves through the outbox, in the colleague's language.
    outbox_job(live_app)
    (invitation,) = [m for m in mailbox.messages if m["To"] == COLLEAGUE]
    assert invitation["Subject"] == "Приглашение в FundTracker"
    path = re.search(r"/auth/invite/\S+", _body(invitation)).group(0)

    # The colleague opens the link, chooses a password and signs in.
    colleague = second_page
    colleague.goto(f"{live_server}{path}")
    colleague.fill("#password", PASSWORD)
    colleague.fill("#confirm", PASSWORD)
    colleague.click("main [type=submit]")
    expect(colleague).to_have_url(re.compile(r"/auth/login"))
    colleague.fill("#email", COLLEAGUE)
    colleague.fill("#password", PASSWORD)
    colleague.click("#login-form [type=submit]")
    expect(colleague.locator("#user-menu")).to_have_text("Айгерім Сейітова")
    colleague.goto(f"{live_server}/projects/")
    expect(colleague.locator("main")).to_contain_text(code)
    expect(colleague.locator("html")).to_have_attribute("lang", "ru")
    # A member sees the list, read-only.
    colleague.goto(f"{live_server}/organisations/people")
    expect(colleague.locator("h1")).to_have_text("Сотрудники нашей организации")
    expect(colleague.locator("#people-table tbody tr")).to_have_count(3)
    expect(colleague.locator("form[action$='/hand-over']")).to_have_count(0)
    expect(colleague.locator("form[action$='/people/invite']")).to_have_count(0)

    # The manager hands the role over to the other colleague and becomes a member.
    page.reload()
    expect(page.locator(f"#people-table tr[data-email='{COLLEAGUE}']")).not_to_contain_text(
        "Шақырылған"
    )
    page.locator(
        f"#people-table tr[data-email='{member}'] form[action$='/hand-over'] button"
    ).click()
    expect(page.locator(".alert-success")).to_contain_text("Енді әріптесіңіз — басқарушы")
    expect(page.locator("form[action$='/people/invite']")).to_have_count(0)
    expect(page.locator(f"#people-table tr[data-email='{member}']")).to_contain_text("Басқарушы")
    assert _is_manager(live_app, member) and not _is_manager(live_app, manager)
    assert page.console_errors == [] and colleague.console_errors == []
