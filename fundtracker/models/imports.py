"""Imports of an existing portfolio (issue #24): one row per uploaded workbook or bank statement,
from its check (the preview) to its application in one transaction."""

from __future__ import annotations

import base64
import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.core.crypto import EncryptedText
from fundtracker.models.base import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from fundtracker.models.user import User


class ImportKind(enum.StrEnum):
    WORKBOOK = "workbook"  # the portfolio template (XLSX, or one CSV per sheet)
    BANK = "bank"  # a bank or 1C statement: payments matched to approved tranches


class ImportStatus(enum.StrEnum):
    CHECKED = "checked"  # previewed; nothing written yet
    QUEUED = "queued"  # confirmed, waiting for the scheduler
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # nothing written: see problems / error
    DISCARDED = "discarded"  # the officer dropped it after the preview


class ImportBatch(Base):
    """An uploaded file, what its check found and, once confirmed, what applying it did.

    The file itself is kept (`data`) so that the import applied is the one previewed (its
    SHA-256 is compared), and so the fund keeps what it imported. `problems` and `changes` hold
    message codes and parameters, not text, so each reader sees them in their own language."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind, "import_kind"))
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, "import_status"), default=ImportStatus.CHECKED, index=True
    )
    filename: Mapped[str] = mapped_column(String(255), default="")
    # The file, base64 and encrypted at rest (core.crypto): a workbook holds contacts and
    # children's figures. Read and written as bytes through `data`.
    content: Mapped[str | None] = mapped_column(EncryptedText)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A background run is leased like a report build, so a crashed one is taken back.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    # Rows to write and rows written, for the progress page.
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    # {sheet: {"create": n, "update": n, "unchanged": n}}
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"sheet", "row", "column", "code", "params"}]
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{"sheet", "row", "action", "key", "fields": {column: [old, new]}}], updates and creates
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Why a confirmed import failed (a problem code), when it did.
    error: Mapped[str] = mapped_column(String(64), default="")

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def data(self) -> bytes:
        return base64.b64decode(self.content) if self.content else b""

    @data.setter
    def data(self, value: bytes) -> None:
        self.content = base64.b64encode(value).decode("ascii")

    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
