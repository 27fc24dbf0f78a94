"""In-kind support in a real browser, in Kazakh, CSRF on: an officer plans a delivery of hearing
aids on grantee@'s project from the catalogue and records it delivered; the grantee finds it in
"My tasks", confirms receipt with the signed acceptance act, and the project page counts its
value as given in kind."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import delete, select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.demo.schedule import journey_project_code
from fundtracker.models import InKindDelivery, InKindItem, Notification, Project
from tests.browser.helpers import log_in, set_language
from tests.factories import PDF_BYTES

ITEM = "Есту аппараты"  # hearing aid, 450 000 ₸ a piece in the demo catalogue


def _ids(live_app):
    with live_app.test_request_context():
        project = db.session.scalar(
            select(Project).where(Project.code == journey_project_code(db.session))
        )
        item = db.session.scalar(select(InKindItem).where(InKindItem.name_kk == ITEM))
        result = project.id, item.id
        db.session.remove()
        return result


def test_a_delivery_planned_delivered_and_confirmed(
    live_app, live_server, page, second_page, tmp_path
):
    project_id, item_id = _ids(live_app)
    officer = page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    set_language(officer, "kk")
    officer.goto(f"{live_server}/projects/{project_id}")
    officer.click("#plan-inkind")
    officer.select_option("[name=item_id]", str(item_id))
    officer.fill("[name=quantity]", "4")
    officer.fill("[name=planned_on]", "2026-12-01")
    officer.fill("[name=facility]", "«Үміт» оңалту орталығы")
    officer.locator("main form #submit").click()
    expect(officer.locator("#delivery-status")).to_have_attribute("data-status", "planned")

    officer.fill("#deliver [name=quantity]", "4")
    officer.locator("#deliver #submit").click()
    expect(officer.locator("#delivery-status")).to_have_attribute("data-status", "delivered")
    delivery_url = officer.url

    # The grantee is told, and finds it in "My tasks".
    grantee = second_page
    log_in(grantee, live_server, f"grantee@{DEMO_DOMAIN}")
    set_language(grantee, "kk")
    grantee.click("#nav-tasks")
    grantee.locator("main a", has_text=ITEM).first.click()
    expect(grantee).to_have_url(delivery_url)
    act = tmp_path / "Қабылдау актісі.pdf"
    act.write_bytes(PDF_BYTES)
    # Four arrived: with the signed act attached, receipt is confirmed.
    grantee.fill("#confirm [name=quantity]", "4")
    grantee.set_input_files("#confirm [name=evidence]", str(act))
    grantee.locator("#confirm #submit").click()
    expect(grantee.locator("#delivery-status")).to_have_attribute("data-status", "confirmed")
    expect(grantee.locator("#evidence")).to_contain_text("Қабылдау актісі")
    grantee.goto(f"{live_server}/projects/{project_id}")
    expect(grantee.locator('[data-figure="inkind"]')).to_contain_text("1 800 000")
    assert not officer.console_errors and not grantee.console_errors

    with live_app.test_request_context():
        # The browser tests share the demo database: take the journey's delivery away again.
        delivery_id = int(delivery_url.rstrip("/").rsplit("/", 1)[1])
        db.session.execute(delete(Notification).where(Notification.url == f"/inkind/{delivery_id}"))
        db.session.execute(delete(InKindDelivery).where(InKindDelivery.id == delivery_id))
        db.session.commit()
        db.session.remove()
