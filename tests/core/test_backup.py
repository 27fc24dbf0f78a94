"""The backup archive (fundtracker.core.backup) on a small SQLite database of its own: what it
holds, that it is whole or absent, and what a restore refuses. The whole drill on the suite's
database kind is tests/test_backup_drill.py."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fundtracker.core import backup

pytestmark = pytest.mark.no_db

MOMENT = datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'source.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(text("INSERT INTO things (name) VALUES ('a'), ('b'), ('c')"))
        conn.execute(text("CREATE TABLE alembic_version (version_num TEXT)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0021')"))
    yield engine
    engine.dispose()


@pytest.fixture
def folders(tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "abcdef").write_bytes(b"an upload")
    (uploads / ".upload-x1y2").write_bytes(b"half an upload")  # being written: left out
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "0123.pdf").write_bytes(b"%PDF a report")
    (reports / "4567.part").write_bytes(b"%PDF half")
    return {"uploads": uploads, "reports": reports}


def _make(engine, folders, into):
    return backup.make_backup(engine, folders, into, app_version="9.9", now=MOMENT)


def test_the_archive_holds_the_database_the_files_and_a_manifest(engine, folders, tmp_path):
    made = _make(engine, folders, tmp_path / "out")
    assert made.path.name == "fundtracker-backup-20261205-010203.tar"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [made.path.name]
    with tarfile.open(made.path) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        contents = {n: tar.extractfile(n).read() for n in names}
    assert sorted(names) == [
        "database/fundtracker.sqlite",
        "manifest.json",
        "reports/0123.pdf",
        "uploads/ab/abcdef",
    ]
    assert manifest["format"] == 1 and manifest["database"] == "sqlite"
    assert manifest["app_version"] == "9.9" and manifest["alembic_revision"] == "0021"
    assert manifest["created_at"] == "2026-12-05T01:02:03+00:00"
    assert manifest["tables"] == {"alembic_version": 1, "things": 3}
    assert manifest["files"] == {"uploads": 1, "reports": 1}
    for member in manifest["members"]:
        data = contents[member["name"]]
        assert member["size"] == len(data)
        assert member["sha256"] == hashlib.sha256(data).hexdigest()
    assert backup.verify_archive(made.path, set(folders)) == manifest


def test_a_backup_that_fails_leaves_no_archive(engine, folders, tmp_path, monkeypatch):
    real = backup._add_file

    def failing(tar, name, path):
        if name.startswith("reports/"):
            raise OSError("disk full")
        return real(tar, name, path)

    monkeypatch.setattr(backup, "_add_file", failing)
    with pytest.raises(OSError, match="disk full"):
        _make(engine, folders, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_an_archive_of_the_same_name_is_never_replaced(engine, folders, tmp_path):
    made = _make(engine, folders, tmp_path / "out")
    before = made.path.read_bytes()
    with pytest.raises(backup.BackupError, match="already exists"):
        _make(engine, folders, tmp_path / "out")
    assert made.path.read_bytes() == before


def test_prune_keeps_the_newest_and_touches_nothing_else(tmp_path):
    names = [backup.archive_name(datetime(2026, 11, d, tzinfo=UTC)) for d in (3, 1, 2, 4)]
    for name in [*names, "notes.txt", "fundtracker-backup-20261101-000000.tar.gz"]:
        (tmp_path / name).write_bytes(b"x")
    stale = tmp_path / ".fundtracker-backup-work-abc"
    stale.mkdir()
    fresh = tmp_path / ".fundtracker-backup-x.tar.123.part"
    fresh.write_bytes(b"being written")
    day_ago = time.time() - 2 * 86400
    os.utime(stale, (day_ago, day_ago))
    removed = backup.prune(tmp_path, 2)
    assert sorted(p.name for p in removed) == sorted([names[1], names[2], stale.name])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        [fresh.name, names[0], names[3], "notes.txt", "fundtracker-backup-20261101-000000.tar.gz"]
    )


def _tar(path: Path, members: dict[str, bytes], manifest: dict | None = None) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if manifest is not None:
            body = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _manifest(members: dict[str, bytes]) -> dict:
    return {
        "format": 1,
        "database": "sqlite",
        "tables": {"things": 1},
        "members": [
            {"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for n, d in members.items()
        ],
    }


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"database/fundtracker.sqlite": b"db", "../../etc/cron.d/x": b"!"}, "unexpected"),
        ({"database/fundtracker.sqlite": b"db", "/etc/passwd": b"!"}, "unexpected"),
        ({"database/fundtracker.sqlite": b"db", "elsewhere/file": b"!"}, "unexpected"),
        ({"uploads/ab/abc": b"no database"}, "holds no database"),
    ],
)
def test_an_archive_with_unexpected_members_is_refused(tmp_path, members, message):
    archive = _tar(tmp_path / "a.tar", members, _manifest(members))
    with pytest.raises(backup.BackupError, match=message):
        backup.verify_archive(archive, {"uploads", "reports"})


def test_members_outside_the_manifest_are_refused(tmp_path):
    listed = {"database/fundtracker.sqlite": b"db"}
    archive = _tar(tmp_path / "a.tar", {**listed, "uploads/ab/abc": b"extra"}, _manifest(listed))
    with pytest.raises(backup.BackupError, match="does not match its manifest"):
        backup.verify_archive(archive, {"uploads"})


@pytest.mark.parametrize("content", [b"", b"not a tar at all" * 100])
def test_something_else_is_not_taken_for_an_archive(tmp_path, content):
    path = tmp_path / "x.tar"
    path.write_bytes(content)
    with pytest.raises(backup.BackupError):
        backup.verify_archive(path, {"uploads"})
    without = _tar(tmp_path / "y.tar", {"database/fundtracker.sqlite": b"db"})
    with pytest.raises(backup.BackupError, match="no manifest.json"):
        backup.verify_archive(without, {"uploads"})


def test_restore_refuses_an_in_memory_database(engine, folders, tmp_path):
    made = _make(engine, folders, tmp_path / "out")
    memory = create_engine("sqlite://")
    with pytest.raises(backup.BackupError, match="in-memory"):
        backup.restore(memory, {"uploads": tmp_path / "u", "reports": tmp_path / "r"}, made.path)
    assert not (tmp_path / "u").exists()


def test_restore_refuses_a_database_of_another_kind(engine, folders, tmp_path, monkeypatch):
    made = _make(engine, folders, tmp_path / "out")
    target = create_engine(f"sqlite:///{tmp_path / 'target.sqlite'}")
    monkeypatch.setattr(backup, "database_kind", lambda _engine: "postgresql")
    with pytest.raises(backup.BackupError, match="holds a sqlite database; this app uses"):
        backup.restore(target, {"uploads": tmp_path / "u", "reports": tmp_path / "r"}, made.path)


def test_restore_into_an_empty_sqlite_file_and_folders(engine, folders, tmp_path):
    made = _make(engine, folders, tmp_path / "out")
    target = create_engine(f"sqlite:///{tmp_path / 'new' / 'db.sqlite'}")
    new = {"uploads": tmp_path / "new" / "uploads", "reports": tmp_path / "new" / "reports"}
    restored = backup.restore(target, new, made.path)
    assert restored.tables == {"alembic_version": 1, "things": 3}
    assert restored.mismatches == {}
    assert restored.files == {"uploads": 1, "reports": 1}
    assert (new["uploads"] / "ab" / "abcdef").read_bytes() == b"an upload"
    assert sorted(p.name for p in new["reports"].iterdir()) == ["0123.pdf"]
    target.dispose()


def test_libpq_gets_the_password_from_the_environment_only(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    env = backup.pg_environment(make_url("postgresql+psycopg://fund:s3cret@db.local:5433/ft"))
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.local",
        "5433",
        "fund",
        "ft",
    )
    assert env["PGPASSWORD"] == "s3cret"
    socket = backup.pg_environment(make_url("postgresql+psycopg://fund@/ft?host=/run/pg"))
    assert socket["PGHOST"] == "/run/pg" and "PGPASSWORD" not in socket
