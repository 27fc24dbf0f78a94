"""Impact stories, with photos stripped of their metadata; only those with consent go into
reports."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions
from fundtracker.models import FileKind, ImpactStory, Project, User
from fundtracker.services import files as file_service
from fundtracker.services import uploads
from fundtracker.services.errors import DomainError, NotAllowed

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def strip_metadata(stream: BinaryIO, filename: str) -> io.BytesIO:
    """A JPEG or PNG photo re-encoded with its pixels only: no EXIF (camera, GPS location, time),
    no XMP, no comments, the camera's orientation applied; within the upload limits on bytes
    and pixels (services.uploads, which does the same to every picture it stores)."""
    limits = uploads.current_limits()
    data = stream.read(limits.image_bytes + 1)
    if len(data) > limits.image_bytes:
        raise file_service.UploadRejected(uploads.too_large(filename, limits.image_bytes))
    image_format = next(
        (k.image_format for k in (uploads.JPEG, uploads.PNG) if data.startswith(k.signature)), None
    )
    if image_format is None:
        raise file_service.UploadRejected(uploads.PHOTOS.refusal(filename))
    return io.BytesIO(uploads.clean_image(data, filename, limits, image_format))


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
        # Stored as every picture is: checked on its header, then re-encoded without metadata.
        story.photo = file_service.store(
            session,
            storage,
            actor,
            project,
            photo,
            photo_name,
            FileKind.DOCUMENT,
            accept=uploads.PHOTOS,
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
