"""Delivering a project: budget lines, milestones, payment tranches, milestone updates from
grantees with their spending, and the comment thread on each milestone."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from fundtracker.models.board import AgendaItem
    from fundtracker.models.files import StoredFile
    from fundtracker.models.payments import PaymentRequest
    from fundtracker.models.project import Project
    from fundtracker.models.user import User


class BudgetCategory(enum.StrEnum):
    PERSONNEL = "personnel"
    MEDICINES = "medicines"
    EQUIPMENT = "equipment"
    SERVICES = "services"
    CONSTRUCTION = "construction"
    TRAINING = "training"
    TRAVEL = "travel"
    ADMINISTRATION = "administration"
    OTHER = "other"


class BudgetLine(Base):
    __tablename__ = "budget_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BudgetCategory] = mapped_column(str_enum(BudgetCategory, "budget_category"))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[int] = mapped_column(BigInteger)  # tiyn
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship(back_populates="budget_lines")

    __mapper_args__ = {"version_id_col": version_id}


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    ACCEPTED = "accepted"


class Milestone(TimestampMixin, Base):
    __tablename__ = "milestones"
    # Milestones are found by status, then a range of dates (overdue, due soon, waiting for
    # review, reminders): queries name the statuses they want (IN, not !=) so that this index
    # serves them. There is no index on the date alone: planners preferred it for its order
    # and read most of the table to find the few open milestones.
    __table_args__ = (
        Index("ix_milestones_status_due_date", "status", "due_date"),
        # The API's `updated_since` pages in (updated_at, id) order.
        Index("ix_milestones_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    deliverables: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[MilestoneStatus] = mapped_column(
        str_enum(MilestoneStatus, "milestone_status"), default=MilestoneStatus.PLANNED
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship(back_populates="milestones")
    tranche: Mapped[Tranche | None] = relationship(back_populates="milestone", uselist=False)
    updates: Mapped[list[MilestoneUpdate]] = relationship(
        back_populates="milestone", order_by="MilestoneUpdate.id", cascade="all, delete-orphan"
    )
    comments: Mapped[list[MilestoneComment]] = relationship(
        back_populates="milestone", order_by="MilestoneComment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    def is_overdue(self, today: date) -> bool:
        """Past its due date and still with the grantee (a submitted milestone is with the fund)."""
        return self.due_date < today and self.status in (
            MilestoneStatus.PLANNED,
            MilestoneStatus.REVISION_REQUESTED,
        )

    # States pages show (what a user may *do* comes from services.workflow.actions).
    @property
    def is_accepted(self) -> bool:
        return self.status == MilestoneStatus.ACCEPTED

    @property
    def revision_requested(self) -> bool:
        return self.status == MilestoneStatus.REVISION_REQUESTED

    def days_overdue(self, today: date) -> int:
        return (today - self.due_date).days if self.is_overdue(today) else 0


class TrancheStatus(enum.StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    PAID = "paid"


class Tranche(TimestampMixin, Base):
    """A payment to the grantee. One tied to a milestone is paid only for accepted work."""

    __tablename__ = "tranches"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("milestone_id"),
        Index("ix_tranches_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="SET NULL")
    )
    amount: Mapped[int] = mapped_column(BigInteger)  # tiyn
    planned_date: Mapped[date] = mapped_column(Date)
    status: Mapped[TrancheStatus] = mapped_column(
        str_enum(TrancheStatus, "tranche_status"), default=TrancheStatus.PLANNED, index=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship(back_populates="tranches")
    milestone: Mapped[Milestone | None] = relationship(back_populates="tranche")
    # Items of the board's agenda about it (issue #21): what the board decided of it.
    board_items: Mapped[list[AgendaItem]] = relationship(back_populates="tranche", viewonly=True)
    # The grantee's requests for it (issue #21), the latest last.
    payment_requests: Mapped[list[PaymentRequest]] = relationship(
        back_populates="tranche", order_by="PaymentRequest.id"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_planned(self) -> bool:
        return self.status == TrancheStatus.PLANNED

    @property
    def is_paid(self) -> bool:
        return self.status == TrancheStatus.PAID

    def hold_reason(self, today: date) -> str | None:
        """Why the tranche cannot be approved now, as a key the views translate; None if it can."""
        if self.status != TrancheStatus.PLANNED or self.milestone is None:
            return None
        if self.milestone.is_overdue(today):
            return "milestone_overdue"
        if self.milestone.status != MilestoneStatus.ACCEPTED:
            return "milestone_not_accepted"
        return None


class UpdateStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    ACCEPTED = "accepted"


class MilestoneUpdate(TimestampMixin, Base):
    """A grantee's report on a milestone: kept as a draft until submitted."""

    __tablename__ = "milestone_updates"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        CheckConstraint("beneficiaries >= 0", name="beneficiaries_not_negative"),
        # One draft per milestone, shared by the organisation's people.
        Index(
            "ix_milestone_updates_one_draft",
            "milestone_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[UpdateStatus] = mapped_column(
        str_enum(UpdateStatus, "update_status"), default=UpdateStatus.DRAFT, index=True
    )
    narrative: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # People reached in the period, in total; the outcomes' breakdowns come with the indicators.
    beneficiaries: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    milestone: Mapped[Milestone] = relationship(back_populates="updates")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    spending: Mapped[list[UpdateSpending]] = relationship(
        back_populates="update", cascade="all, delete-orphan"
    )
    files: Mapped[list[StoredFile]] = relationship(
        back_populates="milestone_update", order_by="StoredFile.id"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def spent_total(self) -> int:
        return sum(s.amount for s in self.spending)


class UpdateSpending(Base):
    """Spending to date on one budget line, as reported in an update."""

    __tablename__ = "update_spending"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    update_id: Mapped[int] = mapped_column(
        ForeignKey("milestone_updates.id", ondelete="CASCADE"), primary_key=True
    )
    budget_line_id: Mapped[int] = mapped_column(
        ForeignKey("budget_lines.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)  # tiyn, cumulative to date

    update: Mapped[MilestoneUpdate] = relationship(back_populates="spending")
    budget_line: Mapped[BudgetLine] = relationship()


class MilestoneComment(Base):
    __tablename__ = "milestone_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()
