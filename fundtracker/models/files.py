"""Uploaded files: stored outside the web root under random names, served only through a view
that checks access to the object that owns them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from fundtracker.models.delivery import MilestoneUpdate
    from fundtracker.models.inkind import InKindDelivery
    from fundtracker.models.payments import PaymentRequest
    from fundtracker.models.project import Project
    from fundtracker.models.user import User


class FileKind(enum.StrEnum):
    DOCUMENT = "document"  # a project document: agreement, plan, report
    EVIDENCE = "evidence"  # attached to a milestone update


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every file belongs to a project: access to the file is access to the project.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    milestone_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone_updates.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FileKind] = mapped_column(str_enum(FileKind, "file_kind"))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    project: Mapped[Project] = relationship()
    milestone_update: Mapped[MilestoneUpdate | None] = relationship(back_populates="files")
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    # Evidence of receipt of an in-kind delivery, an invoice of a payment request (issue #21):
    # kind EVIDENCE, linked through their own tables (so `stored_files` is not rebuilt).
    receipt_of: Mapped[list[InKindDelivery]] = relationship(
        secondary="inkind_delivery_files", viewonly=True
    )
    invoice_of: Mapped[list[PaymentRequest]] = relationship(
        secondary="payment_request_files", viewonly=True
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
