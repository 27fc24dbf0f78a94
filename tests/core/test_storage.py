"""The storage backends (fundtracker.core.storage) pass one test set: the folder and the database
that several app machines share. What only the database does is tested after it: files that
come and go with their transaction, a second machine that reads what the first stored, a cache
kept to its size, copying between backends and checking every file a row names."""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from sqlalchemy import func, select

from fundtracker import create_app
from fundtracker.core import storage, storage_admin
from fundtracker.core.extensions import db
from fundtracker.models import StoredBlob
from fundtracker.pdf import service as reports
from tests import factories

SIZES = [1, 1000, storage.PIECE - 1, storage.PIECE, 2 * storage.PIECE + 123]


def content(size: int) -> bytes:
    return (hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1))[:size]


def key(n: int = 0) -> str:
    return f"{n:02d}" + "ab" * 19


@pytest.fixture(params=["uploads", "reports"])
def store(request):
    return storage.file_storage() if request.param == "uploads" else storage.report_storage()


def whole(store: storage.Storage, k: str) -> bytes | None:
    pieces = store.chunks(k)
    return None if pieces is None else b"".join(pieces)


@pytest.mark.usefixtures("each_storage")
@pytest.mark.parametrize("size", SIZES)
def test_a_stored_file_reads_back_whole(store, size):
    data = content(size)
    store.put_bytes(key(), data)
    assert store.exists(key())
    assert whole(store, key()) == data
    assert store.local_path(key()).read_bytes() == data
    assert key() in set(store.keys())


@pytest.mark.usefixtures("each_storage")
def test_a_file_moved_into_storage_leaves_no_source_behind(store, tmp_path):
    source = tmp_path / "checked.part"
    source.write_bytes(b"evidence")
    store.put(key(), source)
    assert not source.exists()
    assert whole(store, key()) == b"evidence"


@pytest.mark.usefixtures("each_storage")
def test_an_unknown_key_is_nothing(store):
    assert not store.exists(key(9))
    assert store.local_path(key(9)) is None
    assert store.chunks(key(9)) is None


@pytest.mark.usefixtures("each_storage")
def test_discarding_what_a_failed_transaction_wrote_leaves_nothing(store):
    nested = db.session.begin_nested()
    store.put_bytes(key(), b"draft evidence")
    nested.rollback()
    store.discard([key()])
    assert not store.exists(key())
    assert store.local_path(key()) is None
    assert key() not in set(store.keys())


@pytest.mark.usefixtures("each_storage")
def test_a_file_forgotten_and_committed_is_gone(store):
    store.put_bytes(key(), b"to be detached")
    db.session.commit()
    store.forget(key())
    db.session.commit()
    store.discard([key()])
    assert not store.exists(key())
    assert store.local_path(key()) is None


@pytest.mark.usefixtures("each_storage")
def test_nginx_is_pointed_at_the_name_the_file_has_in_the_folder(store):
    store.put_bytes(key(), b"x")
    path = store.local_path(key())
    assert path == store.root / store.name(key())
    assert path.relative_to(store.root).as_posix() == store.name(key())


# What only the database backend does ----------------------------------------------------------


