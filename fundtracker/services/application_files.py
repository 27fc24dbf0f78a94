"""Attachments of applications: the same checks as every upload (size-limited, verified whole
by content in services.uploads, random names outside the web root, SHA-256), owned by an
application rather than a project."""

from __future__ import annotations

from typing import BinaryIO

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
    write_checked,
)

__all__ = ["attach", "detach", "discard", "UploadRejected"]


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
    key, mime, size, sha256 = write_checked(storage, stream, filename)
    stored = ApplicationFile(
        application=application,
        document=document if application.call.is_document(document) else "",
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
    storage.forget(key)
    stored.application.files.remove(stored)  # delete-orphan removes the row
    session.flush()
    return key
