"""Portfolio roll-ups of verified results: achieved against target by standard indicator, by
programme area and by region over a chosen period, and a project's own results over time.

Everything returned is a plain dataclass (no ORM objects, no request), with display strings
already suppressed for the audience, so that pages, exports and the PDF reports share them.

How periods add up: a result belongs to a range when its period ends inside it. For an indicator
counted per period the results in the range are added up; for a cumulative indicator the
achieved value is its latest verified value in the range, not a sum. Only indicators that count
(not percentages or yes/no) are added across projects.

    figures.py      the dataclasses returned, and how a figure is shown to whom
    totals.py       a period's results added up in SQL, and what is read from those sums
    portfolio.py    by standard indicator, by programme area, by region
    series.py       a project's results over time

Callers use the names below through the package (`rollups.by_indicator(...)`). A name with a
leading underscore is shared between these modules only.
"""

from fundtracker.services.rollups.figures import (
    UNATTRIBUTED,
    AreaFigure,
    Breakdown,
    Cell,
    IndicatorFigure,
    IndicatorSeries,
    RegionFigure,
    RegionRollup,
    SeriesPoint,
)
from fundtracker.services.rollups.portfolio import by_area, by_indicator, by_region
from fundtracker.services.rollups.series import project_series, series_by_project
from fundtracker.services.rollups.totals import Key, Totals, period_totals

__all__ = [
    "UNATTRIBUTED",
    "AreaFigure",
    "Breakdown",
    "Cell",
    "IndicatorFigure",
    "IndicatorSeries",
    "Key",
    "RegionFigure",
    "RegionRollup",
    "SeriesPoint",
    "Totals",
    "by_area",
    "by_indicator",
    "by_region",
    "period_totals",
    "project_series",
    "series_by_project",
]
