"""Attachments of applications: the same checks as every upload (by content, size-limited,
random names outside the web root, SHA-256), owned by an application rather than a project."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import Application, ApplicationFile, User
from fundtracker.services.errors import NotAllowed
from fundtracker.services.files import (
    ALLOWED_TYPES,
    Storage,
    UploadRejected,
    discard,
    safe_filename,
)

_CHUNK = 64 * 1024

__all__ = ["attach", "detach", "discard", "UploadRejected"]


def _write_checked(storage: Storage, stream: BinaryIO, filename: str) -> tuple[str, str, int, str]:
    """Write the upload under a random name; return (key, mime type, size, sha256). Raises
    UploadRejected, leaving nothing behind, for an empty, oversized or unaccepted file."""
    storage.root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=storage.root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > storage.max_bytes:
                    raise UploadRejected(
                        _l(
                            "%(name)s is larger than %(mb)d MB.",
                            name=filename,
                            mb=storage.max_bytes // (1024 * 1024),
                        )
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRejected(_l("%(name)s is empty.", name=filename))
        guess = filetype.guess(str(tmp))
        mime = guess.mime if guess else None
        if mime not in ALLOWED_TYPES:
            raise UploadRejected(
                _l("%(name)s is not a PDF, Word, Excel, JPEG or PNG file.", name=filename)
            )
        key = secrets.token_hex(20)
        target = storage.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return key, mime, size, digest.hexdigest()


def attach(
    session: Session,
    storage: Storage,
    actor: User,
    application: Application,
    stream: BinaryIO,
    filename: str,
    document: str = "",
) -> ApplicationFile:
    if not permissions.can_edit_application(actor, application):
        raise NotAllowed(_l("This application cannot be changed now."))
    key, mime, size, sha256 = _write_checked(storage, stream, filename)
    stored = ApplicationFile(
        application=application,
        document=document if document in application.call.documents else "",
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


def detach(session: Session, storage: Storage, actor: User, stored: ApplicationFile) -> str:
    """Remove an attachment from a draft; returns the storage key to delete after the commit."""
    if not permissions.can_edit_application(actor, stored.application):
        raise NotAllowed(_l("This application cannot be changed now."))
    key = stored.storage_key
    stored.application.files.remove(stored)  # delete-orphan removes the row
    session.flush()
    return key
