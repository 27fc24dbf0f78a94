"""The backup and restore drill (issue #19), on the database TEST_DATABASE_URL names: seed the
demo, add uploads and a stored report, `flask backup`, `flask restore` into a new database and
new folders, and compare every table (row count and a checksum of its rows) and every file."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, create_engine, inspect, select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.demo import seed_demo
from fundtracker.models import Project, ReportStatus, Role, User
from fundtracker.models.audit import AuditEvent
from fundtracker.pdf.service import store_pdf
from tests import factories, hostile_files
from tests.dbutil import fresh_database, migrated_app

pytestmark = pytest.mark.no_db


def _normal(value):
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_checksums(engine: Engine) -> dict[str, tuple[int, str]]:
    """Every table: (rows, SHA-256 over its rows in primary-key order, values normalised)."""
    metadata = MetaData()
    metadata.reflect(engine)
    sums = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            rows = 0
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(json.dumps([_normal(v) for v in row], default=str).encode())
                rows += 1
            sums[name] = (rows, digest.hexdigest())
    return sums


def file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def built_report(project) -> None:
    """A project report built and stored, as the builder leaves one."""
    key, sha256 = store_pdf(factories.PDF_BYTES)
    factories.StoredReportFactory(
        for_project=True,
        project=project,
        status=ReportStatus.DONE,
        storage_key=key,
        sha256=sha256,
        size=len(factories.PDF_BYTES),
        pages=1,
    )


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """A seeded system with uploads and a stored report, backed up: the archive and what the
    restored system must equal. The source database is dropped afterwards."""
    tmp = tmp_path_factory.mktemp("drill")
    uploads, reports = tmp / "uploads", tmp / "reports"
    with migrated_app("drill", UPLOAD_FOLDER=str(uploads), REPORTS_FOLDER=str(reports)) as app:
        seed_demo(db.session)
        db.session.commit()
        officer = db.session.scalar(select(User).where(User.role == Role.OFFICER).limit(1))
        project = db.session.scalar(select(Project).order_by(Project.id).limit(1))
        factories.stored_file(project, officer)
        factories.stored_file(project, officer, name="фото.jpg", content=hostile_files.jpeg())
        built_report(project)
        db.session.commit()
        expected = table_checksums(db.engine)
        files = {"uploads": file_hashes(uploads), "reports": file_hashes(reports)}
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp / "backups")])
        assert result.exit_code == 0, result.output
        # The backup is recorded in the audit log after it is made (not in the archive).
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-1] == "backup.made"
    (archive,) = (tmp / "backups").glob("fundtracker-backup-*.tar")
    assert len(files["uploads"]) == 2 and len(files["reports"]) == 1
    return archive, expected, files


def _app(url: str, folder: Path):
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_FOLDER=str(folder / "uploads"),
        REPORTS_FOLDER=str(folder / "reports"),
    )


def _restore(app, archive: Path):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["restore", str(archive)])
        db.session.remove()
        db.engine.dispose()
    return result


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_the_backup_restores_to_an_identical_system(drill, tmp_path):
    archive, expected, files = drill
    with fresh_database("restored") as url:
        app = _app(url, tmp_path / "first")
        result = _restore(app, archive)
        assert result.exit_code == 0, result.output
        assert "Every table's row count matches the manifest." in result.output
        engine = create_engine(url)
        try:
            restored = table_checksums(engine)
        finally:
            engine.dispose()
        assert restored == expected
        assert "projects" in restored and restored["projects"][0] == 67
        assert file_hashes(tmp_path / "first" / "uploads") == files["uploads"]
        restored_files = [p for p in (tmp_path / "first").rglob("*") if p.is_file()]
        assert restored_files and {p.stat().st_mode & 0o777 for p in restored_files} == {0o640}
        assert file_hashes(tmp_path / "first" / "reports") == files["reports"]

        # Once more into the same, now full, database: refused, nothing changes.
        again = _app(url, tmp_path / "second")
        result = _restore(again, archive)
        assert result.exit_code != 0
        assert "The database is not empty" in result.output
        engine = create_engine(url)
        try:
            assert table_checksums(engine) == expected
        finally:
            engine.dispose()
        assert not (tmp_path / "second" / "uploads").exists()


def test_a_folder_that_is_not_empty_is_refused(drill, tmp_path):
    archive, _, _ = drill
    (tmp_path / "uploads" / "ab").mkdir(parents=True)
    (tmp_path / "uploads" / "ab" / "abc").write_bytes(b"someone's file")
    with fresh_database("notempty") as url:
        result = _restore(_app(url, tmp_path), archive)
        assert result.exit_code != 0
        assert "uploads folder" in result.output and "is not empty" in result.output
        assert _tables(url) == []
    assert file_hashes(tmp_path / "uploads") == {
        "ab/abc": hashlib.sha256(b"someone's file").hexdigest()
    }


def _corrupt(archive: Path, into: Path, member_prefix: str) -> Path:
    copy = into / archive.name
    shutil.copy(archive, copy)
    with tarfile.open(copy) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith(member_prefix))
    with copy.open("r+b") as out:
        out.seek(member.offset_data + member.size // 2)
        byte = out.read(1)
        out.seek(-1, 1)
        out.write(bytes([byte[0] ^ 0xFF]))
    return copy


@pytest.mark.parametrize("member", ["uploads/", "database/"])
def test_a_corrupted_archive_is_refused_before_anything_changes(drill, tmp_path, member):
    archive, _, _ = drill
    damaged = _corrupt(archive, tmp_path, member)
    with fresh_database("corrupt") as url:
        result = _restore(_app(url, tmp_path), damaged)
        assert result.exit_code != 0
        assert "is damaged" in result.output and "SHA-256" in result.output
        assert _tables(url) == []
    assert not (tmp_path / "uploads").exists()
    assert not any((tmp_path / "reports").iterdir()) if (tmp_path / "reports").exists() else True


def test_a_truncated_archive_is_refused(drill, tmp_path):
    archive, _, _ = drill
    cut = tmp_path / archive.name
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with fresh_database("cut") as url:
        result = _restore(_app(url, tmp_path / "target"), cut)
        assert result.exit_code != 0
        assert _tables(url) == []
    assert not (tmp_path / "target" / "uploads").exists()


def test_with_files_kept_in_the_database_the_dump_holds_them_and_they_come_back(tmp_path):
    """STORAGE_BACKEND=database: the archive holds the database alone (the folders are only a
    machine's copies), and a restored system on a machine with empty folders serves every file,
    which `flask storage check` confirms."""
    shared = {"STORAGE_BACKEND": "database"}
    first = tmp_path / "first"
    with migrated_app(
        "drilldb",
        UPLOAD_FOLDER=str(first / "uploads"),
        REPORTS_FOLDER=str(first / "reports"),
        **shared,
    ) as app:
        project = factories.ProjectFactory()
        owner = factories.UserFactory(grantee=True, organisation=project.organisation)
        stored = factories.stored_file(
            project, owner, name="фото.jpg", content=hostile_files.jpeg()
        )
        stored_key = stored.storage_key
        jpeg = b"".join(app_storage().chunks(stored_key))
        built_report(project)
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
        assert result.exit_code == 0, result.output
        assert "the files (kept in the database)" in result.output
    (archive,) = (tmp_path / "backups").glob("fundtracker-backup-*.tar")
    with tarfile.open(archive) as tar:
        assert not [m.name for m in tar.getmembers() if m.name.startswith(("uploads/", "reports/"))]
    with fresh_database("restoreddb") as url:
        second = tmp_path / "second"
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url,
            UPLOAD_FOLDER=str(second / "uploads"),
            REPORTS_FOLDER=str(second / "reports"),
            **shared,
        )
        result = _restore(app, archive)
        assert result.exit_code == 0, result.output
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["storage", "check"])
            assert result.exit_code == 0, result.output
            assert "2 files checked in database storage: 0 missing, 0 damaged" in result.output
            assert app_storage().local_path(stored_key).read_bytes() == jpeg
            db.session.remove()
            db.engine.dispose()


def app_storage():
    from fundtracker.core.storage import file_storage

    return file_storage()
