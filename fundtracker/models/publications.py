"""Published outcome figures: the tables of a calendar period (quarter, half-year or year) as they
leave the fund, protected together and stored once, so that every page, PDF and export shows
the same figure for the same cell and nothing recomputes them.

A publication is never rewritten: later publications are protected around it. Each stored cell
keeps its true value (for the fund's own audit view) and whether it is shown or hidden, and why.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from fundtracker.models.user import User


class CellStatus(enum.StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"  # a count of 1 to 4 people
    SECONDARY = "secondary"  # hidden so that a primary one cannot be worked out


class Publication(Base):
    """One published period of the fixed grid ("2026-Q1", "2026-H1", "2026")."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8), unique=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the audit found: {"passed", "unsafe", "narrowest", "primary", "secondary", "cells",
    # "seconds", "solves", "together": [periods published in the same run]}
    audit: Mapped[dict] = mapped_column(JSON, default=dict)

    published_by: Mapped[User | None] = relationship()


class PublishedCell(Base):
    """One cell of a published table.

    What it counts (its measure): a standard indicator of the library (`standard_id`), one
    project's own indicator that is not in the library (`indicator_id`), or, with neither, the
    people reached that milestone updates report. Which table it is a cell of: `table` with its
    coordinates (`area_id`, `region`, `category`, `project_id`), e.g. ("area_region", area 2,
    "KZ-11"), ("sex", category "female"), ("project", project 17).
    """

    __tablename__ = "published_cells"
    __table_args__ = (Index("ix_published_cells_lookup", "publication_id", "table"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard_indicators.id"))
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_indicators.id"), index=True
    )
    table: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("programme_areas.id"))
    # A region's ISO code, or "several" for what cannot be placed in one region.
    region: Mapped[str | None] = mapped_column(String(16))
    # A sex or an age group, or "unknown" for what was not broken down.
    category: Mapped[str | None] = mapped_column(String(16))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    value: Mapped[int] = mapped_column(Integer)
    # Reports that went into it: 0 is "nothing reported", shown as such.
    reports: Mapped[int] = mapped_column(Integer, default=0)
    # Distinct projects whose reports went into it.
    projects: Mapped[int] = mapped_column(Integer, default=0)
    # What the projects of a standard indicator's total, area or project cell set out to
    # reach, as it stood when published (a plan, not a count of people).
    target: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CellStatus] = mapped_column(
        str_enum(CellStatus, "published_cell_status"), default=CellStatus.SHOWN
    )
    # For a hidden cell: the smallest and largest value someone who knows every published
    # figure can work out for it (the audit's linear program).
    low: Mapped[int | None] = mapped_column(Integer)
    high: Mapped[int | None] = mapped_column(Integer)

    publication: Mapped[Publication] = relationship()

    @property
    def hidden(self) -> bool:
        return self.status != CellStatus.SHOWN
