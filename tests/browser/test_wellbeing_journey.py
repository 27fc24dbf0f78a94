"""Child well-being domains in a real browser, CSRF on: the admin (in Russian) adds a domain
from the "Manage" menu; an officer (in Kazakh) links a standard indicator to it on the
indicator's form; the board member (in English) finds the indicator under the new domain in
the portfolio's view by domain, with the figure of the table by indicator."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import delete, select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.models import StandardIndicator, WellbeingDomain, standard_indicator_domains
from tests.browser.helpers import log_in, open_menu, set_language

CODE = "INCLUSION"


def test_a_domain_added_linked_and_shown_to_the_board(live_app, live_server, page, second_page):
    board = second_page
    log_in(board, live_server, f"board@{DEMO_DOMAIN}")
    set_language(board, "en")
    board.goto(f"{live_server}/outcomes/portfolio")
    first = board.locator("#portfolio-table tbody tr").first
    standard_code = first.get_attribute("data-standard")
    achieved = first.locator("[data-achieved]").inner_text()

    admin = page
    log_in(admin, live_server, f"admin@{DEMO_DOMAIN}")
    set_language(admin, "ru")
    open_menu(admin, "#admin-menu")
    admin.click("#nav-domains")
    expect(admin.locator("h1")).to_have_text("Сферы благополучия детей")
    expect(admin.locator("#domain-table tbody tr")).to_have_count(8)
    admin.fill("[name=code]", "health")  # taken: told so, in Russian
    admin.fill("[name=name_ru]", "Инклюзия")
    admin.locator("main form #submit").click()
    expect(admin.locator("#error-summary")).to_contain_text("Такой код уже есть у другой сферы.")
    expect(admin.locator("[name=name_ru]")).to_have_value("Инклюзия")
    admin.console_errors.clear()  # the refused form's 422, as intended
    admin.fill("[name=code]", CODE.lower())
    admin.fill("[name=name_kk]", "Инклюзия")
    admin.fill("[name=name_en]", "Inclusion")
    admin.locator("main form #submit").click()
    expect(admin.locator(f'#domain-table tr[data-domain="{CODE}"]')).to_contain_text("Инклюзия")

    # The officer links the indicator the board's table starts with.
    officer = admin
    officer.context.clear_cookies()
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    set_language(officer, "kk")
    officer.goto(f"{live_server}/outcomes/indicators")
    officer.locator(f'tr[data-code="{standard_code}"] a').click()
    officer.get_by_label("Инклюзия", exact=True).check()
    officer.locator("main form #submit").click()
    row = officer.locator(f'#indicator-library tr[data-code="{standard_code}"]')
    expect(row.locator(f'[data-domain="{CODE}"]')).to_have_text("Инклюзия")

    board.reload()
    group = board.locator(f'#domain-view-table tbody[data-domain="{CODE}"]')
    expect(group.locator("th")).to_have_text("Inclusion")
    expect(group.locator(f'tr[data-standard="{standard_code}"] [data-achieved]')).to_have_text(
        achieved
    )
    assert not officer.console_errors and not board.console_errors

    with live_app.test_request_context():
        # The browser tests share the demo database: take the journey's domain away again.
        domain_id = db.session.scalar(
            select(WellbeingDomain.id).where(WellbeingDomain.code == CODE)
        )
        db.session.execute(
            delete(standard_indicator_domains).where(
                standard_indicator_domains.c.domain_id == domain_id
            )
        )
        db.session.execute(delete(WellbeingDomain).where(WellbeingDomain.id == domain_id))
        db.session.commit()
        assert db.session.scalar(
            select(StandardIndicator.id).where(StandardIndicator.code == standard_code)
        )
        db.session.remove()
