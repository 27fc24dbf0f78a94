"""What a report is about (ReportParams), and which published period it prints.

A stored report keeps dates only (its schema predates publishing): a board report's dates are
those of a published period of the grid, and `period()` maps them back to it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.disclosure import grid
from fundtracker.models import Publication, ReportKind


def grid_period(start: date, end: date) -> grid.Period | None:
    """The period of the grid (quarter, half-year, year) that runs from `start` to `end`, or
    None when the dates are no such period (an old report asked for free dates)."""
    for kind, count in (("Q", 4), ("H", 2), ("Y", 1)):
        for n in range(1, count + 1):
            period = grid.Period(start.year, kind, n)
            if (period.start, period.end) == (start, end):
                return period
    return None


@dataclass(frozen=True)
class ReportParams:
    """What a report is about. A board report covers one published period [period_start,
    period_end], optionally one programme area and one region; a project report covers one
    project's whole term."""

    kind: ReportKind
    locale: str
    period_start: date
    period_end: date
    area_id: int | None = None
    region_id: int | None = None
    project_id: int | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def of(cls, report) -> ReportParams:
        return cls(
            kind=report.kind,
            locale=report.locale,
            period_start=report.period_start,
            period_end=report.period_end,
            area_id=report.area_id,
            region_id=report.region_id,
            project_id=report.project_id,
        )

    @classmethod
    def board(cls, publication: Publication, locale: str, area_id=None, region_id=None):
        """A board report on a published period."""
        return cls(
            ReportKind.BOARD,
            locale,
            publication.period_start,
            publication.period_end,
            area_id=area_id,
            region_id=region_id,
        )

    def period(self) -> grid.Period | None:
        return grid_period(self.period_start, self.period_end)

    def covers(self, day: date | None) -> bool:
        """Whether `day` falls in the report's period."""
        return day is not None and self.period_start <= day <= self.period_end


def publication_of(session: Session, params: ReportParams) -> Publication | None:
    """The publication a board report prints: the one of its period (matched by its dates)."""
    if params.kind != ReportKind.BOARD or params.period() is None:
        return None
    return session.scalar(
        select(Publication).where(
            Publication.period_start == params.period_start,
            Publication.period_end == params.period_end,
        )
    )
