"""Lists that grow: applications, organisations, calls and notifications are searched, filtered
and paged; filters stay in the page links and the form; what a grantee sees stays theirs under
every filter; a page runs the same number of queries and keeps its size however long the list;
ticked notifications are marked read, the user's own only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select

from fundtracker.blueprints.applications.applications import APPLICATIONS_PER_PAGE
from fundtracker.blueprints.applications.calls import CALLS_PER_PAGE
from fundtracker.blueprints.notifications.routes import NOTIFICATIONS_PER_PAGE
from fundtracker.blueprints.organisations.routes import ORGANISATIONS_PER_PAGE
from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationBudgetLine,
    ApplicationStatus,
    BudgetCategory,
    CallStatus,
    Notification,
    Organisation,
    OrganisationRegistration,
    Role,
    utcnow,
)
from tests import factories

S = ApplicationStatus


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _rows(page: str, table_id: str) -> int:
    table = page.split(f'id="{table_id}"', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


def _application(status=S.SUBMITTED, **kwargs):
    return factories.ApplicationFactory(status=status, contents=False, **kwargs)


def _count_queries(sql_log, client, url) -> int:
    start = len(sql_log)
    _page(client.get(url))
    return len(sql_log) - start


# Applications ----------------------------------------------------------------------------------


def test_applications_are_paged_newest_first(login, officer):
    call = factories.CallFactory()
    made = [_application(call=call, title=f"Application {i:02d}") for i in range(27)]
    client = login(officer)
    first = _page(client.get("/applications/"))
    assert _rows(first, "application-table") == APPLICATIONS_PER_PAGE
    assert "27 applications found" in first
    assert first.index("Application 26") < first.index("Application 25")  # newest first
    assert "Application 01" not in first
    second = _page(client.get("/applications/?page=2"))
    assert _rows(second, "application-table") == 2
    assert "Application 01" in second and "Application 00" in second
    assert "Application 26" not in second
    beyond = _page(client.get("/applications/?page=9"))
    assert "past the end of the list" in beyond and 'id="application-table"' not in beyond
    assert {a.id for a in made}  # all flushed


def test_applications_filters_and_search(login, officer):
    call, other_call = factories.CallFactory(), factories.CallFactory()
    org = factories.OrganisationFactory(name="«Мейірім» қоры")
    wanted = _application(call=call, organisation=org, title="Оңалту ОРТАЛЫҒЫ", status=S.SCREENED)
    by_status = _application(call=call, title="Screened elsewhere", status=S.REJECTED)
    by_call = _application(call=other_call, title="Other call", status=S.SCREENED)
    client = login(officer)

    def titles(query: str) -> set[str]:
        page = _page(client.get(f"/applications/?{query}"))
        return {t for t in (wanted.title, by_status.title, by_call.title) if f">{t}</a>" in page}

    assert titles(f"call={call.id}") == {wanted.title, by_status.title}
    assert titles("status=screened") == {wanted.title, by_call.title}
    assert titles(f"organisation={org.id}") == {wanted.title}
    assert titles(f"call={call.id}&status=screened") == {wanted.title}
    # Case folded for Cyrillic, in the title and in the organisation's name.
    assert titles("q=орталығы") == {wanted.title}
    assert titles("q=МЕЙІРІМ") == {wanted.title}
    assert titles(f"q=%23{by_call.id}") == {by_call.title}  # the application's number
    # A value that is not valid is dropped, never a 500.
    everything = {wanted.title, by_status.title, by_call.title}
    for bad in ("call=abc", "call=99999999999", "status=nope", "organisation=-5", "q=" + "x" * 300):
        assert titles(bad) == everything, bad
    nothing = _page(client.get("/applications/?q=no-such-application"))
    assert "No applications match these filters." in nothing


def test_application_filters_stay_in_the_form_and_the_page_links(login, officer):
    call = factories.CallFactory()
    for i in range(APPLICATIONS_PER_PAGE + 1):
        _application(call=call, title=f"Бала {i}", status=S.SCREENED)
    page = _page(login(officer).get(f"/applications/?q=БАЛА&status=screened&call={call.id}"))
    assert 'value="БАЛА"' in page
    assert re.search(r'<option selected value="screened">', page)
    assert re.search(rf'<option selected value="{call.id}">', page)
    links = re.findall(r'href="(/applications/\?[^"]*page=2[^"]*)"', page)
    assert links, "a link to page 2"
    assert all("status=screened" in link and f"call={call.id}" in link for link in links)
    assert all("q=%D0%91%D0%90%D0%9B%D0%90" in link for link in links)


def test_staff_never_see_drafts_whatever_the_filter(login, officer):
    draft = _application(status=S.DRAFT, title="Secret draft")
    client = login(officer)
    for query in ("", "status=draft", f"organisation={draft.organisation_id}", "q=Secret"):
        assert "Secret draft" not in _page(client.get(f"/applications/?{query}")), query


@pytest.fixture
def two_organisations(grantee):
    """Grantee A's draft and submitted applications; organisation B's, in a call of its own."""
    call = factories.CallFactory()
    b_call = factories.CallFactory()
    own = [
        _application(
            organisation=grantee.organisation, call=call, title="Own draft", status=S.DRAFT
        ),
        _application(organisation=grantee.organisation, call=call, title="Own submitted"),
    ]
    b = factories.OrganisationFactory(name="«Басқа» қоры")
    theirs = [
        _application(organisation=b, call=b_call, title="Their draft", status=S.DRAFT),
        _application(organisation=b, call=b_call, title="Their submitted"),
        _application(organisation=b, call=call, title="Their same call", status=S.SCREENED),
    ]
    return call, b_call, b, own, theirs


QUERIES = ["", "q=Their", "q=басқа", "q=%23{their_id}"]
ORGS = ["", "organisation={b_id}", "organisation={own_org}"]
CALLS = ["", "call={b_call}", "call={call}"]
STATUSES = ["", "status=draft", "status=submitted", "status=screened"]


def test_a_grantee_sees_only_their_own_under_every_filter(login, grantee, two_organisations):
    call, b_call, b, own, theirs = two_organisations
    client = login(grantee)
    values = {
        "b_id": b.id,
        "own_org": grantee.organisation_id,
        "b_call": b_call.id,
        "call": call.id,
        "their_id": theirs[1].id,
    }
    for parts in product(QUERIES, ORGS, CALLS, STATUSES):
        query = "&".join(p.format(**values) for p in parts if p)
        page = _page(client.get(f"/applications/?{query}"))
        for application in theirs:
            assert application.title not in page, query
        assert "«Басқа» қоры" not in page, query
    # Their call is not offered to narrow the list by; the grantee's own drafts are listed.
    page = _page(client.get("/applications/"))
    assert f'value="{b_call.id}"' not in page
    assert "Own draft" in page and "Own submitted" in page


def test_the_applications_page_runs_a_fixed_number_of_queries(login, officer, sql_log):
    client = login(officer)

    def grow(n):
        for _ in range(n):
            application = _application(call=factories.CallFactory())
            application.budget_lines = [
                ApplicationBudgetLine(
                    category=BudgetCategory.EQUIPMENT, description="x", amount=1_00
                )
            ]
        db.session.flush()
        db.session.expire_all()

    grow(3)
    small = _count_queries(sql_log, client, "/applications/")
    grow(30)
    assert _count_queries(sql_log, client, "/applications/") == small
    assert _count_queries(sql_log, client, "/applications/?q=centre&status=submitted") <= small


def test_the_applications_page_keeps_its_size_as_the_list_grows(login, officer):
    call = factories.CallFactory()
    client = login(officer)
    for _ in range(APPLICATIONS_PER_PAGE + 5):
        _application(call=call)
    at_30 = len(_page(client.get("/applications/")))
    for _ in range(60):
        _application(call=call)
    at_90 = len(_page(client.get("/applications/")))
    assert abs(at_90 - at_30) < 1_000  # the same 25 rows; the count and page links differ
    assert at_90 < 100_000


def test_the_waiting_organisations_above_the_list_are_bounded(login, officer):
    for i in range(12):
        organisation = factories.OrganisationFactory(name=f"Waiting {i:02d}")
        db.session.add(OrganisationRegistration(organisation=organisation))
    db.session.flush()
    page = _page(login(officer).get("/applications/"))
    section = page.split('id="unverified"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li") == 10
    assert "All organisations waiting for verification (12)" in section
    assert "/organisations/?verified=no" in section


# Organisations ---------------------------------------------------------------------------------


def _registered(name: str, verified: bool, region="KZ-71"):
    organisation = factories.OrganisationFactory(name=name, region=factories.region(region))
    db.session.add(
        OrganisationRegistration(
            organisation=organisation, verified_at=utcnow() if verified else None
        )
    )
    db.session.flush()
    return organisation


def test_organisations_search_filters_and_verified_column(login, officer):
    fund_made = factories.OrganisationFactory(name="«Ана мен бала» қоры")
    verified = _registered("«Жарық» қоры", True)
    waiting = _registered("«Үміт» қоры", False, region="KZ-75")
    client = login(officer)

    def names(query: str) -> set[str]:
        page = _page(client.get(f"/organisations/?{query}"))
        return {o.name for o in (fund_made, verified, waiting) if f">{o.name}</a>" in page}

    assert names("") == {fund_made.name, verified.name, waiting.name}
    assert names("q=ҮМІТ") == {waiting.name}  # Cyrillic case folded
    assert names(f"q={verified.bin[2:9]}") == {verified.name}  # a part of the BIN
    assert names(f"q={verified.bin[:6]} {verified.bin[6:]}") == {verified.name}
    assert names(f"region={factories.region('KZ-75').id}") == {waiting.name}
    assert names("verified=yes") == {fund_made.name, verified.name}
    assert names("verified=no") == {waiting.name}
    for bad in ("region=abc", "region=999999", "verified=maybe", "q=" + "x" * 300):
        assert names(bad) == {fund_made.name, verified.name, waiting.name}, bad
    assert "No organisations match these filters." in _page(client.get("/organisations/?q=zzz"))

    page = _page(client.get("/organisations/"))

    def cell(organisation) -> str:
        row = page.split(f'data-organisation="{organisation.id}"', 1)[1].split("</tr>", 1)[0]
        return row.split('class="verification"', 1)[1]

    assert "Verified" in cell(fund_made) and "added by the fund" in cell(fund_made)
    assert "Verified" in cell(verified)
    assert "Waiting for verification" in cell(waiting)
    assert f"/organisations/{waiting.id}/verify" in cell(waiting)


def test_organisations_are_paged_with_their_filters(login, officer, sql_log):
    region = factories.region("KZ-43")
    for i in range(ORGANISATIONS_PER_PAGE + 3):
        factories.OrganisationFactory(name=f"Қайырымдылық {i:02d}", region=region)
    client = login(officer)
    first = _page(client.get(f"/organisations/?q=қайырымдылық&region={region.id}"))
    assert _rows(first, "organisation-table") == ORGANISATIONS_PER_PAGE
    assert 'value="қайырымдылық"' in first
    link = re.search(r'href="(/organisations/\?[^"]*page=2[^"]*)"', first).group(1)
    assert f"region={region.id}" in link and "q=" in link
    second = _page(client.get(link.replace("&amp;", "&")))
    assert _rows(second, "organisation-table") == 3
    assert "Қайырымдылық 27" in second and "Қайырымдылық 00" not in second
    # The same queries with 28 organisations as with 3 more each with projects.
    small = _count_queries(sql_log, client, "/organisations/")
    for organisation in db.session.scalars(select(Organisation)).all()[:5]:
        factories.ProjectFactory(organisation=organisation)
        _registered(f"Registered {organisation.id}", False)
    db.session.expire_all()
    assert _count_queries(sql_log, client, "/organisations/") == small


# Calls -----------------------------------------------------------------------------------------


def test_staff_search_and_filter_calls_and_page_through_them(login, officer, sql_log):
    closed = factories.CallFactory(
        title_ru="Поддержка ИНКЛЮЗИВНОГО образования", status=CallStatus.CLOSED
    )
    draft = factories.CallFactory(title_en="Autism services", status=CallStatus.DRAFT)
    for _ in range(CALLS_PER_PAGE + 1):
        factories.CallFactory()
    client = login(officer)
    assert closed.title_en in _page(client.get("/calls/?q=инклюзивного"))
    assert draft.title_en not in _page(client.get("/calls/?q=инклюзивного"))
    by_status = _page(client.get("/calls/?status=draft"))
    assert draft.title_en in by_status and closed.title_en not in by_status
    assert _rows(_page(client.get("/calls/?status=nope")), "call-table") == CALLS_PER_PAGE
    assert "No calls match these filters." in _page(client.get("/calls/?q=zzz"))
    first = _page(client.get("/calls/?status=published"))
    assert re.search(r'<option selected value="published">', first)
    link = re.search(r'href="(/calls/\?[^"]*page=2[^"]*)"', first).group(1)
    assert "status=published" in link
    assert _rows(_page(client.get(link.replace("&amp;", "&"))), "call-table") == 1
    # Each row's programme area comes with the page's one query for calls.
    small = _count_queries(sql_log, client, "/calls/")
    for _ in range(10):
        factories.CallFactory(area=factories.area("education"))
    db.session.expire_all()
    assert _count_queries(sql_log, client, "/calls/") == small


def test_a_grantee_searches_open_calls_only(login, grantee):
    factories.CallFactory(title_en="Open rehabilitation call")
    hidden = factories.CallFactory(title_en="Draft rehabilitation call", status=CallStatus.DRAFT)
    ended = factories.CallFactory(
        title_en="Ended rehabilitation call", closes_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    client = login(grantee)
    for query in ("q=REHABILITATION", "q=rehabilitation&status=draft", "status=closed"):
        page = _page(client.get(f"/calls/?{query}"))
        assert "Open rehabilitation call" in page, query
        assert hidden.title_en not in page and ended.title_en not in page, query
    assert 'name="status"' not in _page(client.get("/calls/"))


# Notifications ---------------------------------------------------------------------------------


def test_notifications_search_unread_and_paging(login, grantee):
    for i in range(NOTIFICATIONS_PER_PAGE + 2):
        factories.notification(grantee, subject=f"Reminder {i:02d}")
    report = factories.notification(grantee, subject="Отчёт по этапу принят")
    report.read_at = utcnow()
    db.session.flush()
    client = login(grantee)
    found = _page(client.get("/notifications?q=ОТЧЁТ"))
    assert "Отчёт по этапу принят" in found and "Reminder 00" not in found
    assert 'value="ОТЧЁТ"' in found
    unread = _page(client.get("/notifications?unread=1"))
    assert "Отчёт по этапу принят" not in unread
    assert re.search(r'<input checked[^>]*name="unread"', unread)
    link = re.search(r'href="(/notifications\?[^"]*page=2[^"]*)"', unread).group(1)
    assert "unread=1" in link
    second = _page(client.get(link.replace("&amp;", "&")))
    assert "Reminder 00" in second and "Reminder 01" in second and "Reminder 26" not in second
    assert "No notifications match these filters." in _page(client.get("/notifications?q=zzz"))
    assert "You have no notifications." not in _page(client.get("/notifications?q=zzz"))


def test_ticked_notifications_are_marked_read_and_anothers_are_not(login, grantee, officer):
    mine = [factories.notification(grantee, subject=f"Mine {i}") for i in range(3)]
    theirs = factories.notification(officer, subject="Theirs")
    client = login(grantee)
    response = client.post(
        "/notifications/read-selected",
        data={
            "notification_id": [str(mine[0].id), str(mine[1].id), str(theirs.id), "abc"],
            "next": "/notifications?q=Mine",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/notifications?q=Mine"
    page = _page(client.get("/notifications"))
    assert "2 notifications marked as read." in page
    assert "1 notification could not be found among yours" in page
    db.session.expire_all()
    assert mine[0].read_at and mine[1].read_at and mine[2].read_at is None
    assert db.session.get(Notification, theirs.id).read_at is None

    nothing = client.post("/notifications/read-selected", data={"next": "https://evil.example/"})
    assert nothing.headers["Location"] == "/notifications"
    assert "Tick the notifications to mark as read." in _page(client.get("/notifications"))


def test_the_notifications_page_offers_select_all_as_an_enhancement(login, grantee, client):
    factories.notification(grantee, subject="Report due")
    page = _page(login(grantee).get("/notifications"))
    assert '<script src="/static/js/select-all.js"></script>' in page
    # Hidden until the script shows it; each row's checkbox has the subject as its label.
    assert re.search(r'<div class="form-check mb-0" hidden data-select-all-box>', page)
    box = re.search(r'<input[^>]*name="notification_id"[^>]*id="(choose-\d+)"', page)
    assert box and f'<label class="d-block fw-semibold" for="{box.group(1)}">' in page
    script = client.get("/static/js/select-all.js")
    assert script.status_code == 200 and b"data-select-all" in script.data


def test_the_notifications_page_runs_a_fixed_number_of_queries(login, grantee, sql_log):
    client = login(grantee)
    factories.notification(grantee)
    small = _count_queries(sql_log, client, "/notifications")
    for _ in range(40):
        factories.notification(grantee)
    assert _count_queries(sql_log, client, "/notifications") == small


# Reminders admin -------------------------------------------------------------------------------


def test_the_reminder_rules_are_paged_too(login, admin):
    for days in range(60):
        factories.ReminderRuleFactory(days=days, kind="milestone_due")
    page = _page(login(admin).get("/admin/reminders"))
    assert _rows(page, "rule-table") == 50
    assert "rules_page=2" in page
    second = _page(login(admin).get("/admin/reminders?rules_page=2"))
    assert 0 < _rows(second, "rule-table") <= 50


@pytest.mark.parametrize("role", [Role.GRANTEE, Role.OFFICER])
def test_filter_pages_ignore_bad_values(login, role):
    user = factories.UserFactory(role=role) if role != Role.GRANTEE else None
    user = user or factories.UserFactory(grantee=True)
    client = login(user)
    for url in (
        "/applications/?call=%00&status=%FF&organisation=1e9&q=%00",
        "/calls/?status=%00&q=" + "%D0%B0" * 500,
        "/notifications?unread=maybe&q=%00%00",
    ):
        assert client.get(url).status_code == 200, url
