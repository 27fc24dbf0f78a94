"""The notification pages: the unread badge, the list, mark as read, the email choice; and the
admin's reminders page: rules, upcoming reminders, failures and previews."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import (
    ApplicationStatus,
    EmailStatus,
    Reminder,
    ReminderRule,
    ReminderStatus,
    Role,
)
from fundtracker.services import reminders, reviews
from tests import factories


def test_the_unread_count_in_the_navigation_and_marking_as_read(login, grantee, sql_log):
    first = factories.notification(grantee, subject="Report due", url="/projects")
    factories.notification(grantee, subject="Second")
    client = login(grantee)
    sql_log.clear()
    page = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">2<' in page
    assert sum("FROM notifications" in s for s in sql_log) == 1  # one COUNT per page

    listing = client.get("/notifications").get_data(as_text=True)
    assert "Report due" in listing and "Second" in listing

    opened = client.post(f"/notifications/{first.id}/read", data={"open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"] == "/projects"
    assert 'id="unread-count">1<' in client.get("/").get_data(as_text=True)

    assert client.post("/notifications/read-all").status_code == 302
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_nobody_reads_anothers_notification(login, grantee, officer):
    theirs = factories.notification(officer)
    assert login(grantee).post(f"/notifications/{theirs.id}/read").status_code == 404
    assert theirs.read_at is None


def test_choosing_the_daily_digest(login, grantee):
    client = login(grantee)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="immediate"', page)
    bad = client.post("/notifications/settings", data={"email_delivery": "hourly"})
    assert bad.status_code == 422
    assert (
        client.post("/notifications/settings", data={"email_delivery": "daily"}).status_code == 302
    )
    db.session.refresh(grantee)
    assert grantee.email_delivery == "daily"


def test_the_settings_page_speaks_the_users_language(login):
    user = factories.UserFactory(role=Role.OFFICER, locale="kk")
    page = login(user).get("/notifications/settings").get_data(as_text=True)
    assert "Күн сайын 09:00-де бір шолу" in page


def test_admin_adds_a_rule_and_bad_input_keeps_what_was_typed(login, admin):
    client = login(admin)
    bad = client.post(
        "/admin/reminders/rules/new",
        data={"kind": "officer_digest", "days": "9", "send_time": "08:30", "grace_days": "2"},
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "enter a day from 0 (Monday) to 6" in page and 'value="08:30"' in page
    assert (
        client.post(
            "/admin/reminders/rules/new",
            data={"kind": "milestone_due", "days": "x", "send_time": "25:00", "grace_days": "1"},
        ).status_code
        == 422
    )

    ok = client.post(
        "/admin/reminders/rules/new",
        data={
            "kind": "milestone_due",
            "days": "21",
            "send_time": "10:15",
            "to_grantee": "y",
            "grace_days": "1",
            "active": "y",
        },
    )
    assert ok.status_code == 302
    rule = db.session.scalar(select(ReminderRule).where(ReminderRule.days == 21))
    assert rule.send_time.hour == 10 and rule.send_time.minute == 15 and rule.to_grantee

    edited = client.post(
        f"/admin/reminders/rules/{rule.id}",
        data={"kind": "milestone_due", "days": "20", "send_time": "10:15", "grace_days": "1"},
    )
    assert edited.status_code == 422  # no recipient chosen
    assert "Choose at least one recipient." in edited.get_data(as_text=True)


def test_admin_page_lists_upcoming_reminders_and_previews_one_in_the_recipients_language(
    login, admin
):
    officer = factories.UserFactory(role=Role.OFFICER, locale="en")
    project = factories.ProjectFactory(officer=officer)
    due = today() + timedelta(days=20)
    milestone = factories.MilestoneFactory(project=project, due_date=due, title="Жабдық")
    grantee = factories.UserFactory(
        role=Role.GRANTEE, organisation=project.organisation, locale="ru", name="Гүлнар"
    )
    client = login(admin)
    page = client.get("/admin/reminders").get_data(as_text=True)  # 14 days ahead: 6 days away
    assert f"{project.code} · Жабдық" in page and "Гүлнар" in page

    rule = db.session.scalar(
        select(ReminderRule).where(ReminderRule.kind == "milestone_due", ReminderRule.days == 14)
    )
    preview = client.get(
        f"/admin/reminders/rules/{rule.id}/preview",
        query_string={
            "object_id": milestone.id,
            "recipient_id": grantee.id,
            "day": (due - timedelta(days=14)).isoformat(),
        },
    ).get_data(as_text=True)
    assert "Напоминание: «Жабдық» — срок" in preview
    assert "Здравствуйте" in preview or "Гүлнар" in preview
    assert f"/milestones/{milestone.id}" in preview

    # a rule's next reminder when nothing is named
    assert "Жабдық" in client.get(f"/admin/reminders/rules/{rule.id}/preview").get_data(
        as_text=True
    )


def test_failed_emails_are_shown_to_admins_and_sent_again_on_request(login, admin, grantee):
    email = factories.failed_email(grantee)
    client = login(admin)
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert grantee.email in page and "Connection refused" in page
    assert client.get(f"/admin/reminders/emails/{email.id}").status_code == 200
    assert client.post(f"/admin/reminders/emails/{email.id}/retry").status_code == 302
    db.session.refresh(email)
    assert email.status == EmailStatus.PENDING and email.attempts == 0


def test_an_email_being_sent_is_not_sent_again_on_request(login, admin, grantee):
    email = factories.failed_email(grantee)
    email.status = EmailStatus.SENDING  # a scheduler run has claimed it
    db.session.flush()
    client = login(admin)
    assert "Send again" not in client.get(f"/admin/reminders/emails/{email.id}").get_data(
        as_text=True
    )
    client.post(f"/admin/reminders/emails/{email.id}/retry")
    db.session.refresh(email)
    assert email.status == EmailStatus.SENDING


def test_admin_adds_a_rule_reminding_reviewers_of_unscored_applications(login, admin):
    client = login(admin)
    form = client.get("/admin/reminders/rules/new").get_data(as_text=True)
    assert '<option value="application_unscored">' in form
    assert "Application not yet scored (to its reviewers)" in form

    data = {"kind": "application_unscored", "send_time": "09:00", "grace_days": "2"}
    too_soon = client.post("/admin/reminders/rules/new", data={**data, "days": "0"})
    assert too_soon.status_code == 422
    assert "at least one day after assignment" in too_soon.get_data(as_text=True)
    # no recipient boxes ticked: the kind always goes to the assignment's reviewer
    ok = client.post("/admin/reminders/rules/new", data={**data, "days": "5", "active": "y"})
    assert ok.status_code == 302
    unscored = ReminderRule.kind == "application_unscored"
    rule = db.session.scalar(select(ReminderRule).where(unscored))
    assert rule.days == 5 and rule.active

    page = client.get("/admin/reminders").get_data(as_text=True)
    row = re.search(r"Application not yet scored \(to its reviewers\).*?</tr>", page, re.S)
    assert row and "<td>Reviewers</td>" in row.group(0)


def test_admin_page_lists_and_previews_a_reminder_to_a_reviewer(login, admin):
    rule = factories.ReminderRuleFactory(
        kind="application_unscored", days=3, to_grantee=False, to_officer=False
    )
    application = factories.application_in(ApplicationStatus.SCREENED, title="Жабдық")
    officer = factories.UserFactory(role=Role.OFFICER)
    reviewer = factories.UserFactory(role=Role.REVIEWER, locale="ru", name="Ерлан")
    assignment = reviews.assign_reviewer(db.session, officer, application, reviewer)
    reviews.declare_conflict(db.session, reviewer, assignment, False)

    client = login(admin)
    page = client.get("/admin/reminders").get_data(as_text=True)  # due in 3 days
    assert f"Application no. {application.id} · Жабдық" in page and "Ерлан" in page

    preview = client.get(f"/admin/reminders/rules/{rule.id}/preview").get_data(as_text=True)
    assert f"Ждёт вашей оценки: заявка № {application.id}" in preview
    assert f"/reviews/{assignment.id}" in preview


def _rows(page: str, table_id: str) -> list[str]:
    """The body rows of a table of the reminders page."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    return re.findall(r"<tr>\s*<td.*?</tr>", table.group(0), re.S) if table else []


