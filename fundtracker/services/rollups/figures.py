"""What the roll-ups return: plain dataclasses with display strings. Roll-ups are live and raw:
they are for those `disclosure.sees_raw` lets see raw figures, and refuse anyone else; what the
board and exports see is a published period's (services/publications)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fundtracker.disclosure import fmt_count, sees_raw
from fundtracker.services.errors import NotAllowed

UNATTRIBUTED = "—"


@dataclass
class Cell:
    key: str
    label: str
    value: int
    display: str


@dataclass
class Breakdown:
    dimension: str
    total: int
    total_display: str
    cells: list[Cell]


@dataclass
class IndicatorFigure:
    standard_id: int
    code: str
    name: str
    unit: str
    achieved: int
    achieved_display: str
    target: int | None  # None under a region filter: targets are set per project
    target_display: str
    projects: int
    suppressed: bool
    breakdowns: list[Breakdown] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        if not self.target or self.suppressed:
            return None
        return self.achieved / self.target


@dataclass
class AreaFigure:
    area_id: int
    code: str
    name: str
    indicators: list[IndicatorFigure]


@dataclass
class RegionFigure:
    code: str
    name: str
    achieved: int
    display: str


@dataclass
class RegionRollup:
    standard_id: int
    name: str
    total: int
    total_display: str
    regions: list[RegionFigure]


@dataclass
class SeriesPoint:
    result_id: int
    label: str
    period_start: date
    period_end: date
    value: int
    display: str


@dataclass
class IndicatorSeries:
    indicator_id: int
    name: str
    unit: str
    cumulative: bool
    baseline: int
    target: int
    achieved: int
    achieved_display: str
    points: list[SeriesPoint]
    standard_id: int | None = None
    counts: bool = True  # a count (added up across projects), not a percentage or yes/no


def _check(actor) -> None:
    """Live figures are raw: only for those who see raw figures."""
    if not sees_raw(actor):
        raise NotAllowed("live outcome figures are for fund staff")


def _show(value: int | None) -> str:
    return fmt_count(value)
