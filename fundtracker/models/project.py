"""Projects the fund finances."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, TimestampMixin, localized, str_enum

if TYPE_CHECKING:
    from fundtracker.models.delivery import BudgetLine, Milestone, Tranche
    from fundtracker.models.organisation import Organisation
    from fundtracker.models.reference import ProgrammeArea, Region
    from fundtracker.models.user import User


class ProjectStatus(enum.StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CLOSED = "closed"


project_regions = Table(
    "project_regions",
    Base.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id"), primary_key=True, index=True),
)


class Project(TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("awarded_amount >= 0", name="awarded_amount_not_negative"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # The grant agreement's number, for projects that came from an application.
    agreement_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    title_kk: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    summary_kk: Mapped[str] = mapped_column(Text, default="")
    summary_ru: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("programme_areas.id"), index=True)
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"), default=ProjectStatus.ACTIVE, index=True
    )
    # Money is an integer number of tiyn (1 tenge = 100 tiyn).
    awarded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # True while an "at risk" status was set by the automatic check rather than by an officer,
    # so that the check may lift it again.
    status_auto: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Open data (issue #20): a project is published on the transparency page and in the
    # 360Giving and IATI files once its agreement is signed, unless an admin marks it
    # confidential (fundtracker.services.transparency).
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation: Mapped[Organisation] = relationship()
    area: Mapped[ProgrammeArea] = relationship()
    officer: Mapped[User | None] = relationship()
    regions: Mapped[list[Region]] = relationship(secondary=project_regions, order_by="Region.code")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project",
        order_by="(Milestone.due_date, Milestone.id)",
        cascade="all, delete-orphan",
    )
    tranches: Mapped[list[Tranche]] = relationship(
        back_populates="project",
        order_by="(Tranche.planned_date, Tranche.id)",
        cascade="all, delete-orphan",
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="project", order_by="BudgetLine.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    def title(self, locale: str) -> str:
        return localized(self, "title", locale)

    def summary(self, locale: str) -> str:
        return localized(self, "summary", locale)

    def __repr__(self) -> str:
        return f"<Project {self.code}>"
