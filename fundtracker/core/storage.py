"""Where the app keeps uploaded files and built report PDFs (issue #22 for the shared backend).

Two backends behind one interface, chosen by STORAGE_BACKEND:

- `local` (the default): folders outside the web root, UPLOAD_FOLDER (one subfolder per first
  two characters of the random key) and REPORTS_FOLDER. One app machine, or several sharing the
  folders over a network file system.
- `database`: every file is rows of `stored_blobs` (pieces of at most 1 MiB) in the database all
  app machines already share, written in the transaction of the row that names the file: a file
  and its row are committed, rolled back and backed up together (pg_dump holds both, in one
  snapshot). The two folders become this machine's cache of the files, filled when a file is
  first asked for here and trimmed to STORAGE_CACHE_MB, so that nginx still sends the bytes
  (X-Accel-Redirect) and a gunicorn worker does not.

Keys are random and a stored file is never rewritten, so a cached copy never goes stale.

What each backend does that differs:

- `put(key, source)`: store a whole, checked local file (moved, not copied, when it can be);
- `forget(key)`: inside the transaction that drops the last row naming the file: the database
  deletes its rows there (committed or rolled back with it); the folder does nothing, and the
  caller `discard`s the file once the transaction has committed;
- `discard(keys)`: after a transaction that wrote files did not commit, or one that forgot them
  did: the folder deletes them; the database has nothing to do (its rows went with the
  transaction) but to drop this machine's cached copies.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from fundtracker.models import StoredBlob as Piece

log = logging.getLogger(__name__)

BACKENDS = ("local", "database")
# Stored files: the app's user writes them, its group reads them (nginx's user is put in that
# group to send them), nobody else: they hold children's health data.
FILE_MODE = 0o640
PIECE = 1024 * 1024
_CHUNK = 64 * 1024
# A cached copy used within this long is not trimmed: nginx may be sending it.
_RECENT_SECONDS = 300
# Uploads between two trims of the folder after an upload (a cache miss always trims).
_TRIM_EVERY_PUTS = 50
_puts = 0


def upload_name(key: str) -> str:
    return f"{key[:2]}/{key}"


def report_name(key: str) -> str:
    return f"{key}.pdf"


@dataclass
class Storage:
    """The folder backend, and the interface of both."""

    root: Path
    max_bytes: int = 0
    area: str = "uploads"
    name: Callable[[str], str] = upload_name

    def path(self, key: str) -> Path:
        """Where the file of `key` is, or would be, in this machine's folder."""
        return self.root / self.name(key)

    def scratch(self) -> Path:
        """A folder for files being received and checked, on the same disk as the files."""
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def put(self, key: str, source: Path) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(source, FILE_MODE)
        os.replace(source, target)

    def put_bytes(self, key: str, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.scratch(), prefix=".put-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            self.put(key, Path(tmp))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def local_path(self, key: str) -> Path | None:
        """A file on this machine with the content of `key` (the file itself, or a cached copy),
        or None when there is no such file."""
        path = self.path(key)
        return path if path.is_file() else None

    def chunks(self, key: str) -> Iterator[bytes] | None:
        """The content of `key` a piece at a time, or None when it is not stored."""
        path = self.path(key)
        if not path.is_file():
            return None

        def read() -> Iterator[bytes]:
            with path.open("rb") as data:
                while piece := data.read(PIECE):
                    yield piece

        return read()

    def forget(self, key: str) -> None:
        """Nothing here: the caller discards the file after the commit."""

    def discard(self, keys: list[str]) -> None:
        for key in keys:
            self.path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """The keys of the files stored (for copying between backends)."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".part":
                key = path.name.removesuffix(".pdf")
                if self.path(key) == path:
                    yield key


@dataclass
class DatabaseStorage(Storage):
    """The database backend: `root` is this machine's cache of the files."""

    session: Session | None = None
    cache_bytes: int = 0

    def _where(self, key: str):
        return (Piece.area == self.area, Piece.key == key)

    def put(self, key: str, source: Path) -> None:
        with source.open("rb") as stream:
            self.put_chunks(key, iter(lambda: stream.read(PIECE), b""))
        # Kept as this machine's copy: it is likely to be asked for here first.
        super().put(key, source)
        global _puts
        _puts += 1
        if _puts % _TRIM_EVERY_PUTS == 0:  # a scan of the folder: not on every upload
            self._trim()

    def put_chunks(self, key: str, chunks: Iterable[bytes]) -> None:
        """Store the content `chunks` make up, in pieces of PIECE bytes (one, empty, for an
        empty file), in the session's transaction; no copy is kept on this machine."""
        seq = 0
        pending = b""
        for chunk in chunks:
            pending += chunk
            while len(pending) >= PIECE:
                self._insert(key, seq, pending[:PIECE])
                pending = pending[PIECE:]
                seq += 1
        if pending or seq == 0:
            self._insert(key, seq, pending)

    def _insert(self, key: str, seq: int, data: bytes) -> None:
        self.session.execute(insert(Piece).values(area=self.area, key=key, seq=seq, data=data))

    def exists(self, key: str) -> bool:
        found = self.session.scalar(select(func.count()).where(*self._where(key), Piece.seq == 0))
        return found > 0

    def local_path(self, key: str) -> Path | None:
        cached = self.path(key)
        try:
            os.utime(cached)  # recently used: the last to be trimmed
            return cached
        except FileNotFoundError:  # not here yet (or trimmed just now)
            pass
        pieces = self.chunks(key)
        if pieces is None:
            return None
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".cache-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in pieces:
                    out.write(piece)
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, cached)
        except FileNotFoundError:
            Path(tmp).unlink(missing_ok=True)
            return None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._trim(keep=cached)
        return cached

    def chunks(self, key: str) -> Iterator[bytes] | None:
        seqs = self.session.scalars(
            select(Piece.seq).where(*self._where(key)).order_by(Piece.seq)
        ).all()
        if not seqs:
            return None

        def read() -> Iterator[bytes]:
            for seq in seqs:  # a piece at a time: a large file is never whole in memory
                piece = self.session.scalar(
                    select(Piece.data).where(*self._where(key), Piece.seq == seq)
                )
                if piece is None:  # removed while being read
                    raise FileNotFoundError(f"{self.area}/{key}")
                yield piece

        return read()

    def forget(self, key: str) -> None:
        self.session.execute(delete(Piece).where(*self._where(key)))

    def discard(self, keys: list[str]) -> None:
        super().discard(keys)  # the cached copies; the rows went with their transaction

    def keys(self) -> Iterator[str]:
        yield from self.session.scalars(
            select(Piece.key).where(Piece.area == self.area, Piece.seq == 0).order_by(Piece.key)
        )

    def _trim(self, keep: Path | None = None) -> None:
        """Keep this machine's cache of the area under its share of STORAGE_CACHE_MB, dropping
        the copies used longest ago (never one used in the last minutes)."""
        if self.cache_bytes <= 0 or not self.root.is_dir():
            return
        copies = []
        total = 0
        for path in self.root.rglob("*"):
            try:  # another worker may trim or replace a copy meanwhile
                if path.name.startswith(".") or not path.is_file():
                    continue
                stat = path.stat()
            except FileNotFoundError:
                continue
            total += stat.st_size
            copies.append((stat.st_mtime, stat.st_size, path))
        if total <= self.cache_bytes:
            return
        recent = time.time() - _RECENT_SECONDS
        for mtime, size, path in sorted(copies, key=lambda copy: copy[0]):
            if total <= self.cache_bytes or mtime >= recent:
                break
            if path == keep:
                continue
            try:  # used since the scan (handed to nginx just now): kept
                if path.stat().st_mtime >= recent:
                    continue
                path.unlink()
            except FileNotFoundError:
                pass
            total -= size


