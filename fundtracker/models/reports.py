"""Stored PDF reports: what was asked for, the fingerprint of the data it was built from, where
the build stands, and the file once it is built."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from fundtracker.models.project import Project
    from fundtracker.models.reference import ProgrammeArea, Region
    from fundtracker.models.user import User


class ReportKind(enum.StrEnum):
    BOARD = "board"  # the portfolio impact report for the board
    PROJECT = "project"  # one project, for officers and its grantee


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    DONE = "done"
    FAILED = "failed"


class StoredReport(Base):
    """A report asked for (or built on schedule). A report whose fingerprint matches the data as
    it is now is served again without being rebuilt."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        CheckConstraint(
            "(kind = 'project' AND project_id IS NOT NULL) OR (kind = 'board')",
            name="project_report_has_project",
        ),
        CheckConstraint("locale IN ('kk', 'ru', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"), index=True)
    locale: Mapped[str] = mapped_column(String(2))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("programme_areas.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the parameters, the language, the template version and the report's data.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # SHA-256 of the parameters, the template version, the day and the data version at which the
    # report was last found current: while that stamp is the same, the report is served without
    # working its data out again (see fundtracker.core.data_version).
    data_stamp: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_status"), default=ReportStatus.QUEUED, index=True
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    # The PDF, once built: a random name under the reports folder, outside the web root.
    storage_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int | None] = mapped_column(Integer)
    # Built by the monthly job: board members are told when it is ready.
    scheduled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A scheduled report's identity while it is not failed (schedule_key_of: kind, language,
    # dates, area, region, project): unique, so that two schedulers starting together queue it
    # once. None for reports asked for by someone, and for failed ones (the next may be queued).
    schedule_key: Mapped[str | None] = mapped_column(String(100), index=True, unique=True)
    # Builds started: claiming a report counts one. A build that fails, or is abandoned (its
    # lease ran out: the process died), is queued again until REPORT_MAX_ATTEMPTS, then failed.
    # The count also tells a builder whether the report is still its own (fundtracker.pdf.jobs).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # While building: when the build counts as abandoned unless its heartbeat renews the lease.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The id of the request (or scheduler run) that queued it: the builder's log lines carry it.
    request_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project | None] = relationship()
    area: Mapped[ProgrammeArea | None] = relationship()
    region: Mapped[Region | None] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def is_board(self) -> bool:
        return self.kind == ReportKind.BOARD

    @property
    def is_ready(self) -> bool:
        return self.status == ReportStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == ReportStatus.FAILED

    def __repr__(self) -> str:
        return f"<StoredReport {self.id} {self.kind} {self.status}>"
