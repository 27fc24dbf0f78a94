"""A payment request in a real browser, in Russian, CSRF on: grantee@ requests a tranche whose
milestone the fund accepted, with the signed invoice and the account on file; the officer finds
it in "My tasks" and approves it (the tranche with it) and records the payment; the grantee sees
the request paid."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import delete, select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.demo.schedule import journey_project_code
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Notification,
    PaymentRequest,
    Project,
    ProjectEvent,
    StoredFile,
    Tranche,
)
from fundtracker.models.payments import payment_request_files
from tests.browser.helpers import log_in, set_language
from tests.factories import PDF_BYTES

TITLE = "Оплата по счёту (путь запроса)"


def _payable_tranche(live_app) -> tuple[int, int]:
    """A milestone the fund accepted on grantee@'s project, and its planned tranche."""
    with live_app.test_request_context():
        project = db.session.scalar(
            select(Project).where(Project.code == journey_project_code(db.session))
        )
        milestone = Milestone(
            project=project,
            title=TITLE,
            due_date=today() - timedelta(days=3),
            status=MilestoneStatus.ACCEPTED,
        )
        tranche = Tranche(
            project=project, milestone=milestone, amount=3_000_000_00, planned_date=today()
        )
        db.session.add_all([milestone, tranche])
        db.session.commit()
        result = project.id, tranche.id
        db.session.remove()
        return result


def _clean_up(live_app, project_id: int, tranche_id: int) -> None:
    """The browser tests share the demo database: leave the project as it was."""
    with live_app.test_request_context():
        requests = select(PaymentRequest.id).where(PaymentRequest.tranche_id == tranche_id)
        for request_id in db.session.scalars(requests):
            db.session.execute(
                delete(Notification).where(Notification.url == f"/payment-requests/{request_id}")
            )
        db.session.execute(
            delete(StoredFile).where(
                StoredFile.id.in_(
                    select(payment_request_files.c.file_id).where(
                        payment_request_files.c.request_id.in_(requests)
                    )
                )
            )
        )
        db.session.execute(delete(PaymentRequest).where(PaymentRequest.tranche_id == tranche_id))
        db.session.execute(
            delete(Notification).where(Notification.url.like(f"/projects/{project_id}%"))
        )
        db.session.execute(
            delete(ProjectEvent).where(
                ProjectEvent.project_id == project_id, ProjectEvent.kind.like("payment_%")
            )
        )
        tranche = db.session.get(Tranche, tranche_id)
        milestone = tranche.milestone
        db.session.delete(tranche)
        db.session.delete(milestone)
        db.session.commit()
        db.session.remove()


def test_a_payment_request_approved_and_paid(live_app, live_server, page, second_page, tmp_path):
    project_id, tranche_id = _payable_tranche(live_app)
    try:
        grantee = page
        log_in(grantee, live_server, f"grantee@{DEMO_DOMAIN}")
        set_language(grantee, "ru")
        grantee.goto(f"{live_server}/projects/{project_id}")
        grantee.click(f'[data-request-payment="{tranche_id}"]')
        invoice = tmp_path / "Счёт-фактура 77.pdf"
        invoice.write_bytes(PDF_BYTES)
        grantee.fill("[name=invoice_number]", "СФ-77")
        grantee.fill("[name=invoice_date]", today().isoformat())
        grantee.set_input_files("[name=invoice]", str(invoice))
        grantee.locator("main form #submit").click()
        expect(grantee.locator("#request-status")).to_have_attribute("data-status", "submitted")
        request_url = grantee.url

        officer = second_page
        log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
        set_language(officer, "ru")
        officer.click("#nav-tasks")
        officer.locator(f'main a[href="{request_url.removeprefix(live_server)}"]').first.click()
        expect(officer.locator("#invoices")).to_contain_text("Счёт-фактура 77")
        officer.click("#approve-request")
        expect(officer.locator("#request-status")).to_have_attribute("data-status", "approved")
        officer.locator("main a", has_text="Зарегистрировать оплату").click()
        officer.fill("[name=reference]", "ПП 4471")
        officer.locator("main form [type=submit]").last.click()

        grantee.goto(request_url)
        expect(grantee.locator("#request-status")).to_have_attribute("data-status", "paid")
        assert not grantee.console_errors and not officer.console_errors
    finally:
        _clean_up(live_app, project_id, tranche_id)
