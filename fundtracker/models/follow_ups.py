"""Follow-ups after closure (issue #21): months after a project closes, its organisation says
whether the service still runs, how many people it served in the last year (with the breakdowns
the outcome results use: region, sex, age group) and tells a story; the fund's officer accepts
the answer or returns it.

Only aggregate figures are kept, as for outcome results: a count of people per region, sex or
age group, never a person's record.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.core.crypto import EncryptedText
from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum
from fundtracker.models.outcomes import Dimension

if TYPE_CHECKING:
    from fundtracker.models.project import Project
    from fundtracker.models.user import User


class FollowUpStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # with the grantee, not answered yet
    SUBMITTED = "submitted"  # waits for the officer
    RETURNED = "returned"  # sent back with a comment: with the grantee again
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"  # the project was reopened before it was answered


class FollowUp(TimestampMixin, Base):
    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("months_after >= 1 AND months_after <= 120", name="months_range"),
        CheckConstraint("people_served >= 0", name="people_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    months_after: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[FollowUpStatus] = mapped_column(
        str_enum(FollowUpStatus, "follow_up_status"), default=FollowUpStatus.SCHEDULED, index=True
    )
    # The answers: None until given.
    still_running: Mapped[bool | None] = mapped_column(Boolean)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    stopped_why: Mapped[str] = mapped_column(Text, default="")
    people_served: Mapped[int | None] = mapped_column(Integer)
    # A story may tell of a child and their health: encrypted at rest, as impact stories are.
    story: Mapped[str] = mapped_column(EncryptedText, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    cells: Mapped[list[FollowUpCell]] = relationship(
        back_populates="follow_up", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    def breakdown(self, dimension: Dimension) -> dict[str, int]:
        return {c.category: c.value for c in self.cells if c.dimension == dimension}


class FollowUpCell(Base):
    """One cell of a follow-up's breakdown of the people served in the last year."""

    __tablename__ = "follow_up_cells"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[Dimension] = mapped_column(
        str_enum(Dimension, "breakdown_dimension"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    follow_up: Mapped[FollowUp] = relationship(back_populates="cells")
