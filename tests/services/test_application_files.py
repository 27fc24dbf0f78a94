"""Files attached to applications: checked by content and size, stored under their hash with a
neutral name, filed by the document they answer."""

from __future__ import annotations

import io

import pytest

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.services import application_files
from fundtracker.services.files import Storage
from tests import factories

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.mark.parametrize("content", [ELF, MZ])
def test_a_renamed_executable_is_refused(content):
    application = factories.ApplicationFactory()
    with pytest.raises(application_files.UploadRejected, match="not a PDF"):
        application_files.attach(
            db.session,
            file_storage(),
            application.created_by,
            application,
            io.BytesIO(content),
            "budget.pdf",
        )
    assert application.files == []


pytestmark = pytest.mark.usefixtures("each_storage")


def test_an_oversized_file_is_refused_and_nothing_is_left_behind(tmp_path):
    application = factories.ApplicationFactory()
    storage = Storage(root=tmp_path, max_bytes=1024)
    with pytest.raises(application_files.UploadRejected, match="larger than"):
        application_files.attach(
            db.session,
            storage,
            application.created_by,
            application,
            io.BytesIO(factories.PDF_BYTES + b"0" * 2048),
            "big.pdf",
        )
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_hostile_filename_is_neutralised_and_the_file_kept_by_hash():
    import hashlib

    application = factories.ApplicationFactory()
    stored = application_files.attach(
        db.session,
        file_storage(),
        application.created_by,
        application,
        io.BytesIO(factories.PDF_BYTES),
        "../../etc/passwd\x00<script>.exe",
        "Charter",
    )
    assert "/" not in stored.original_name and "\x00" not in stored.original_name
    assert stored.original_name.endswith(".pdf")
    assert stored.storage_key not in stored.original_name
    assert stored.sha256 == hashlib.sha256(factories.PDF_BYTES).hexdigest()
    assert b"".join(file_storage().chunks(stored.storage_key)) == factories.PDF_BYTES
    assert stored.document == "Charter"


def test_a_file_given_for_an_unknown_document_is_filed_as_other():
    application = factories.ApplicationFactory()
    stored = factories.attach_charter(application)
    other = application_files.attach(
        db.session,
        file_storage(),
        application.created_by,
        application,
        io.BytesIO(factories.PDF_BYTES),
        "x.pdf",
        "Not a document of the call",
    )
    assert stored.document == "Charter" and other.document == ""
