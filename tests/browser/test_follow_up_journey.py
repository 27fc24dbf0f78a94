"""A follow-up after closure, reminded, submitted and shown (issue #21), in Russian and Kazakh:
the admin's rule reminds the grantee by email (through the outbox, to a real SMTP server) that a
follow-up is due tomorrow; the grantee (Kazakh) answers it (a refused answer comes back whole); the
officer (Russian) finds it in "My tasks" and accepts it; the board's portfolio page shows it in the
Sustainability figures."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.models import (
    FollowUp,
    ProgrammeArea,
    Project,
    ProjectStatus,
    Region,
    ReminderKind,
    ReminderRule,
    User,
)
from fundtracker.scheduler.jobs import outbox_job, reminders_job
from fundtracker.services import sustainability
from tests.browser.helpers import log_in
from tests.conftest import _Inbox, free_port

CODE = "QH-2020-901"


@pytest.fixture
def mailbox(live_app):
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


def _closed_project_with_a_follow_up_due_tomorrow(live_app) -> tuple[int, str]:
    with live_app.app_context():
        grantee = db.session.scalar(select(User).where(User.email == f"grantee@{DEMO_DOMAIN}"))
        officer = db.session.scalar(select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
        project = Project(
            code=CODE,
            title_kk="Балаларға арналған оңалту орталығы",
            title_ru="Реабилитационный центр для детей",
            title_en="Rehabilitation centre for children",
            organisation_id=grantee.organisation_id,
            area=db.session.scalar(select(ProgrammeArea).where(ProgrammeArea.code == "healthcare")),
            status=ProjectStatus.CLOSED,
            awarded_amount=50_000_000_00,
            start_date=date(2020, 3, 1),
            end_date=date(2021, 2, 28),
            officer_id=officer.id,
            regions=[db.session.scalar(select(Region).where(Region.code == "KZ-71"))],
        )
        follow_up = FollowUp(project=project, months_after=12, due_date=today() + timedelta(1))
        rule = ReminderRule(
            kind=ReminderKind.FOLLOW_UP_DUE,
            days=1,
            send_time=time(0, 0),
            to_grantee=True,
            to_officer=False,
            grace_days=2,
            active=True,
        )
        db.session.add_all([project, follow_up, rule])
        db.session.commit()
        found = follow_up.id, grantee.email
        db.session.remove()
        return found


def _board_figures(live_app) -> dict:
    with live_app.test_request_context():
        section = sustainability.board_section(db.session, today(), "kk")
        db.session.remove()
        return section


def test_a_follow_up_reminded_submitted_accepted_and_shown(
    live_app, live_server, mailbox, page, second_page, screenshot
):
    follow_up_id, grantee_email = _closed_project_with_a_follow_up_due_tomorrow(live_app)
    before = _board_figures(live_app)

    # The scheduler's reminder, and the outbox's email, in the grantee's language (Kazakh).
    reminders_job(live_app)
    outbox_job(live_app)
    [email] = [m for m in mailbox.messages if m["To"] == grantee_email and CODE in m["Subject"]]
    assert email["Subject"].startswith("Еске салу: QH-2020-901 бойынша мониторинг мерзімі")
    body = email.get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/follow-ups/(\d+)", body)
    assert link and int(link.group(1)) == follow_up_id

    # The grantee follows the link; a breakdown that does not add up comes back whole.
    log_in(page, live_server, grantee_email)
    page.goto(f"{live_server}/follow-ups/{follow_up_id}")
    expect(page.locator("#follow-up-title")).to_contain_text("12 айдан соңғы мониторинг")
    form = page.locator("#answer form")
    form.locator("[name=still_running]").select_option("yes")
    form.locator("[name=people_served]").fill("40")
    form.locator("[name=sex_female]").fill("22")
    form.locator("[name=sex_male]").fill("17")
    form.locator("[name=age_3_6]").fill("15")
    form.locator("[name=age_7_11]").fill("25")
    form.locator("[name=story]").fill("Айгерим снова ходит в центр каждую неделю.")
    form.locator("[name=submit]").click()
    expect(page.locator(".alert-danger")).to_contain_text("Бөліністің қосындысы 39")
    form = page.locator("#answer form")
    expect(form.locator("[name=people_served]")).to_have_value("40")
    expect(form.locator("[name=sex_male]")).to_have_value("17")
    expect(form.locator("[name=age_7_11]")).to_have_value("25")
    expect(form.locator("[name=still_running]")).to_have_value("yes")
    expect(form.locator("[name=story]")).to_have_value("Айгерим снова ходит в центр каждую неделю.")
    form.locator("[name=sex_male]").fill("18")
    form.locator("[name=submit]").click()
    expect(page.locator("#follow-up-status [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    expect(page.locator(".alert-success")).to_contain_text("Рақмет")
    screenshot(page, "follow-up-submitted")

    # The officer (Russian) finds it in "My tasks" and accepts it.
    officer = second_page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    officer.goto(f"{live_server}/tasks")
    group = officer.locator("#tasks-review_follow_ups")
    expect(group).to_contain_text("Мониторинг после закрытия на проверку")
    group.locator("a", has_text="Мониторинг через 12 мес.").first.click()
    expect(officer.locator("#answer-people")).to_have_text("40")
    officer.locator("#review [name=accept]").click()
    expect(officer.locator("#follow-up-status [data-status]")).to_have_attribute(
        "data-status", "accepted"
    )

    # The board (Kazakh) sees it counted in the Sustainability figures of the portfolio page.
    after = _board_figures(live_app)
    assert after["followed"] == before["followed"] + 1
    assert after["running"] == before["running"] + 1
    page.context.clear_cookies()
    log_in(page, live_server, f"board@{DEMO_DOMAIN}")
    page.goto(f"{live_server}/outcomes/portfolio")
    section = page.locator("#sustainability")
    expect(section).to_contain_text("Тұрақтылық")
    expect(section.locator("[data-figure=followed]")).to_have_text(str(after["followed"]))
    expect(section.locator("[data-figure=reached]")).to_have_text(after["reached"])
    screenshot(page, "portfolio-sustainability")
    # The refused answer was answered 422 on purpose; nothing else went wrong in the pages.
    assert [e for e in page.console_errors + officer.console_errors if "422" not in e] == []
