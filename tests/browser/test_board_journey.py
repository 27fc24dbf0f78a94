"""A board meeting approves an application above the threshold, in Russian, CSRF on: the
officer's approval is refused until the board has decided; the officer records that the demo's
planned meeting was held with a quorum and its decision; the approval then goes through, and a
trustee reads the decision in the register."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import delete, select

from fundtracker.core.extensions import db
from fundtracker.demo import DEMO_DOMAIN
from fundtracker.demo.applications import DEMO_APPLICATIONS
from fundtracker.models import Application, BoardMeeting, Notification
from fundtracker.services import reviews
from tests.browser.helpers import log_in, set_language

TITLE = DEMO_APPLICATIONS[1][1]  # under review, 75 million tenge: above the demo's threshold


def _ids(live_app):
    """The demo application and the planned meeting it is on; its reviewer (who has not declared
    their interests in the demo) scores it, since an application is approved after a review."""
    with live_app.test_request_context():
        application = db.session.scalar(select(Application).where(Application.title == TITLE))
        for assignment in application.assignments:
            if assignment.submitted_at is None:
                reviews.declare_conflict(db.session, assignment.reviewer, assignment, False)
                reviews.submit_scores(
                    db.session,
                    assignment.reviewer,
                    assignment,
                    {c.id: (4, "") for c in application.call.criteria},
                )
        db.session.commit()
        meeting = db.session.scalar(
            select(BoardMeeting).where(BoardMeeting.status == "planned").order_by(BoardMeeting.id)
        )
        result = application.id, meeting.id, meeting.number
        db.session.remove()
        return result


def test_a_board_meeting_approves_an_application_above_the_threshold(
    live_app, live_server, page, second_page, screenshot
):
    application_id, meeting_id, number = _ids(live_app)
    officer = page
    log_in(officer, live_server, f"officer@{DEMO_DOMAIN}")
    set_language(officer, "ru")

    # Approving before the board has decided is refused, with the reason and nothing lost.
    officer.goto(f"{live_server}/applications/{application_id}")
    expect(officer.locator("#board-status")).to_contain_text(number)
    officer.locator("#decide [name=agreement_number]").fill("ДС-2026-77")
    officer.locator("#decide [name=approve]").click()
    expect(officer.locator("#error-summary")).to_contain_text("попечительского совета")
    expect(officer.locator("#decide [name=agreement_number]")).to_have_value("ДС-2026-77")

    # The register, from the applications; the planned meeting with the application on it.
    officer.locator('a.nav-link[href="/applications/"]').click()
    officer.click("#board-link")
    officer.locator(f'a[href="/board/meetings/{meeting_id}"]').first.click()
    expect(officer.locator("#agenda-items")).to_contain_text(TITLE)

    # The meeting was held: five of seven trustees present.
    officer.click("#hold-meeting")
    officer.fill("[name=members_total]", "7")
    officer.fill("[name=members_present]", "5")
    officer.fill("[name=attendees]", "Ә. Сейітқали\nМ. Оразбаева")
    officer.locator("main form #submit").click()
    expect(officer.locator("#meeting-quorum")).to_contain_text("5")
    expect(officer.locator("#meeting-status")).to_have_text("Проведено")

    # Its decision: approved, in Russian.
    officer.locator("#agenda-items a", has_text="Записать решение").click()
    officer.select_option("[name=outcome]", "approved")
    officer.fill("[name=text_ru]", "Одобрить грант в размере 75 000 000 тенге.")
    officer.locator("main form #submit").click()
    expect(officer.locator('#agenda-items [data-outcome="approved"]')).to_be_visible()
    expect(officer.locator("#agenda-items")).to_contain_text("Одобрить грант")
    screenshot(officer, "board-meeting")

    # Now the approval goes through and the project is created.
    officer.locator("#agenda-items a", has_text=TITLE).click()
    expect(officer.locator("#board-status")).to_contain_text("Одобрено")
    officer.locator("#decide [name=agreement_number]").fill("ДС-2026-77")
    officer.locator("#decide [name=approve]").click()
    expect(officer.locator("#from-application a")).to_have_attribute(
        "href", f"/applications/{application_id}"
    )

    # A trustee reads the decision in the register.
    trustee = second_page
    log_in(trustee, live_server, f"board@{DEMO_DOMAIN}")
    trustee.click("#nav-board")
    expect(trustee.locator("#decision-list")).to_contain_text(f"{number}/1")
    expect(trustee.locator("#new-meeting")).to_have_count(0)
    # The refused approval answers 422, which the browser notes; nothing else went wrong.
    assert [e for e in officer.console_errors if "422" not in e] == []
    assert not trustee.console_errors

    with live_app.test_request_context():
        # The browser tests share the demo database: the applicant's notifications would lead
        # to a project other journeys do not expect in their lists.
        db.session.execute(
            delete(Notification).where(Notification.url == f"/applications/{application_id}")
        )
        db.session.commit()
        db.session.remove()
