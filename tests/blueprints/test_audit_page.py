"""The admin's audit log page: newest first, filtered by who, action, object and days, paged;
only for admins; its CSV export, which is itself in the log."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from fundtracker.blueprints.admin.audit import PER_PAGE
from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, Role
from fundtracker.services import audit
from fundtracker.web.reauth import REAUTH_KEY, proof
from tests import factories
from tests.conftest import login_as


@pytest.fixture
def login(client):
    """Signed in some time ago: sensitive actions ask to confirm who it is first."""

    def _login(user):
        login_as(client, user, proved=False)
        return client

    return _login


def _log(n: int, actor, action="user.updated", target=None) -> None:
    for i in range(n):
        audit.record(db.session, actor, action, target=target, details={"n": i}, address="10.1.1.1")


def _table(response) -> str:
    html = response.get_data(as_text=True)
    start = html.find('id="audit-table"')
    return html[start : html.find("</table>", start)] if start >= 0 else ""


def test_only_admins_see_the_log(login, officer):
    for role in (Role.OFFICER, Role.BOARD, Role.REVIEWER):
        client = login(factories.UserFactory(role=role))
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit/export.csv").status_code == 403
    assert login(factories.UserFactory(grantee=True)).get("/admin/audit").status_code == 403


def test_the_log_shows_who_did_what_newest_first(login, admin, officer):
    target = factories.UserFactory(role=Role.GRANTEE, grantee=True, email="gulnara@org.kz")
    _log(1, officer, "user.invited", target)
    _log(1, None, "backup.made")
    audit.record(db.session, officer, "something.new")
    response = login(admin).get("/admin/audit")
    assert response.status_code == 200
    table = _table(response)
    assert (
        table.index("something.new") < table.index("Backup made") < table.index("Invitation sent")
    )
    assert officer.email in table and "gulnara@org.kz" in table and "10.1.1.1" in table
    assert "System" in table  # the scheduler's event has no actor
    assert "n: 0" in table  # details, readable
    # An action nobody labelled is shown by its code, and can be filtered by.
    page = response.get_data(as_text=True)
    assert '<option value="something.new">something.new</option>' in page


def test_filters_narrow_the_log(login, admin, officer):
    other = factories.UserFactory(role=Role.OFFICER, email="aigul@fund.kz")
    project = factories.ProjectFactory()
    _log(2, officer, "payment.recorded", factories.TrancheFactory(project=project))
    _log(3, other, "file.opened")
    client = login(admin)

    table = _table(client.get("/admin/audit?actor=AIGUL"))
    assert table.count("aigul@fund.kz") == 3 and officer.email not in table

    table = _table(client.get("/admin/audit?action=payment.recorded"))
    assert table.count("Payment recorded") == 2 and "File opened" not in table
    assert project.code in table  # the tranche is labelled by its project

    table = _table(client.get("/admin/audit?target_type=tranches"))
    assert table.count("Payment recorded") == 2

    assert _table(client.get("/admin/audit?date_to=2020-01-01")) == ""
    assert _table(client.get("/admin/audit?date_from=2020-01-01")).count("<tr>") == 6


def test_a_bad_filter_is_shown_not_failed(login, admin, officer):
    _log(1, officer)
    response = login(admin).get("/admin/audit?date_from=yesterday&action=nope&page=abc")
    assert response.status_code == 200
    assert "Account changed" in _table(response)
    assert "is-invalid" in response.get_data(as_text=True)


def test_the_log_is_paged(login, admin, officer):
    _log(PER_PAGE + 5, officer)
    client = login(admin)
    first = client.get("/admin/audit?actor=" + officer.email)
    assert _table(first).count("<tr>") == PER_PAGE + 1  # with the header row
    assert "page=2" in first.get_data(as_text=True)
    second = _table(client.get(f"/admin/audit?actor={officer.email}&page=2"))
    assert second.count("<tr>") == 6
    assert "n: 0" in second  # the oldest, on the last page
    far = client.get(f"/admin/audit?actor={officer.email}&page=99")
    assert far.status_code == 200


def _reauthenticated(client, user):
    with client.session_transaction() as session:
        session[REAUTH_KEY] = proof(user)
    return client


def test_the_export_asks_to_confirm_who_you_are_first(login, admin):
    response = login(admin).get("/admin/audit/export.csv")
    assert response.status_code == 302
    assert "reauth" in response.headers["Location"]
    assert db.session.scalars(select(AuditEvent)).first() is None  # nothing exported


def test_the_export_is_the_filtered_log_and_is_itself_audited(login, admin, officer):
    _log(2, officer, "payment.recorded")
    _log(1, officer, "file.opened")
    admin.locale = "en"
    client = _reauthenticated(login(admin), admin)
    response = client.get(
        "/admin/audit/export.csv?action=payment.recorded", environ_base={"REMOTE_ADDR": "192.0.2.4"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0][:6] == ["Number", "When (Almaty)", "Who", "Role", "Action code", "Action"]
    assert [r[4] for r in rows[1:]] == ["payment.recorded", "payment.recorded"]
    assert rows[1][5] == "Payment recorded" and rows[1][2] == officer.email

    exported = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert exported.action == "audit.exported"
    assert exported.actor_id == admin.id and exported.address == "192.0.2.4"
    assert json.loads(exported.details) == {"rows": 2, "action": "payment.recorded"}
    assert audit.verify(db.session).intact
