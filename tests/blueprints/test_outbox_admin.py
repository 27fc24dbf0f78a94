"""The admins' view of the outbox on the reminders page: emails stuck "sending" and emails
possibly sent twice are listed with the failed ones, and "send again" works for many at once
(ticked rows, or every email that failed for good), each row's permission checked."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from fundtracker import permissions
from fundtracker.core.extensions import db
from fundtracker.models import EmailStatus, OutboxEmail, utcnow
from fundtracker.services import notifications
from tests import factories

PAGE = "/admin/reminders"
SEND_AGAIN = "/admin/reminders/emails/send-again"


def _stuck(user) -> OutboxEmail:
    """An email whose sender died in the middle of its SMTP conversation, long ago."""
    long_ago = utcnow() - notifications.lease() - timedelta(minutes=5)
    email = notifications.queue_email(db.session, user, "Stuck", "Text", "")
    email.next_attempt_at = long_ago
    db.session.flush()
    (claimed,) = notifications.claim_emails(db.session, long_ago)
    notifications.start_sending(db.session, claimed, long_ago)
    db.session.refresh(email)
    return email


def _sent(user, resends=0) -> OutboxEmail:
    email = notifications.queue_email(db.session, user, "Sent", "Text", "")
    email.status = EmailStatus.SENT
    email.attempts = 1 + resends
    email.resends = resends
    db.session.flush()
    return email


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _checkboxes(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="email_id" value="(\d+)" form="send-again"', page)}


def test_stuck_and_possibly_duplicated_emails_are_listed_with_the_failed(login, admin, grantee):
    failed = factories.failed_email(grantee)
    stuck = _stuck(grantee)
    twice = _sent(grantee, resends=1)
    fine = _sent(grantee)
    page = login(admin).get(PAGE).get_data(as_text=True)
    problems = re.search(r'id="problem-table".*?</table>', page, re.S).group(0)
    for email in (failed, stuck, twice):
        assert f'/admin/reminders/emails/{email.id}"' in problems
    assert f'/admin/reminders/emails/{fine.id}"' not in problems
    assert "Stuck “sending” since" in problems and "Possibly sent twice" in problems
    # Failed and stuck ones may be sent again; one already sent may not.
    assert _checkboxes(page) == {failed.id, stuck.id}

    detail = login(admin).get(f"/admin/reminders/emails/{stuck.id}").get_data(as_text=True)
    assert "Stuck “sending” since" in detail and "Send again" in detail
    assert stuck.message_id in detail.replace("&lt;", "<").replace("&gt;", ">")


def test_ticked_emails_are_sent_again_in_one_post_with_its_csrf_token(
    app, login, admin, grantee, monkeypatch
):
    failed = [factories.failed_email(grantee) for _ in range(2)]
    stuck = _stuck(grantee)
    sent = _sent(grantee)
    client = login(admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(PAGE).get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)" id="send-again".*?</form>', page, re.S)
    assert form.group(1) == SEND_AGAIN
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.group(0)).group(1)
    chosen = [str(e.id) for e in (*failed, stuck, sent)] + ["999999", "x"]

    refused = client.post(SEND_AGAIN, data={"email_id": chosen, "scope": "chosen"})
    assert refused.status_code == 400  # no CSRF token: nothing happens
    db.session.expire_all()
    assert {e.status for e in failed} == {EmailStatus.FAILED}

    response = client.post(
        SEND_AGAIN,
        data={"email_id": chosen, "scope": "chosen", "csrf_token": token},
        follow_redirects=True,
    )
    text = _text(response)
    assert "3 emails will be sent again within a minute." in text
    assert "1 email was left as it is: it has been sent, or is being sent now." in text
    assert "1 email could not be found." in text
    db.session.expire_all()
    for email in (*failed, stuck):
        assert (email.status, email.attempts, email.claim_token) == (EmailStatus.PENDING, 0, None)
    assert sent.status == EmailStatus.SENT
    # The stuck one's send may have gone out: the next one will be recorded as a resend.
    assert stuck.started_at is not None


def test_each_row_is_checked_against_the_users_permission(login, admin, grantee, monkeypatch):
    mine, theirs = factories.failed_email(grantee), factories.failed_email(grantee)
    monkeypatch.setattr(
        permissions, "can_view_outbox_email", lambda user, email: email.id != theirs.id
    )
    response = login(admin).post(
        SEND_AGAIN,
        data={"email_id": [str(mine.id), str(theirs.id)], "scope": "chosen"},
        follow_redirects=True,
    )
    text = _text(response)
    assert "1 email will be sent again within a minute." in text
    assert "1 email could not be found." in text
    db.session.expire_all()
    assert (mine.status, theirs.status) == (EmailStatus.PENDING, EmailStatus.FAILED)


def test_only_admins_may_send_again(login, officer, grantee):
    email = factories.failed_email(grantee)
    response = login(officer).post(SEND_AGAIN, data={"email_id": [str(email.id)]})
    assert response.status_code == 403
    db.session.expire_all()
    assert email.status == EmailStatus.FAILED


def test_after_a_long_outage_every_failed_email_is_sent_again_at_once(login, admin, grantee):
    """More than a page of them: the button covers those on later pages too."""
    failed = [factories.failed_email(grantee) for _ in range(60)]
    waiting = factories.failed_email(grantee)
    waiting.status, waiting.attempts = EmailStatus.PENDING, 2  # retrying: not failed for good
    db.session.flush()
    client = login(admin)
    page = _text(client.get(PAGE))
    assert "Send again every email that failed (60)" in page
    response = client.post(SEND_AGAIN, data={"scope": "failed"}, follow_redirects=True)
    assert "60 emails will be sent again within a minute." in _text(response)
    db.session.expire_all()
    statuses = set(
        db.session.scalars(
            select(OutboxEmail.status).where(OutboxEmail.id.in_([e.id for e in failed]))
        )
    )
    assert statuses == {EmailStatus.PENDING}
    assert waiting.attempts == 2  # left to its own retry
    assert "Send again every email that failed" not in _text(client.get(PAGE))


def test_nothing_ticked_says_so(login, admin, grantee):
    factories.failed_email(grantee)
    response = login(admin).post(SEND_AGAIN, data={"scope": "chosen"}, follow_redirects=True)
    assert "Choose the emails to send again." in _text(response)


def test_emails_past_the_limit_of_one_post_are_named_not_dropped(
    login, admin, grantee, monkeypatch
):
    from fundtracker.blueprints.notifications import routes

    monkeypatch.setattr(routes, "SEND_AGAIN_MAX", 2)
    emails = [factories.failed_email(grantee) for _ in range(3)]
    response = login(admin).post(
        SEND_AGAIN,
        data={"email_id": [str(e.id) for e in emails], "scope": "chosen"},
        follow_redirects=True,
    )
    text = _text(response)
    assert "2 emails will be sent again within a minute." in text
    assert "1 more email was not sent again: at most 2 at once. Choose it again." in text
    db.session.expire_all()
    assert [e.status for e in emails] == [EmailStatus.PENDING] * 2 + [EmailStatus.FAILED]
