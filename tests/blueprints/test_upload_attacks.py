"""The upload attacks of issue #17 through the real pages: the 13,000 × 13,000 PNG as an impact
story's photo, the `%PDF` + ELF polyglot as milestone evidence and as a project document, the
1 MB zip that expands to 1 GiB as an application's attachment. Each is refused with a message
naming the problem, leaves no file and no row behind, and the rest of the form is kept."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.models import ImpactStory, StoredBlob, StoredFile, UpdateStatus
from tests import factories
from tests import hostile_files as hostile

POLYGLOT = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + hostile.ELF

# Each attack with each storage backend: the upload folder, and the database shared by several
# app machines (where a file left behind would be rows).
pytestmark = pytest.mark.usefixtures("each_storage")


@pytest.fixture
def uploaded(app):
    """The files in the upload folder (and in the database) now, to compare with those after a
    request."""
    root = Path(app.config["UPLOAD_FOLDER"])

    def files() -> set:
        pieces = db.session.execute(db.select(StoredBlob.area, StoredBlob.key)).all()
        return {p for p in root.rglob("*") if p.is_file()} | set(pieces)

    before = files()
    return lambda: files() - before


@pytest.fixture
def project(app, grantee, officer):
    with app.test_request_context():
        due = today() + timedelta(days=20)
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project, due_date=due)
    factories.TrancheFactory(project=project, milestone=milestone, amount=40_000_000_00)
    factories.BudgetLineFactory(project=project)
    return project


def test_the_png_bomb_as_a_story_photo_is_refused_and_the_story_kept_on_the_form(
    login, grantee, project, uploaded
):
    response = login(grantee).post(
        f"/outcomes/projects/{project.id}/stories/new",
        data={
            "title": "Айдана жүре бастады",
            "body": "Оңалтудан кейін Айдана өз бетімен жүреді.",
            "photo": (io.BytesIO(hostile.png_bomb(13_000, 13_000)), "IMG_0001.png"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "IMG_0001.png is too large in pixels" in page and "at most 40 megapixels" in page
    assert 'value="Айдана жүре бастады"' in page and "өз бетімен жүреді" in page
    assert db.session.scalar(db.select(ImpactStory).filter_by(project_id=project.id)) is None
    assert uploaded() == set()


def test_a_photo_within_the_limits_is_still_taken(login, grantee, project):
    response = login(grantee).post(
        f"/outcomes/projects/{project.id}/stories/new",
        data={
            "title": "Жаңа жабдық",
            "body": "Орталық жабдықталды.",
            "photo": (io.BytesIO(hostile.png((1600, 1200))), "hall.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    story = db.session.scalar(db.select(ImpactStory).filter_by(project_id=project.id))
    assert story.photo.content_type == "image/png" and story.photo.original_name == "hall.png"


def test_the_pdf_elf_polyglot_as_evidence_is_refused_and_the_draft_kept(
    login, grantee, project, uploaded
):
    milestone = project.milestones[0]
    line = project.budget_lines[0]
    response = login(grantee).post(
        f"/milestones/{milestone.id}/update",
        data={
            "narrative": "Equipment installed; 42 children started therapy.",
            "progress": "100",
            "beneficiaries": "42",
            f"spending_{line.id}": "12 500 000,50",
            "save": "1",
            "evidence": [(io.BytesIO(POLYGLOT), "Акт приёмки.pdf")],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Акт приёмки.pdf contains a program, which cannot be uploaded." in page
    db.session.expire_all()
    draft = milestone.updates[-1]
    assert draft.status == UpdateStatus.DRAFT and draft.narrative.startswith("Equipment")
    assert draft.files == []
    assert uploaded() == set()


def test_the_pdf_elf_polyglot_as_a_project_document_is_refused(login, grantee, project, uploaded):
    response = login(grantee).post(
        f"/projects/{project.id}/documents",
        data={"file": (io.BytesIO(POLYGLOT), "Договор.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Договор.pdf contains a program" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(StoredFile).filter_by(project_id=project.id)) is None
    assert uploaded() == set()


def test_the_zip_bomb_as_an_application_attachment_is_refused_and_the_draft_kept(
    client, login, uploaded
):
    application = factories.ApplicationFactory(contents=False)
    login(application.created_by)
    response = client.post(
        f"/applications/{application.id}/edit",
        data={
            "version": str(application.version_id),
            "title": "Оңалту орталығы",
            "summary": "Балаларға арналған орталық.",
            "start_date": "2099-01-01",
            "end_date": "2099-12-31",
            "region_ids": [str(factories.region("KZ-43").id)],
            "document": "Charter",
            "save": "1",
            "attachment": (io.BytesIO(hostile.zip_bomb(first="word/document.xml")), "Жарғы.docx"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Жарғы.docx is a compressed file that expands to more than 200 MB." in page
    db.session.expire_all()
    assert application.title == "Оңалту орталығы"  # the draft was saved
    assert application.files == []
    assert uploaded() == set()