def _link(page: str, label: str) -> list[str]:
    """The pager links labelled `label` that lead somewhere."""
    return re.findall(rf'<a class="page-link" href="([^"#][^"]*)">{label}</a>', page)


def test_the_upcoming_reminders_are_paged_50_at_a_time_and_all_can_be_seen(login, admin):
    when = datetime(2027, 3, 2, 5, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Almaty
    for k in range(22):  # several reminders each within the fortnight: two pages
        project = factories.ProjectFactory()
        factories.MilestoneFactory(project=project, due_date=date(2027, 3, 5) + timedelta(k % 9))
        factories.UserFactory(role=Role.GRANTEE, organisation=project.organisation)
    db.session.commit()
    with time_machine.travel(when, tick=False):
        everything = reminders.upcoming(db.session, when)
        client = login(admin)
        first = client.get("/admin/reminders").get_data(as_text=True)
        [next_url] = _link(first, "Next")
        assert "upcoming_page=2" in next_url and next_url.endswith("#upcoming")
        second = client.get(html.unescape(next_url)).get_data(as_text=True)
        assert _link(second, "Next") == []
        [back] = _link(second, "Previous")
        assert "upcoming_page=1" in back

    listed = _rows(first, "upcoming-table") + _rows(second, "upcoming-table")
    assert len(_rows(first, "upcoming-table")) == 50 and 50 < len(everything) <= 100
    assert len(listed) == len(everything)
    for row, occurrence in zip(listed, everything, strict=True):
        assert f"object_id={occurrence.object_id}&amp;recipient_id={occurrence.recipient_id}" in row


def test_the_log_and_the_failed_emails_are_paged_and_keep_the_other_tables_page(
    login, admin, grantee
):
    rule = db.session.scalar(select(ReminderRule).order_by(ReminderRule.id))
    for k in range(53):
        db.session.add(
            Reminder(
                rule_id=rule.id,
                object_id=1000 + k,
                recipient_id=grantee.id,
                occurrence=date(2027, 1, 1),
                due_at=datetime(2027, 1, 1, 4, 0, tzinfo=UTC),
                status=ReminderStatus.SENT,
            )
        )
    for _ in range(51):
        factories.failed_email(grantee)
    db.session.flush()
    client = login(admin)

    first = client.get("/admin/reminders").get_data(as_text=True)
    assert len(_rows(first, "log-table")) == 50 and len(_rows(first, "problem-table")) == 50
    assert "object_id=1052&amp;" in _rows(first, "log-table")[0]  # latest first

    page = client.get("/admin/reminders?log_page=2&problems_page=2").get_data(as_text=True)
    log, problems = _rows(page, "log-table"), _rows(page, "problem-table")
    assert len(log) == 3 and "object_id=1002&amp;" in log[0] and "object_id=1000&amp;" in log[2]
    assert len(problems) == 1
    assert _link(page, "Next") == []
    # each table's Previous link keeps the other table's page
    previous = _link(page, "Previous")
    assert any("log_page=1" in p and "problems_page=2" in p for p in previous)
    assert any("log_page=2" in p and "problems_page=1" in p for p in previous)

    # a page number that is not one shows the first page; one far past the end, an empty one
    for bad in ("0", "-3", "x"):
        again = client.get(f"/admin/reminders?log_page={bad}").get_data(as_text=True)
        assert _rows(again, "log-table") == _rows(first, "log-table")
    far = client.get("/admin/reminders?log_page=99999999999")
    assert far.status_code == 200 and _rows(far.get_data(as_text=True), "log-table") == []
