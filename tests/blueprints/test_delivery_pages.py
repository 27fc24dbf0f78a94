"""The delivery pages as people use them: updates with files, review, payments, the dashboard,
exports, concurrent edits, and the number of queries each page runs."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.models import (
    MilestoneStatus,
    ProjectStatus,
    StoredFile,
    TrancheStatus,
    UpdateStatus,
)
from fundtracker.services import milestones as milestones_service
from fundtracker.web.reauth import REAUTH_KEY, proof
from tests import factories
from tests.conftest import login_as
from tests.factories import PDF_BYTES, region

# The pages that store and send files, with each storage backend (fundtracker.core.storage).
pytestmark = pytest.mark.usefixtures("each_storage")


def stored_bytes(key: str) -> bytes:
    return b"".join(file_storage().chunks(key))


@pytest.fixture
def project(app, grantee, officer):
    with app.test_request_context():
        due = today() + timedelta(days=20)
    project = factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        title_en="Rehabilitation centre in Zhezkazgan",
    )
    milestone = factories.MilestoneFactory(project=project, due_date=due)
    factories.TrancheFactory(project=project, milestone=milestone, amount=40_000_000_00)
    factories.BudgetLineFactory(project=project)
    return project


def _update_form(project, **overrides):
    line = project.budget_lines[0]
    data = {
        "narrative": "Equipment installed; 42 children started therapy.",
        "progress": "100",
        "beneficiaries": "42",
        f"spending_{line.id}": "12 500 000,50",
        "submit": "1",
    }
    data.update(overrides)
    return data


def test_grantee_submits_an_update_with_evidence(login, grantee, project):
    milestone = project.milestones[0]
    data = _update_form(project)
    data["evidence"] = [(io.BytesIO(PDF_BYTES), "Акт приёмки.pdf")]
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.SUBMITTED
    update = milestone.updates[-1]
    assert update.status == UpdateStatus.SUBMITTED
    assert update.spending[0].amount == 12_500_000_50
    (stored,) = update.files
    assert stored.original_name == "Акт приёмки.pdf" and stored.content_type == "application/pdf"
    assert stored.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored_bytes(stored.storage_key) == PDF_BYTES


def test_a_field_error_keeps_the_text_and_the_file(login, grantee, project):
    milestone = project.milestones[0]
    data = _update_form(project, progress="150")
    data["evidence"] = [(io.BytesIO(PDF_BYTES), "photo-report.pdf")]
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update", data=data, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "42 children started therapy" in html
    assert "photo-report.pdf" in html  # the upload was kept with the draft
    db.session.expire_all()
    draft = milestone.updates[-1]
    assert draft.status == UpdateStatus.DRAFT and draft.narrative.startswith("Equipment")
    assert milestone.status == MilestoneStatus.PLANNED


def test_submission_without_evidence_lists_what_is_missing(login, grantee, project):
    milestone = project.milestones[0]
    response = login(grantee).post(f"/milestones/{milestone.id}/update", data=_update_form(project))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least one evidence file" in html
    db.session.expire_all()
    assert milestone.updates[-1].status == UpdateStatus.DRAFT


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is not a PDF, Word, Excel, JPEG or PNG"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_uploads_are_checked_by_content(login, grantee, project, name, content, message):
    milestone = project.milestones[0]
    data = _update_form(project, submit="")
    data["save"] = "1"
    data["evidence"] = [(io.BytesIO(content), name)]
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(StoredFile).where(StoredFile.original_name == name)) is None


def test_oversized_upload_is_refused(app, login, grantee, project):
    saved = app.config["MAX_UPLOAD_MB"]
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        data = _update_form(project, submit="")
        data["save"] = "1"
        data["evidence"] = [(io.BytesIO(PDF_BYTES + b"0" * (1024 * 1024 + 1)), "big.pdf")]
        response = login(grantee).post(
            f"/milestones/{project.milestones[0].id}/update",
            data=data,
            content_type="multipart/form-data",
            follow_redirects=True,
        )
    finally:
        app.config["MAX_UPLOAD_MB"] = saved
    assert "is larger than 1 MB" in response.get_data(as_text=True)


def test_hostile_file_name_is_made_safe(login, grantee, project):
    stored = factories.stored_file(project, grantee, name="../../etc/passwd\x00<script>.pdf")
    assert "/" not in stored.original_name and "\x00" not in stored.original_name
    assert stored.original_name.endswith(".pdf")
    response = login(grantee).get(f"/files/{stored.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == PDF_BYTES


def test_another_organisations_file_is_404(login, grantee):
    other = factories.ProjectFactory()
    stored = factories.stored_file(other, factories.UserFactory(grantee=True))
    assert login(grantee).get(f"/files/{stored.id}").status_code == 404


def test_deleted_file_is_hidden_from_the_grantee_and_restorable_by_staff(
    app, login, grantee, officer, project
):
    stored = factories.stored_file(project, grantee)
    client = login(grantee)
    client.post(f"/files/{stored.id}/delete")
    assert client.get(f"/files/{stored.id}").status_code == 404
    staff = app.test_client()
    login_as(staff, officer)
    assert staff.get(f"/files/{stored.id}").status_code == 200
    staff.post(f"/files/{stored.id}/restore")
    assert client.get(f"/files/{stored.id}").status_code == 200


def test_officer_accepts_and_approves_then_records_payment(login, grantee, officer, project):
    milestone = project.milestones[0]
    data = _update_form(project)
    data["evidence"] = [(io.BytesIO(PDF_BYTES), "act.pdf")]
    login(grantee).post(
        f"/milestones/{milestone.id}/update", data=data, content_type="multipart/form-data"
    )
    client = login(officer)
    db.session.expire_all()
    response = client.post(
        f"/milestones/{milestone.id}/review",
        data={
            "accept": "1",
            "approve_tranche": "y",
            "comment": "Well done",
            "version": str(milestone.version_id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    tranche = milestone.tranche
    assert milestone.status == MilestoneStatus.ACCEPTED
    assert tranche.status == TrancheStatus.APPROVED
    html = client.get("/dashboard").get_data(as_text=True)
    assert project.code in html and "₸40,000,000" in html
    with client.session_transaction() as sess:  # a large payment: confirmed it's them
        sess[REAUTH_KEY] = proof(officer)
    response = client.post(
        f"/tranches/{tranche.id}/pay",
        data={"paid_on": tranche.approved_at.date().isoformat(), "reference": "PP-2026-118"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert tranche.status == TrancheStatus.PAID


def test_second_save_of_the_same_version_is_refused(login, officer, project):
    client = login(officer)
    milestone = project.milestones[0]
    version = str(milestone.version_id)
    form = {"title": "Centre opened", "description": "", "deliverables": "", "version": version}
    assert client.post(f"/milestones/{milestone.id}/edit", data=form).status_code == 302
    form["title"] = "Centre opened (second editor)"
    response = client.post(f"/milestones/{milestone.id}/edit", data=form)
    assert "Someone else saved a change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert milestone.title == "Centre opened"


def test_export_csv_and_xlsx_follow_the_filters(login, officer):
    kept = factories.ProjectFactory(title_en='=HYPERLINK("http://evil")', regions=[region("KZ-62")])
    factories.ProjectFactory(regions=[region("KZ-71")])
    client = login(officer)
    with client.session_transaction() as sess:  # exports ask to confirm it's them
        sess[REAUTH_KEY] = proof(officer)
    response = client.get(f"/projects/export.csv?region={region('KZ-62').id}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Code" and len(rows) == 2
    assert rows[1][0] == kept.code
    assert rows[1][1].startswith("'=")  # a formula is neutralised
    book = load_workbook(
        io.BytesIO(client.get(f"/projects/export.xlsx?region={region('KZ-62').id}").data)
    )
    # The import template's layout: a sheet per kind, the projects on "Projects".
    sheet = book["Projects"]
    assert sheet.max_row == 2 and sheet["A2"].value == kept.code
    title = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("Title (English)") + 1)
    assert (title.value, title.data_type) == ('=HYPERLINK("http://evil")', "s")  # text, no formula
    awarded = [c.value for c in sheet[1]].index("Awarded, ₸") + 1
    assert sheet.cell(row=2, column=awarded).value == kept.awarded_amount / 100
    assert "Grantee users" in book.sheetnames


def _count_queries(sql_log, client, url):
    start = len(sql_log)
    response = client.get(url)
    assert response.status_code == 200
    return len(sql_log) - start


@pytest.mark.parametrize("page", ["project", "dashboard", "list"])
def test_pages_run_a_fixed_number_of_queries(login, officer, grantee, sql_log, page):
    client = login(officer)
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)

    def grow(n):
        for i in range(n):
            milestone = factories.MilestoneFactory(
                project=project, due_date=factories.date(2020, 1, 1 + i)
            )
            factories.TrancheFactory(project=project, milestone=milestone, amount=1_00)
            factories.BudgetLineFactory(project=project, amount=1_00)
            factories.ProjectFactory(officer=officer)
            factories.stored_file(project, grantee)
        db.session.expire_all()

    url = {"project": f"/projects/{project.id}", "dashboard": "/dashboard", "list": "/projects/"}[
        page
    ]
    grow(2)
    small = _count_queries(sql_log, client, url)
    grow(6)
    assert _count_queries(sql_log, client, url) == small


def test_officer_edits_a_project_with_the_fields_the_page_shows(login, officer, project):
    client = login(officer)
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'name="awarded_amount"' not in page and 'name="end_date"' not in page
    other_officer = factories.UserFactory(name="Dana Officer")
    response = client.post(
        f"/projects/{project.id}/edit",
        data={
            "code": project.code,
            "title_kk": "Жезқазғандағы оңалту орталығы",
            "title_ru": project.title_ru,
            "title_en": project.title_en,
            "organisation_id": project.organisation_id,
            "area_id": project.area_id,
            "region_ids": [region("KZ-62").id, region("KZ-35").id],
            "officer_id": other_officer.id,
            "start_date": project.start_date.isoformat(),
            "version": project.version_id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert project.title_kk == "Жезқазғандағы оңалту орталығы"
    assert sorted(r.code for r in project.regions) == ["KZ-35", "KZ-62"]
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    activity = html.split('id="activity"')[1]
    assert "Dana Officer" in activity and "Karaganda Region" in activity


def test_the_page_says_why_a_tranche_is_on_hold(app, login, officer, project):
    milestone = project.milestones[0]
    milestone.due_date = milestone.due_date - timedelta(days=60)  # now overdue
    db.session.flush()
    html = login(officer).get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-hold="milestone_overdue"' in html
    assert "On hold: the milestone it rests on is overdue." in html
    assert f"/tranches/{milestone.tranche.id}/approve" not in html
    response = login(officer).post(
        f"/tranches/{milestone.tranche.id}/approve", follow_redirects=True
    )
    assert "On hold" in response.get_data(as_text=True)
    db.session.expire_all()
    assert milestone.tranche.status == TrancheStatus.PLANNED


def test_two_colleagues_starting_the_first_draft_do_not_overwrite_each_other(
    app, login, grantee, project
):
    milestone = project.milestones[0]
    colleague = factories.UserFactory(role=grantee.role, organisation=grantee.organisation)
    first, second = login(grantee), app.test_client()
    login_as(second, colleague)
    for client in (first, second):  # both open the page before either saves
        assert 'name="version" type="hidden" value="0"' in client.get(
            f"/milestones/{milestone.id}"
        ).get_data(as_text=True)
    form = _update_form(project, submit="", save="1", version="0", narrative="First colleague")
    assert first.post(f"/milestones/{milestone.id}/update", data=form).status_code == 302
    form["narrative"] = "Second colleague"
    response = second.post(f"/milestones/{milestone.id}/update", data=form)
    assert "Someone else saved a change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert milestone.updates[-1].narrative == "First colleague"


def test_a_rejected_file_keeps_the_update_from_being_submitted(login, grantee, project):
    milestone = project.milestones[0]
    factories.stored_file(
        project,
        grantee,
        kind="evidence",
        update=milestones_service.draft_for(db.session, grantee, milestone),
    )
    data = _update_form(project)
    data["evidence"] = [(io.BytesIO(b"MZ" + b"\x00" * 100), "setup.pdf")]
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "is not a PDF" in response.get_data(as_text=True)
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.PLANNED


def test_ids_beyond_the_database_range_are_404(login, officer):
    client = login(officer)
    for url in ("/projects/99999999999", "/milestones/99999999999", "/files/99999999999"):
        assert client.get(url).status_code == 404


def test_closed_projects_take_no_comments_or_reviews(login, grantee, officer, project):
    project.status = ProjectStatus.CLOSED
    db.session.flush()
    milestone = project.milestones[0]
    response = login(grantee).post(f"/milestones/{milestone.id}/comments", data={"body": "Hi"})
    assert response.status_code == 403
    html = login(officer).get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="project-actions"' not in html


def test_grantees_do_not_see_officers_internal_status_reasons(login, grantee, officer, project):
    login(officer).post(
        f"/projects/{project.id}/status",
        data={"status": "at_risk", "reason": "Internal: audit concerns", "version": 1},
    )
    html = login(grantee).get(f"/projects/{project.id}").get_data(as_text=True)
    activity = html.split('id="activity"')[1]
    assert "Status changed" in activity and "Internal: audit concerns" not in activity
