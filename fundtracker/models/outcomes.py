"""Outcomes: the fund's library of standard indicators, each project's indicators, the results
grantees report per period with their breakdowns (region, sex, age group), the history of
corrections, and impact stories.

Only aggregate figures are kept: a count of children per region, sex or age group, never a
child's name or diagnosis record.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.core.crypto import EncryptedText
from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, localized, str_enum, utcnow

if TYPE_CHECKING:
    from fundtracker.models.delivery import MilestoneUpdate
    from fundtracker.models.files import StoredFile
    from fundtracker.models.project import Project
    from fundtracker.models.reference import ProgrammeArea
    from fundtracker.models.user import User
    from fundtracker.models.wellbeing import WellbeingDomain


class IndicatorType(enum.StrEnum):
    COUNT = "count"
    PERCENTAGE = "percentage"
    YES_NO = "yes_no"


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


class Dimension(enum.StrEnum):
    REGION = "region"
    SEX = "sex"
    AGE = "age"


SEXES = ("female", "male")
AGE_GROUPS = ("0-2", "3-6", "7-11", "12-17", "18+")


class ResultStatus(enum.StrEnum):
    DRAFT = "draft"  # in a milestone update not yet submitted
    REPORTED = "reported"
    QUERIED = "queried"
    VERIFIED = "verified"


class StandardIndicator(TimestampMixin, Base):
    """An indicator of the fund's library, kept by officers, that projects' indicators link to
    so that the portfolio can add them up."""

    __tablename__ = "standard_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300), default="")
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300), default="")
    definition_kk: Mapped[str] = mapped_column(Text, default="")
    definition_ru: Mapped[str] = mapped_column(Text, default="")
    definition_en: Mapped[str] = mapped_column(Text, default="")
    unit_kk: Mapped[str] = mapped_column(String(60), default="")
    unit_ru: Mapped[str] = mapped_column(String(60), default="")
    unit_en: Mapped[str] = mapped_column(String(60), default="")
    type: Mapped[IndicatorType] = mapped_column(
        str_enum(IndicatorType, "indicator_type"), default=IndicatorType.COUNT
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("programme_areas.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    area: Mapped[ProgrammeArea | None] = relationship()
    # The child well-being domains it informs (issue #21), in the list's order.
    domains: Mapped[list[WellbeingDomain]] = relationship(
        secondary="standard_indicator_domains",
        order_by="WellbeingDomain.position, WellbeingDomain.id",
    )

    __mapper_args__ = {"version_id_col": version_id}

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def definition(self, locale: str) -> str:
        return localized(self, "definition", locale)

    def unit(self, locale: str) -> str:
        return localized(self, "unit", locale)


class ProjectIndicator(TimestampMixin, Base):
    """What a project promised to achieve, measured per period."""

    __tablename__ = "project_indicators"
    __table_args__ = (
        CheckConstraint("target >= 0", name="target_not_negative"),
        CheckConstraint("baseline >= 0", name="baseline_not_negative"),
        Index("ix_project_indicators_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard_indicators.id"), index=True
    )
    # Its own name when no standard indicator fits; else the standard's name is shown.
    name: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(60), default="")
    type: Mapped[IndicatorType] = mapped_column(
        str_enum(IndicatorType, "indicator_type"), default=IndicatorType.COUNT
    )
    baseline: Mapped[int] = mapped_column(Integer, default=0)
    target: Mapped[int] = mapped_column(Integer, default=0)
    direction: Mapped[Direction] = mapped_column(
        str_enum(Direction, "indicator_direction"), default=Direction.HIGHER
    )
    # Cumulative: each period reports the total so far (the latest counts). Otherwise each
    # period reports what happened in it (the periods add up).
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    frequency: Mapped[Frequency] = mapped_column(
        str_enum(Frequency, "indicator_frequency"), default=Frequency.QUARTERLY
    )
    by_region: Mapped[bool] = mapped_column(Boolean, default=False)
    by_sex: Mapped[bool] = mapped_column(Boolean, default=False)
    by_age: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    standard: Mapped[StandardIndicator | None] = relationship()
    results: Mapped[list[IndicatorResult]] = relationship(
        back_populates="indicator",
        order_by="IndicatorResult.period_start",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version_id}

    def title(self, locale: str) -> str:
        if self.standard is not None:
            return self.standard.name(locale)
        return self.name

    def unit_label(self, locale: str) -> str:
        if self.standard is not None and not self.unit:
            return self.standard.unit(locale)
        return self.unit

    @property
    def dimensions(self) -> list[Dimension]:
        if self.type != IndicatorType.COUNT:
            return []
        flags = ((Dimension.REGION, self.by_region), (Dimension.SEX, self.by_sex))
        return [d for d, on in (*flags, (Dimension.AGE, self.by_age)) if on]


class IndicatorResult(TimestampMixin, Base):
    """The value of an indicator for one period, with its breakdowns."""

    __tablename__ = "indicator_results"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period_start"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("project_indicators.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date, index=True)
    value: Mapped[int] = mapped_column(Integer)
    # Why a breakdown does not add up to the value, when it does not.
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ResultStatus] = mapped_column(
        str_enum(ResultStatus, "result_status"), default=ResultStatus.DRAFT, index=True
    )
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Brought in by an import (issue #24) rather than reported through a milestone update.
    imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    milestone_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone_updates.id", ondelete="SET NULL"), index=True
    )
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    query_comment: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    indicator: Mapped[ProjectIndicator] = relationship(back_populates="results")
    milestone_update: Mapped[MilestoneUpdate | None] = relationship()
    cells: Mapped[list[ResultCell]] = relationship(
        back_populates="result", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[ResultRevision]] = relationship(
        back_populates="result", order_by="ResultRevision.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_queried(self) -> bool:
        return self.status == ResultStatus.QUERIED

    def breakdown(self, dimension: Dimension) -> dict[str, int]:
        return {c.category: c.value for c in self.cells if c.dimension == dimension}


class ResultCell(Base):
    """One cell of a breakdown: e.g. 12 girls, or 7 children in Abai region."""

    __tablename__ = "result_cells"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    result_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_results.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[Dimension] = mapped_column(
        str_enum(Dimension, "breakdown_dimension"), primary_key=True
    )
    # A region's ISO code, a sex or an age group.
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    result: Mapped[IndicatorResult] = relationship(back_populates="cells")


class ResultRevision(Base):
    """An earlier value of a result, kept when it is corrected."""

    __tablename__ = "result_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_results.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(Integer)
    # {"region": {"KZ-10": 3, ...}, "sex": {...}, "age": {...}}
    cells: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[ResultStatus] = mapped_column(str_enum(ResultStatus, "result_status"))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    result: Mapped[IndicatorResult] = relationship(back_populates="revisions")
    changed_by: Mapped[User] = relationship()


class UpdateResult(Base):
    """What a milestone update says of one result.

    In a submitted update: the result as the update carried it (value, breakdowns, explanation),
    written when it was submitted, so that two submissions of a milestone can be compared after
    the result has moved on to the later one. In a draft: a change the grantee typed to a result
    that an earlier submission of the milestone carried; the result itself changes only when the
    draft is submitted (until then the fund sees what was submitted), and no value means that the
    draft no longer carries the result.
    """

    __tablename__ = "update_results"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    update_id: Mapped[int] = mapped_column(
        ForeignKey("milestone_updates.id", ondelete="CASCADE"), primary_key=True
    )
    result_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_results.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int | None] = mapped_column(Integer)
    # {"region": {"KZ-10": 3, ...}, "sex": {...}, "age": {...}}, as in ResultRevision
    cells: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")

    update: Mapped[MilestoneUpdate] = relationship()
    result: Mapped[IndicatorResult] = relationship()


class ImpactStory(TimestampMixin, Base):
    """A short story of what a project changed for someone; shown in reports only with the
    consent the grantee recorded."""

    __tablename__ = "impact_stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    # The story tells of a person (often a child and their health): encrypted at rest (issue
    # #19), above all for the stories without consent, which nothing may publish. Whether
    # consent was given stays a plain flag: it holds nothing personal, and reports filter on it.
    title: Mapped[str] = mapped_column(EncryptedText)
    body: Mapped[str] = mapped_column(EncryptedText)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    project: Mapped[Project] = relationship()
    photo: Mapped[StoredFile | None] = relationship()
    author: Mapped[User] = relationship()
