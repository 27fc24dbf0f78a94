"""Storing uploaded files: size-limited, checked whole by their content (services.uploads),
under random names outside the web root, with their SHA-256. Deleting only marks a file; an
officer can restore it."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.storage import Storage
from fundtracker.models import FileKind, MilestoneUpdate, Project, StoredFile, User, utcnow
from fundtracker.services import events, uploads
from fundtracker.services.errors import NotAllowed
from fundtracker.services.uploads import UploadRejected

# What we accept, judged by content; the extension we give the stored name.
ALLOWED_TYPES = {mime: kind.extension for mime, kind in uploads.KINDS.items()}
_CHUNK = 64 * 1024


def safe_filename(name: str, extension: str) -> str:
    """The user's file name without directories or control characters, keeping Cyrillic, with the
    extension that matches its content."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[:150] or "file"
    return f"{stem}{extension}"


def write_checked(
    storage: Storage, stream: BinaryIO, filename: str, accept: uploads.Accept = uploads.ANY
) -> tuple[str, str, int, str]:
    """Write an upload under a random name; return (key, mime type, size, sha256). Raises
    UploadRejected, leaving nothing behind, for an empty, oversized or unaccepted file: the kind
    is verified on the written file itself (a picture is replaced there by its clean
    re-encoding), and that same file is what is kept and hashed."""
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=storage.scratch(), prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > storage.max_bytes:
                    raise UploadRejected(uploads.too_large(filename, storage.max_bytes))
                out.write(chunk)
        if size == 0:
            raise UploadRejected(_l("%(name)s is empty.", name=filename))
        kind = uploads.check(tmp, filename, accept)
        digest = hashlib.sha256()
        size = 0
        with tmp.open("rb") as kept:
            while chunk := kept.read(_CHUNK):
                size += len(chunk)
                digest.update(chunk)
        key = secrets.token_hex(20)
        storage.put(key, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return key, kind.mime, size, digest.hexdigest()


def store(
    session: Session,
    storage: Storage,
    actor: User,
    project: Project,
    stream: BinaryIO,
    filename: str,
    kind: FileKind,
    update: MilestoneUpdate | None = None,
    accept: uploads.Accept = uploads.ANY,
) -> StoredFile:
    """Check and store one upload of a kind `accept` takes; raises UploadRejected with a message
    for the user."""
    key, mime, size, sha256 = write_checked(storage, stream, filename, accept)
    stored = StoredFile(
        project_id=project.id,
        milestone_update=update,
        kind=kind,
        storage_key=key,
        original_name=safe_filename(filename, ALLOWED_TYPES[mime]),
        content_type=mime,
        size=size,
        sha256=sha256,
        uploaded_by_id=actor.id,
    )
    session.add(stored)
    session.flush()
    return stored


@dataclass
class Upload:
    """A file as it came from the user, before it is checked and stored."""

    stream: BinaryIO
    filename: str


def store_each(
    storage: Storage, incoming: Iterable[Upload], store_one: Callable[[Upload], object]
) -> tuple[list[str], list]:
    """Store each upload with `store_one` (which returns the stored row, with its storage_key, or
    raises UploadRejected); returns the keys written, to discard if the transaction fails, and
    the messages saying why the others were refused. A failure of another kind leaves no file
    behind."""
    stored: list[str] = []
    rejected: list = []
    try:
        for upload in incoming:
            try:
                stored.append(store_one(upload).storage_key)
            except UploadRejected as error:
                rejected.append(error.message)
    except BaseException:
        discard(storage, stored)
        raise
    return stored, rejected


def discard(storage: Storage, keys: list[str]) -> None:
    """Remove files stored during a transaction that was rolled back, so none is orphaned (or
    forgotten by one that committed)."""
    storage.discard(keys)


def delete(session: Session, actor: User, stored: StoredFile) -> None:
    if not permissions.can_delete_file(actor, stored):
        raise NotAllowed(_l("You may not delete this file."))
    stored.deleted_at = utcnow()
    stored.deleted_by_id = actor.id
    events.record(session, stored.project, actor, "file_deleted", name=stored.original_name)
    session.flush()


def restore(session: Session, actor: User, stored: StoredFile) -> None:
    if not permissions.can_restore_file(actor, stored):
        raise NotAllowed(_l("You may not restore this file."))
    stored.deleted_at = None
    stored.deleted_by_id = None
    events.record(session, stored.project, actor, "file_restored", name=stored.original_name)
    session.flush()
