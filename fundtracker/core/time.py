"""The fund's calendar: dates are stored in UTC and lived in Asia/Almaty (the one place the time
zone is named; create_app hands it to Flask-Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

FUND_TIMEZONE = "Asia/Almaty"
FUND_TZ = ZoneInfo(FUND_TIMEZONE)


def today() -> date:
    """Today's date in Almaty: due dates and overdue flags follow the fund's calendar."""
    return datetime.now(FUND_TZ).date()


def to_utc(day: date, at: time) -> datetime:
    """A date and time as people in Kazakhstan enter them, in UTC."""
    return datetime.combine(day, at, tzinfo=FUND_TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """A stored (UTC) moment as a clock in Almaty shows it."""
    return moment.astimezone(FUND_TZ)


def local_day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment else None


def start_of(day: date) -> datetime:
    """Midnight at the start of an Almaty day, in UTC."""
    return to_utc(day, time(0, 0))