@pytest.fixture
def shared(app, tmp_path):
    """The database backend alone."""
    saved = {name: app.config.get(name) for name in ("STORAGE_BACKEND", "UPLOAD_FOLDER")}
    app.config.update(STORAGE_BACKEND="database", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    saved["REPORTS_FOLDER"] = app.config.get("REPORTS_FOLDER")
    app.config["REPORTS_FOLDER"] = str(tmp_path / "reports")
    try:
        yield
    finally:
        app.config.update(saved)


def other_machine(store: storage.Storage, folder) -> storage.DatabaseStorage:
    return storage.DatabaseStorage(
        root=folder, area=store.area, name=store.name, session=db.session
    )


def pieces(store: storage.Storage, k: str) -> list[int]:
    return [
        len(data)
        for data in db.session.scalars(
            select(StoredBlob.data)
            .where(StoredBlob.area == store.area, StoredBlob.key == k)
            .order_by(StoredBlob.seq)
        )
    ]


@pytest.mark.usefixtures("shared")
def test_a_file_is_kept_in_pieces_of_at_most_a_mebibyte(store):
    store.put_bytes(key(), content(2 * storage.PIECE + 123))
    assert pieces(store, key()) == [storage.PIECE, storage.PIECE, 123]


@pytest.mark.usefixtures("shared")
def test_a_rolled_back_transaction_takes_its_files_with_it(store):
    nested = db.session.begin_nested()
    store.put_bytes(key(), b"never committed")
    nested.rollback()
    assert pieces(store, key()) == []
    assert not other_machine(store, store.root.parent / "other").exists(key())


@pytest.mark.usefixtures("shared")
def test_another_machine_serves_what_one_stored(store, tmp_path):
    data = content(storage.PIECE + 5)
    store.put_bytes(key(), data)
    db.session.commit()
    second = other_machine(store, tmp_path / "second")
    assert not second.path(key()).exists()
    assert second.local_path(key()).read_bytes() == data  # fetched from the database
    assert second.path(key()).read_bytes() == data  # and kept there for nginx to send


@pytest.mark.usefixtures("shared")
def test_the_cache_keeps_to_its_size_dropping_the_copies_used_longest_ago(store, tmp_path):
    second = other_machine(store, tmp_path / "second")
    second.cache_bytes = 3 * 1000
    for n in range(5):
        store.put_bytes(key(n), content(1000))
    db.session.commit()
    long_ago = time.time() - 3600
    for n in range(4):
        path = second.local_path(key(n))
        os.utime(path, (long_ago + n, long_ago + n))
    second.local_path(key(4))
    kept = {n for n in range(5) if second.path(key(n)).exists()}
    assert kept == {2, 3, 4}
    assert second.local_path(key(0)).read_bytes() == content(1000)  # fetched again


@pytest.mark.usefixtures("shared")
def test_copies_used_in_the_last_minutes_are_never_dropped(store, tmp_path):
    second = other_machine(store, tmp_path / "second")
    second.cache_bytes = 1000
    for n in range(3):
        store.put_bytes(key(n), content(1000))
        second.local_path(key(n))
    assert all(second.path(key(n)).exists() for n in range(3))


# Copying between backends and checking -----------------------------------------------------


@pytest.mark.usefixtures("each_storage")
def test_copy_moves_every_file_to_the_other_backend_and_the_check_passes(app, grantee, tmp_path):
    backend = app.config["STORAGE_BACKEND"]
    other = "database" if backend == "local" else "local"
    project = factories.ProjectFactory(organisation=grantee.organisation)
    stored = factories.stored_file(project, grantee)
    pdf_key, sha256 = reports.store_pdf(factories.PDF_BYTES)
    factories.StoredReportFactory(storage_key=pdf_key, sha256=sha256)
    db.session.commit()
    if backend == "database":  # a machine whose folders hold no copies yet
        app.config.update(UPLOAD_FOLDER=str(tmp_path / "u2"), REPORTS_FOLDER=str(tmp_path / "r2"))
    done = storage_admin.copy(db.session, backend, other, db.session.commit)
    assert done.copied == {"uploads": 1, "reports": 1}
    again = storage_admin.copy(db.session, backend, other, db.session.commit)
    assert again.copied == {"uploads": 0, "reports": 0}
    assert again.present == {"uploads": 1, "reports": 1}
    app.config["STORAGE_BACKEND"] = other
    assert whole(storage.file_storage(), stored.storage_key) == factories.PDF_BYTES
    assert whole(storage.report_storage(), pdf_key) == factories.PDF_BYTES
    assert storage_admin.check(db.session).ok


@pytest.mark.usefixtures("each_storage")
def test_the_check_names_missing_and_damaged_files(app, grantee):
    project = factories.ProjectFactory(organisation=grantee.organisation)
    gone, damaged, sound = (factories.stored_file(project, grantee) for _ in range(3))
    files = storage.file_storage()
    files.forget(gone.storage_key)
    files.discard([gone.storage_key])
    damaged.sha256 = "0" * 64
    db.session.flush()
    checked = storage_admin.check(db.session)
    assert f"file {gone.id}" in checked.missing
    assert f"file {damaged.id}" in checked.damaged
    assert f"file {sound.id}" not in checked.missing + checked.damaged
    assert not checked.ok


@pytest.mark.usefixtures("each_storage")
def test_flask_storage_check_exits_1_naming_a_missing_file(app, grantee):
    project = factories.ProjectFactory(organisation=grantee.organisation)
    gone = factories.stored_file(project, grantee)
    files = storage.file_storage()
    files.forget(gone.storage_key)
    files.discard([gone.storage_key])
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 1
    assert f"missing: file {gone.id}" in result.output


def test_an_unknown_backend_is_refused_at_start():
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND is one of: local, database"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", STORAGE_BACKEND="s3")


@pytest.mark.usefixtures("each_storage")
def test_the_database_holds_no_piece_of_a_folder_backend_file(app, store):
    store.put_bytes(key(), b"x")
    count = db.session.scalar(select(func.count()).select_from(StoredBlob))
    assert count == (1 if app.config["STORAGE_BACKEND"] == "database" else 0)


def test_copying_to_the_database_leaves_every_source_file_in_place(app, grantee, tmp_path):
    """The folders are the files themselves before the switch: copying must neither move nor
    trim them, however small the cache the database backend would keep."""
    app.config.update(
        STORAGE_BACKEND="local",
        STORAGE_CACHE_MB=1,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        REPORTS_FOLDER=str(tmp_path / "reports"),
    )
    try:
        project = factories.ProjectFactory(organisation=grantee.organisation)
        big = [content(400_000 + n) for n in range(6)]
        keys = []
        for n, data in enumerate(big):
            storage.file_storage().put_bytes(key(n), data)
            keys.append(key(n))
        before = {k: storage.file_storage().path(k).stat() for k in keys}
        done = storage_admin.copy(db.session, "local", "database", db.session.commit)
        assert done.copied["uploads"] == 6 and done.vanished["uploads"] == 0
        for n, k in enumerate(keys):
            path = storage.file_storage().path(k)
            assert path.read_bytes() == big[n]
            assert path.stat().st_ino == before[k].st_ino  # the same file, not a copy
        app.config["STORAGE_BACKEND"] = "database"
        for n, k in enumerate(keys):
            assert whole(storage.file_storage(), k) == big[n]
        assert project.id
    finally:
        app.config.update(STORAGE_BACKEND="local", STORAGE_CACHE_MB=2048)


@pytest.mark.usefixtures("shared")
def test_storing_a_pdf_does_not_make_the_data_look_changed(app):
    from fundtracker.core import data_version

    before = data_version.current(db.session)
    reports.store_pdf(factories.PDF_BYTES)
    db.session.commit()
    assert data_version.current(db.session) == before


@pytest.mark.usefixtures("each_storage")
def test_a_stored_file_is_readable_by_its_group_and_nobody_else(store, tmp_path):
    """nginx's user reads the files through the app's group (README: production); other users
    of the machine read nothing: they hold children's health data."""
    store.put_bytes(key(), b"evidence")
    assert store.local_path(key()).stat().st_mode & 0o777 == 0o640
    if isinstance(store, storage.DatabaseStorage):  # a second machine's copy too
        second = other_machine(store, tmp_path / "second")
        assert second.local_path(key()).stat().st_mode & 0o777 == 0o640
