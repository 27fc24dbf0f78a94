"""Several app machines sharing the database backend (STORAGE_BACKEND=database), through the real
pages: a file stored through one machine is sent by another whose folder has never seen it
(X-Accel-Redirect names the copy it made), a report built by the scheduler's machine is
downloaded from a web machine, and an attachment removed from a draft leaves nothing behind."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import ReportStatus, StoredBlob, StoredFile
from fundtracker.pdf import service as reports
from tests import factories
from tests.conftest import login_as
from tests.factories import PDF_BYTES


@pytest.fixture
def machines(app, tmp_path):
    """Switch the app between machines: each has folders of its own, the database is shared."""
    names = ("STORAGE_BACKEND", "UPLOAD_FOLDER", "REPORTS_FOLDER", "X_ACCEL_REDIRECT")
    saved = {name: app.config.get(name) for name in names}

    def on(name: str) -> Path:
        root = tmp_path / name
        app.config.update(
            STORAGE_BACKEND="database",
            UPLOAD_FOLDER=str(root / "uploads"),
            REPORTS_FOLDER=str(root / "reports"),
        )
        return root

    try:
        yield on
    finally:
        app.config.update(saved)


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def pieces(key: str) -> int:
    return db.session.scalar(select(func.count()).where(StoredBlob.key == key))


def test_evidence_uploaded_on_one_machine_is_sent_by_another(app, machines, grantee, officer):
    with app.test_request_context():
        due = today() + timedelta(days=20)
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project, due_date=due)
    line = factories.BudgetLineFactory(project=project)
    first = machines("web-1")
    uploader = app.test_client()
    login_as(uploader, grantee)
    response = uploader.post(
        f"/milestones/{milestone.id}/update",
        data={
            "narrative": "Equipment installed.",
            "progress": "100",
            "beneficiaries": "12",
            f"spending_{line.id}": "1 000",
            "evidence": [(io.BytesIO(PDF_BYTES), "Акт.pdf")],
            "submit": "1",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = db.session.scalar(select(StoredFile).where(StoredFile.project_id == project.id))
    assert pieces(stored.storage_key) == 1

    second = machines("web-2")
    assert files_in(second) == []
    reader = app.test_client()
    login_as(reader, officer)
    response = reader.get(f"/files/{stored.id}")
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert [p.name for p in files_in(second / "uploads")] == [stored.storage_key]

    # Behind nginx the second machine names its own copy, which nginx sends.
    machines("web-3")
    app.config["X_ACCEL_REDIRECT"] = True
    response = reader.get(f"/files/{stored.id}")
    accel = response.headers["X-Accel-Redirect"]
    assert accel == f"/_protected/uploads/{stored.storage_key[:2]}/{stored.storage_key}"
    copy = Path(app.config["UPLOAD_FOLDER"]) / accel.removeprefix("/_protected/uploads/")
    assert copy.read_bytes() == PDF_BYTES
    assert files_in(first / "uploads") != []  # the uploading machine kept its copy too

    # Another organisation's grantee gets nothing from any machine.
    outsider = app.test_client()
    login_as(outsider, factories.UserFactory(grantee=True))
    assert outsider.get(f"/files/{stored.id}").status_code == 404


def test_a_report_built_by_the_scheduler_is_downloaded_from_a_web_machine(app, machines, officer):
    machines("scheduler")
    key, sha256 = reports.store_pdf(PDF_BYTES)  # as the builder does, in its transaction
    project = factories.ProjectFactory(officer=officer)
    report = factories.StoredReportFactory(
        project=project,
        for_project=True,
        status=ReportStatus.DONE,
        storage_key=key,
        sha256=sha256,
        size=len(PDF_BYTES),
        pages=1,
    )
    db.session.commit()
    web = machines("web-1")
    client = app.test_client()
    login_as(client, officer)
    response = client.get(f"/reports/{report.id}/download")
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert (web / "reports" / f"{key}.pdf").read_bytes() == PDF_BYTES


def test_an_attachment_removed_from_a_draft_leaves_no_piece_and_no_copy(app, machines):
    root = machines("web-1")
    application = factories.ApplicationFactory()
    stored = factories.attach_charter(application)
    key = stored.storage_key
    db.session.commit()
    assert pieces(key) == 1 and files_in(root / "uploads") != []
    client = app.test_client()
    login_as(client, application.created_by)
    response = client.post(f"/applications/files/{stored.id}/delete")
    assert response.status_code == 302
    assert pieces(key) == 0
    assert files_in(root / "uploads") == []