def backend() -> str:
    return current_app.config.get("STORAGE_BACKEND") or "local"


def _make(
    area: str,
    root: Path,
    name: Callable[[str], str],
    max_bytes: int,
    session: Session | None,
    kind: str | None,
) -> Storage:
    if (kind or backend()) == "database":
        from fundtracker.core.extensions import db

        share = int(current_app.config.get("STORAGE_CACHE_MB") or 0) * 1024 * 1024 // 2
        return DatabaseStorage(
            root=root,
            max_bytes=max_bytes,
            area=area,
            name=name,
            session=session if session is not None else db.session,
            cache_bytes=share,
        )
    return Storage(root=root, max_bytes=max_bytes, area=area, name=name)


def file_storage(session: Session | None = None, kind: str | None = None) -> Storage:
    """Uploaded files (with the database backend, written in `session`, db.session by default);
    `kind` names a backend other than STORAGE_BACKEND's (copying between them)."""
    max_bytes = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    return _make("uploads", uploads_root(), upload_name, max_bytes, session, kind)


def report_storage(session: Session | None = None, kind: str | None = None) -> Storage:
    """Built report PDFs."""
    return _make("reports", reports_root(), report_name, 0, session, kind)


def uploads_root() -> Path:
    """Where uploaded files live (or, with the database backend, this machine's copies)."""
    return Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )


def reports_root() -> Path:
    """Where built report PDFs live (or, with the database backend, this machine's copies of
    them): outside the web root (the instance folder by default)."""
    return Path(
        current_app.config.get("REPORTS_FOLDER") or Path(current_app.instance_path) / "reports"
    )
