"""Reporting periods: the calendar month, quarter, half-year or year a result is reported for,
and their short names."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from fundtracker.models import Frequency, ProjectIndicator

MONTHS_PER_PERIOD = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(frequency: Frequency, day: date) -> tuple[date, date]:
    """The calendar period (month, quarter, half-year, year) that contains `day`."""
    n = MONTHS_PER_PERIOD[frequency]
    start = date(day.year, (day.month - 1) // n * n + 1, 1)
    return start, _add_months(start, n) - timedelta(days=1)


def periods_between(frequency: Frequency, first: date, last: date) -> list[tuple[date, date]]:
    periods = []
    start, end = period_of(frequency, first)
    while start <= last:
        periods.append((start, end))
        start, end = period_of(frequency, end + timedelta(days=1))
    return periods


def reporting_periods(indicator: ProjectIndicator, today: date) -> list[tuple[date, date]]:
    """The periods a result may be reported for: from the project's start to the current one."""
    project = indicator.project
    return periods_between(indicator.frequency, project.start_date, min(today, project.end_date))


def period_label(frequency: Frequency, start: date) -> str:
    """A period's short name: 2025-03, 2025 Q1, 2025 H1, 2025."""
    if frequency == Frequency.MONTHLY:
        return f"{start:%Y-%m}"
    if frequency == Frequency.QUARTERLY:
        return _("%(year)s Q%(n)s", year=start.year, n=(start.month - 1) // 3 + 1)
    if frequency == Frequency.HALF_YEARLY:
        return _("%(year)s H%(n)s", year=start.year, n=(start.month - 1) // 6 + 1)
    return str(start.year)
