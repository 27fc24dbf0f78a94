"""What a report is about (ReportParams), and what every part of its context shares."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from fundtracker import privacy
from fundtracker.models import ReportKind

# The displays of a figure that is not printed: "<5", or "…" where it could be worked out.
HIDDEN = (privacy.SMALL, privacy.HIDDEN)


@dataclass(frozen=True)
class ReportParams:
    """What a report is about. A board report covers [period_start, period_end], optionally one
    programme area and one region; a project report covers one project's whole term."""

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

    def covers(self, day: date | None) -> bool:
        """Whether `day` falls in the report's period."""
        return day is not None and self.period_start <= day <= self.period_end
