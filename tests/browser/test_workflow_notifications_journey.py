"""Every step of the update loop tells the other side, in their language: after each step of a
grantee's report, an officer's revision request, the resubmission, the acceptance with its
tranche and the payment, each party has exactly the new notifications the step concerns them
with, and the email each receives (through the outbox, to a real SMTP server on loopback) has
its subject in that person's language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_money
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN, journey_project_code
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    Notification,
    Project,
    Tranche,
    User,
)
from fundtracker.scheduler.jobs import outbox_job
from tests.browser.helpers import log_in
from tests.conftest import _Inbox, free_port
from tests.factories import PDF_BYTES

# What each message's subject says in each language (the catalogues' words, written out here so
# that a message in the wrong language fails).
SUBJECTS = {
    "update_submitted": {
        "kk": "Қаралатын есеп: {}",
        "ru": "Отчёт на проверку: {}",
        "en": "Update to review: {}",
    },
    "revision_requested": {
        "kk": "Түзету сұралды: {}",
        "ru": "Запрошена доработка: {}",
        "en": "Revision requested: {}",
    },
    "milestone_accepted": {
        "kk": "Есеп қабылданды: {}",
        "ru": "Отчёт принят: {}",
        "en": "Update accepted: {}",
    },
    "tranche_approved": {
        "kk": "Транш төлеуге мақұлданды: {}",
        "ru": "Транш одобрен к оплате: {}",
        "en": "Tranche approved for payment: {}",
    },
    "tranche_paid": {
        "kk": "Төлем жасалды: {}",
        "ru": "Платёж произведён: {}",
        "en": "Payment made: {}",
    },
}


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


def _setup(live_app):
    with live_app.test_request_context():
        code = journey_project_code(db.session)
        project = db.session.scalar(select(Project).where(Project.code == code))
        milestone = db.session.scalar(
            select(Milestone)
            .where(
                Milestone.project_id == project.id,
                Milestone.status == MilestoneStatus.PLANNED,
                Milestone.due_date >= today() + timedelta(days=1),
            )
            .order_by(Milestone.due_date)
        )
        people = {
            "grantee": db.session.scalar(
                select(User).where(User.email == f"grantee@{DEMO_DOMAIN}")
            ),
            "colleague": db.session.scalar(
                select(User).where(User.email == f"grantee-b@{DEMO_DOMAIN}")
            ),
            "officer": project.officer,  # the project's responsible officer
        }
        emails = {name: user.email for name, user in people.items()}
        locales = {name: user.locale for name, user in people.items()}
        ids = {name: user.id for name, user in people.items()}
        daily = {name for name, user in people.items() if user.email_delivery == "daily"}
        tranche_id = milestone.tranche.id if milestone.tranche else None
        result = (code, milestone.id, milestone.title, tranche_id, emails, locales, ids, daily)
        db.session.remove()
        return result


def _counts(live_app, ids) -> dict[str, int]:
    with live_app.app_context():
        counts = {
            name: db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == user_id)
            )
            for name, user_id in ids.items()
        }
        db.session.remove()
        return counts


def test_each_step_of_the_update_loop_tells_the_right_people(
    live_app, live_server, page, second_page, mailbox, tmp_path
):
    code, milestone_id, title, tranche_id, emails, locales, ids, daily = _setup(live_app)

    def subject(key, name, value):
        return SUBJECTS[key][locales[name]].format(value)

    def grantees(key, value):
        return {name: [subject(key, name, value)] for name in ("grantee", "colleague")}

    evidence = tmp_path / "Акт.pdf"
    evidence.write_bytes(PDF_BYTES)
    before = _counts(live_app, ids)

    def step(told: dict[str, list[str]]):
        """After a step: exactly these subjects reached these people, in the app and by email
        (those who chose the daily digest get it there, tomorrow morning)."""
        outbox_job(live_app)
        now = _counts(live_app, ids)
        for name in ids:
            expected = told.get(name, [])
            assert now[name] - before[name] == len(expected), name
            received = [m["Subject"] for m in mailbox.messages if m["To"] == emails[name]]
            assert received == ([] if name in daily else expected), name
            before[name] = now[name]
        mailbox.messages.clear()

    # The grantee (kk) submits an update: the project's officer (ru) is told.
    log_in(page, live_server, emails["grantee"])
    page.goto(f"{live_server}/milestones/{milestone_id}")
    form = page.locator("#update-form")
    form.locator("[name=narrative]").fill("Жабдық орнатылды.")
    form.locator("[name=progress]").fill("80")
    form.locator("[name=beneficiaries]").fill("18")
    for field in form.locator("input[name^=spending_]").all():
        field.fill("1 000 000")
    form.locator("[name=evidence]").set_input_files(str(evidence))
    form.locator("[name=submit]").click()
    expect(page.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    step({"officer": [subject("update_submitted", "officer", title)]})

    # The officer sees it in the navigation, and asks for a revision: both grantees are told.
    officer = second_page
    log_in(officer, live_server, emails["officer"])
    expect(officer.locator("#unread-count")).to_be_visible()
    officer.goto(f"{live_server}/milestones/{milestone_id}")
    officer.locator("#review [name=comment]").fill("Приложите подписанный акт.")
    officer.locator("#review [name=revise]").click()
    expect(officer.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "revision_requested"
    )
    step(grantees("revision_requested", title))

    # The grantee reads the notification (with the officer's words) and resubmits.
    page.goto(f"{live_server}/notifications")
    note = page.locator("#notification-list li").first
    expect(note).to_contain_text(subject("revision_requested", "grantee", title))
    expect(note).to_contain_text("Приложите подписанный акт.")
    note.locator("button[name=open]").click()
    expect(page).to_have_url(re.compile(rf"/milestones/{milestone_id}$"))
    page.locator("#update-form [name=narrative]").fill("Акт қоса берілді.")
    page.locator("#update-form [name=submit]").click()
    expect(page.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    step({"officer": [subject("update_submitted", "officer", title)]})

    # The officer accepts it and approves its tranche: the grantees hear of both.
    officer.goto(f"{live_server}/milestones/{milestone_id}")
    officer.locator("#review [name=accept]").click()
    expect(officer.locator("#milestone-status [data-status]")).to_have_attribute(
        "data-status", "accepted"
    )
    if tranche_id is None:
        step(grantees("milestone_accepted", title))
        return
    with live_app.app_context():
        amount = db.session.get(Tranche, tranche_id).amount
        db.session.remove()
    step(
        {
            name: [
                subject("milestone_accepted", name, title),
                subject("tranche_approved", name, format_money(amount, locales[name])),
            ]
            for name in ("grantee", "colleague")
        }
    )

    # The officer records the payment: the grantees are told it is paid.
    officer.goto(f"{live_server}/tranches/{tranche_id}/pay")
    officer.locator("[name=reference]").fill("ПП-2026-118")
    officer.locator("form [type=submit]").last.click()
    expect(officer.locator(".alert-success")).to_be_visible()
    step(
        {
            name: [subject("tranche_paid", name, format_money(amount, locales[name]))]
            for name in ("grantee", "colleague")
        }
    )
    assert page.console_errors == [] and officer.console_errors == []
