"""What an operator does with the stored files as a whole (`flask storage …`): copy them from
one backend to the other when moving to several app machines (or back), and check that every
file a row names is there with the SHA-256 the row recorded."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core import storage
from fundtracker.models import ApplicationFile, StoredFile, StoredReport


def storages(backend: str, session: Session) -> list[storage.Storage]:
    """The uploads' and the reports' storage of `backend`, on this app's folders (never
    trimmed: when copying, the folders may be the files themselves)."""
    made = [storage.file_storage(session, backend), storage.report_storage(session, backend)]
    for each in made:
        if isinstance(each, storage.DatabaseStorage):
            each.cache_bytes = 0
    return made


@dataclass
class Copied:
    copied: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    vanished: dict[str, int] = field(default_factory=dict)


def copy(session: Session, source: str, target: str, commit: Callable[[], None]) -> Copied:
    """Copy every file of backend `source` that backend `target` lacks, committing after each
    (a copy cut short is taken up again where it stopped). The source is left as it was; files
    that were listed but gone when read are counted as vanished."""
    done = Copied()
    for src, dst in zip(storages(source, session), storages(target, session), strict=True):
        done.copied[src.area] = done.present[src.area] = done.vanished[src.area] = 0
        for key in list(src.keys()):
            if dst.exists(key):
                done.present[src.area] += 1
                continue
            try:
                _copy_one(src, dst, key)
            except FileNotFoundError:
                session.rollback()
                done.vanished[src.area] += 1
                continue
            commit()
            done.copied[src.area] += 1
    return done


def _copy_one(src: storage.Storage, dst: storage.Storage, key: str) -> None:
    pieces = src.chunks(key)
    if pieces is None:
        raise FileNotFoundError(key)
    if isinstance(dst, storage.DatabaseStorage):  # the source file stays where it is
        dst.put_chunks(key, pieces)
        return
    fd, tmp = tempfile.mkstemp(dir=dst.scratch(), prefix=".copy-", suffix=".part")
    try:
        with open(fd, "wb") as out:
            for piece in pieces:
                out.write(piece)
        dst.put(key, Path(tmp))
    finally:
        Path(tmp).unlink(missing_ok=True)


@dataclass
class Checked:
    files: int = 0
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.damaged


def check(session: Session) -> Checked:
    """Every stored file, application file and built report against the storage in use: is the
    file there, and is its SHA-256 the one recorded when it was stored?"""
    uploads, reports = storage.file_storage(session), storage.report_storage(session)
    named = [
        (uploads, f"file {row.id}", row.storage_key, row.sha256)
        for row in session.scalars(select(StoredFile).order_by(StoredFile.id))
    ]
    named += [
        (uploads, f"application file {row.id}", row.storage_key, row.sha256)
        for row in session.scalars(select(ApplicationFile).order_by(ApplicationFile.id))
    ]
    named += [
        (reports, f"report {row.id}", row.storage_key, row.sha256)
        for row in session.scalars(
            select(StoredReport)
            .where(StoredReport.storage_key.is_not(None))
            .order_by(StoredReport.id)
        )
    ]
    checked = Checked()
    for where, label, key, sha256 in named:
        checked.files += 1
        pieces = where.chunks(key)
        digest = hashlib.sha256()
        try:
            if pieces is None:
                raise FileNotFoundError(key)
            for piece in pieces:
                digest.update(piece)
        except FileNotFoundError:
            checked.missing.append(label)
            continue
        if sha256 and digest.hexdigest() != sha256:
            checked.damaged.append(label)
    return checked
