"""Impact stories, with photos stripped of their metadata; only those with consent go into
reports."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions
from fundtracker.models import FileKind, ImpactStory, Project, User
from fundtracker.services import files as file_service
from fundtracker.services.errors import DomainError, NotAllowed

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def strip_metadata(stream: BinaryIO, filename: str) -> io.BytesIO:
    """Re-encode a JPEG or PNG photo with its pixels only: no EXIF (camera, GPS location, time),
    no XMP, no comments. The orientation the camera recorded is applied first."""
    try:
        with Image.open(stream) as image:
            fmt = image.format
            if fmt not in PHOTO_FORMATS:
                raise file_service.UploadRejected(
                    _l("%(name)s is not a JPEG or PNG photo.", name=filename)
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise file_service.UploadRejected(
            _l("%(name)s is not a JPEG or PNG photo.", name=filename)
        ) from None
    out = io.BytesIO()
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    out.seek(0)
    return out


@dataclass
class StoryData:
    title: str
    body: str
    consent: bool = False


def add_story(
    session: Session,
    storage: file_service.Storage,
    actor: User,
    project: Project,
    data: StoryData,
    photo: BinaryIO | None = None,
    photo_name: str = "",
) -> ImpactStory:
    """A story, with an optional photo stored without its metadata. Raises UploadRejected for a
    file that is not a photo."""
    if not permissions.can_add_story(actor, project):
        raise NotAllowed(_l("You cannot add a story to this project."))
    title, body = data.title.strip(), data.body.strip()
    if not title:
        raise DomainError(_l("Give the story a title."), field="title")
    if not body:
        raise DomainError(_l("Write the story."), field="body")
    story = ImpactStory(
        project=project, title=title, body=body, consent=data.consent, author_id=actor.id
    )
    if photo is not None:
        clean = strip_metadata(photo, photo_name)
        story.photo = file_service.store(
            session, storage, actor, project, clean, photo_name, FileKind.DOCUMENT
        )
    session.add(story)
    session.flush()
    return story


def stories(session: Session, project: Project, *, for_report: bool = False) -> list[ImpactStory]:
    """A project's stories; in reports (PDFs, board views, exports) only those with consent."""
    return stories_of(session, [project.id], for_report=for_report)


def stories_of(
    session: Session, project_ids: list[int], *, for_report: bool = False
) -> list[ImpactStory]:
    """The stories of several projects at once (newest first), with the same consent rule."""
    query = (
        select(ImpactStory)
        .where(ImpactStory.project_id.in_(project_ids))
        .options(selectinload(ImpactStory.photo))
    )
    if for_report:
        query = query.where(ImpactStory.consent.is_(True))
    return list(session.scalars(query.order_by(ImpactStory.id.desc())))
