"""Permission-sensitive reads are in the audit log: opening a project's file or milestone
evidence, an application's attachment, downloading a report, exporting a list. Each GET writes
its one event (and nothing else) and commits it; actions through pages carry the client's
address."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, AuditEvent, FileKind, ReportStatus, Role
from fundtracker.pdf import service
from fundtracker.services import audit
from fundtracker.web.reauth import REAUTH_KEY, proof
from tests import factories

ADDRESS = {"REMOTE_ADDR": "203.0.113.9"}


def _last() -> AuditEvent:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def _count() -> int:
    return len(db.session.scalars(select(AuditEvent.id)).all())


def test_opening_milestone_evidence(login, officer, grantee):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    stored = factories.stored_file(project, grantee, name="акт.pdf", kind=FileKind.EVIDENCE)
    response = login(officer).get(f"/files/{stored.id}", environ_base=ADDRESS)
    assert response.status_code == 200
    event = _last()
    assert (event.action, event.actor_id, event.address) == (
        "file.opened",
        officer.id,
        "203.0.113.9",
    )
    assert (event.target_type, event.target_id) == ("stored_files", str(stored.id))
    assert json.loads(event.details) == {"name": "акт.pdf", "kind": "evidence"}


def test_a_file_one_may_not_see_is_not_logged(login, grantee):
    other = factories.ProjectFactory()
    stored = factories.stored_file(other, factories.UserFactory(grantee=True))
    assert login(grantee).get(f"/files/{stored.id}").status_code == 404
    assert _count() == 0


def test_opening_an_applications_attachment(login, officer):
    application = factories.application_in(ApplicationStatus.SUBMITTED)
    attachment = application.files[0]
    before = _count()
    response = login(officer).get(f"/applications/files/{attachment.id}")
    assert response.status_code == 200
    assert _count() == before + 1
    event = _last()
    assert (event.action, event.actor_id) == ("file.opened", officer.id)
    assert (event.target_type, event.target_id) == ("application_files", str(attachment.id))
    assert json.loads(event.details) == {
        "name": attachment.original_name,
        "kind": "application",
        "application_id": application.id,
    }


def test_downloading_a_board_report(login, monkeypatch, tmp_path):
    board = factories.UserFactory(role=Role.BOARD)
    report = factories.StoredReportFactory(
        status=ReportStatus.DONE,
        locale="ru",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        storage_key="k" * 32,
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(factories.PDF_BYTES)
    monkeypatch.setattr(service, "report_path", lambda _report: pdf)
    monkeypatch.setattr(service, "outdated", lambda _session, _report: False)
    response = login(board).get(f"/reports/{report.id}/download")
    assert response.status_code == 200
    event = _last()
    assert (event.action, event.actor_id, event.actor_role) == (
        "report.downloaded",
        board.id,
        "board",
    )
    assert (event.target_type, event.target_id) == ("reports", str(report.id))
    assert json.loads(event.details) == {
        "kind": "board",
        "period": "2025",
        "locale": "ru",
        "project": None,
    }


def test_exporting_the_project_list(login, officer):
    factories.ProjectFactory()
    client = login(officer)
    with client.session_transaction() as session:
        session[REAUTH_KEY] = proof(officer)
    response = client.get("/projects/export.xlsx?status=active&q=rare")
    assert response.status_code == 200
    event = _last()
    assert (event.action, event.actor_id) == ("export.downloaded", officer.id)
    assert json.loads(event.details) == {
        "list": "projects",
        "format": "xlsx",
        "rows": 1,
        "filters": {"status": "active", "q": "rare"},
    }


def test_exporting_the_outcomes_csv(login, officer):
    response = login(officer).get("/outcomes/portfolio.csv")
    assert response.status_code == 200
    event = _last()
    assert (event.action, event.actor_id) == ("export.downloaded", officer.id)
    assert json.loads(event.details)["list"] == "outcomes"


def test_pages_that_change_an_account_log_it_with_the_address(login, admin):
    user = factories.UserFactory(role=Role.OFFICER, email="olzhas@fund.kz")
    form = {"email": user.email, "name": user.name, "role": "board", "locale": "en"}
    response = login(admin).post(f"/admin/users/{user.id}", data=form, environ_base=ADDRESS)
    assert response.status_code == 302
    event = _last()
    assert (event.action, event.actor_id, event.address) == (
        "user.role_changed",
        admin.id,
        "203.0.113.9",
    )
    assert json.loads(event.details) == {"old": "officer", "new": "board"}
    assert audit.verify(db.session).intact
