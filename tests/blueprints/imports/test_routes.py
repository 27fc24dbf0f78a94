"""Importing a workbook as an officer does it: upload, preview, confirm (or discard), and the
large import the scheduler applies; and payments from a bank statement."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import func, select, text

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo.organisations import demo_bin
from fundtracker.models import (
    AuditEvent,
    ImportBatch,
    ImportStatus,
    Notification,
    Project,
    ProjectEvent,
    Role,
    Tranche,
    TrancheStatus,
)
from fundtracker.scheduler import imports as scheduler_imports
from tests import factories
from tests.services.imports.test_random_errors import xlsx

BIN = demo_bin("2201", 901)


def portfolio(award="1 000 000,00", code="IMP-1") -> bytes:
    return xlsx(
        {
            "Organisations": [["BIN", "Name", "Region"], [BIN, "Meirim fund", "Almaty Region"]],
            "Projects": [
                [
                    "Code",
                    "Title (English)",
                    "Organisation BIN",
                    "Programme area",
                    "Status",
                    "Awarded, ₸",
                    "Start date",
                    "End date",
                ],
                [
                    code,
                    "Sensory room",
                    BIN,
                    "Healthcare",
                    "Active",
                    award,
                    "01.01.2026",
                    "31.12.2026",
                ],
            ],
            "Milestones": [
                ["Project code", "Milestone", "Due date"],
                [code, "Room equipped", "30.06.2026"],
                [code, "Children served", "30.11.2026"],
            ],
            "Tranches": [
                ["Project code", "Milestone", "Planned date", "Amount, ₸"],
                [code, "Room equipped", "15.07.2026", "600 000"],
                [code, "Children served", "15.12.2026", "400 000"],
            ],
        }
    )


def _upload(client, data: bytes, name="portfolio.xlsx", **form):
    return client.post(
        "/imports/",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def _batch(response) -> ImportBatch:
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(ImportBatch, batch_id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_upload_preview_confirm_imports_everything_once(login, officer):
    client = login(officer)
    uploaded = portfolio()
    response = _upload(client, uploaded)
    assert response.status_code == 302
    batch = _batch(response)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Import these changes" in page and "IMP-1" in page
    assert _count(Project) == 0  # nothing written by the preview
    # The file is kept encrypted at rest: it holds contacts and children's figures.
    stored = db.session.execute(
        text("SELECT content FROM import_batches WHERE id = :id"), {"id": batch.id}
    ).scalar()
    assert stored.startswith("gAAAAA") and batch.data == uploaded
    done = client.post(f"/imports/{batch.id}/confirm", follow_redirects=True)
    assert "Imported." in done.get_data(as_text=True)
    project = db.session.scalar(select(Project).where(Project.code == "IMP-1"))
    assert project.awarded_amount == 100_000_000
    assert sorted(t.amount for t in project.tranches) == [40_000_000, 60_000_000]
    assert db.session.scalar(
        select(ProjectEvent).where(
            ProjectEvent.project_id == project.id, ProjectEvent.kind == "imported"
        )
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.applied"))
    db.session.refresh(batch)
    assert batch.status == ImportStatus.DONE and batch.confirmed_by_id == officer.id
    timeline = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Imported from a workbook" in timeline
    assert "Milestones: 2 new, 0 changed" in timeline
    # The same workbook again: nothing to change.
    again = _batch(_upload(client, portfolio()))
    assert again.total == 0


def test_problems_are_shown_with_their_place_and_block_the_import(login, officer):
    client = login(officer)
    batch = _batch(_upload(client, portfolio(award="999 999")))
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Tranches" in page and "add up to 1000000.00 ₸, but its award is 999999.00 ₸" in page
    assert "Import these changes" not in page
    refused = client.post(f"/imports/{batch.id}/confirm", follow_redirects=True)
    assert "changed since the preview" in refused.get_data(as_text=True)
    assert _count(Project) == 0


def test_a_change_since_the_preview_shows_the_new_preview_and_writes_nothing(login, officer):
    client = login(officer)
    batch = _batch(_upload(client, portfolio()))
    factories.ProjectFactory(code="IMP-1")  # a colleague typed it in meanwhile
    response = client.post(f"/imports/{batch.id}/confirm", follow_redirects=True)
    assert "check the new preview" in response.get_data(as_text=True)
    db.session.refresh(batch)
    assert batch.status == ImportStatus.CHECKED
    assert _count(Tranche) == 0


def test_discard_writes_nothing(login, officer):
    client = login(officer)
    batch = _batch(_upload(client, portfolio()))
    client.post(f"/imports/{batch.id}/discard")
    db.session.refresh(batch)
    assert batch.status == ImportStatus.DISCARDED and _count(Project) == 0
    assert client.post(f"/imports/{batch.id}/confirm").status_code == 302
    assert _count(Project) == 0


def test_a_file_that_is_no_workbook_is_kept_with_its_reason(login, officer):
    client = login(officer)
    batch = _batch(_upload(client, b"\x00\x01 not a workbook", name="photo.xlsx"))
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "neither an XLSX workbook nor a CSV file" in page


def test_a_large_import_is_applied_by_the_scheduler_and_the_officer_told(app, login, officer):
    app.config["IMPORT_SYNC_ROWS"] = 1
    try:
        client = login(officer)
        batch = _batch(_upload(client, portfolio()))
        client.post(f"/imports/{batch.id}/confirm")
        db.session.refresh(batch)
        assert batch.status == ImportStatus.QUEUED and _count(Project) == 0
        progress = client.get(f"/imports/{batch.id}/progress.json").get_json()
        assert progress["status"] == "queued" and progress["total"] == batch.total
        with app.test_request_context():
            assert scheduler_imports.run_one(db.session, today())
            assert not scheduler_imports.run_one(db.session, today())
        db.session.refresh(batch)
        assert batch.status == ImportStatus.DONE and batch.attempt == 1
        assert _count(Project) == 1
        told = db.session.scalar(select(Notification).where(Notification.user_id == officer.id))
        assert "is done" in told.subject
    finally:
        app.config["IMPORT_SYNC_ROWS"] = 2000


def test_others_may_not_import(login):
    for role in (Role.GRANTEE, Role.BOARD, Role.REVIEWER):
        user = factories.UserFactory(
            role=role,
            organisation=factories.OrganisationFactory() if role == Role.GRANTEE else None,
        )
        assert login(user).post("/imports/", data={}).status_code == 403


def _statement(lines: list[list[str]]) -> bytes:
    header = "Дата;Номер документа;Сумма;Назначение платежа;БИН получателя"
    body = "\n".join(";".join(line) for line in [header.split(";"), *lines])
    return body.encode("cp1251")


def test_a_bank_statement_pays_approved_tranches_once(login, officer):
    project = factories.ProjectFactory(code="QH-7", awarded_amount=50_000_000)
    tranche = factories.TrancheFactory(
        project=project,
        amount=25_000_000,
        status=TrancheStatus.APPROVED,
        planned_date=date(2026, 3, 1),
    )
    other = factories.TrancheFactory(
        project=project,
        amount=25_000_000,
        status=TrancheStatus.APPROVED,
        planned_date=date(2026, 9, 1),
    )
    bin_ = project.organisation.bin
    data = _statement(
        [
            ["02.12.2026", "ПП-101", "250 000,00", "Транш по договору QH-7", bin_],
            ["02.12.2026", "ПП-102", "77,00", "Что-то", bin_],
            ["03.12.2026", "ПП-103", "10,00", "Другое", "000000000000"],
        ]
    )
    client = login(officer)
    response = client.post(
        "/imports/bank",
        data={"file": (io.BytesIO(data), "statement.csv")},
        content_type="multipart/form-data",
    )
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/imports/bank/{batch_id}").get_data(as_text=True)
    # Two approved tranches of the same amount: the line fits both, the officer chooses.
    assert "Fits more than one tranche" in page
    assert "No approved tranche of this organisation has this amount." in page
    assert "No organisation has this BIN." in page
    client.post(f"/imports/bank/{batch_id}/confirm", data={"choice-2": str(other.id)})
    db.session.refresh(other)
    db.session.refresh(tranche)
    assert other.status == TrancheStatus.PAID and other.payment_reference == "ПП-101"
    assert tranche.status == TrancheStatus.APPROVED
    # The same statement again: that payment is recorded already.
    again = client.post(
        "/imports/bank",
        data={"file": (io.BytesIO(data), "statement.csv")},
        content_type="multipart/form-data",
    )
    again_id = int(again.headers["Location"].rsplit("/", 1)[1])
    batch = db.session.get(ImportBatch, again_id)
    assert [c["state"] for c in batch.changes] == ["recorded", "unmatched", "unmatched"]


def test_the_boards_export_has_no_raw_figures_nor_contacts(login):
    from openpyxl import load_workbook

    from fundtracker.web.reauth import REAUTH_KEY, proof

    board = factories.UserFactory(role=Role.BOARD)
    factories.ProjectFactory()
    client = login(board)
    with client.session_transaction() as sess:  # exports ask to confirm it's them
        sess[REAUTH_KEY] = proof(board)
    response = client.get("/projects/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert {"Results", "Breakdowns", "Grantee users"}.isdisjoint(book.sheetnames)
    assert "Contact email" not in [c.value for c in book["Organisations"][1]]
