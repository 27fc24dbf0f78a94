"""The fixed grid of published periods: quarters, half-years and years, their keys, dates, the
periods inside each, and the periods that have ended by a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundtracker.disclosure import grid
from fundtracker.disclosure.grid import Period

pytestmark = pytest.mark.no_db

periods = st.builds(
    lambda year, kind, n: Period(year, kind, {"Q": n, "H": (n - 1) // 2 + 1, "Y": 1}[kind]),
    st.integers(2000, 2100),
    st.sampled_from("QHY"),
    st.integers(1, 4),
)


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),  # a leap year's February
    ],
)
def test_keys_name_their_dates(key, start, end):
    period = grid.parse(key)
    assert (period.start, period.end) == (start, end)
    assert period.key == str(period) == key


@pytest.mark.parametrize(
    "key", ["", "2026-Q5", "2026-Q0", "2026-H3", "2026-M1", "26-Q1", "1999", "2026-q1", "2026 Q1"]
)
def test_anything_off_the_grid_is_refused(key):
    with pytest.raises(ValueError):
        grid.parse(key)


def test_none_is_refused():
    with pytest.raises(ValueError):
        grid.parse(None)


def test_parts_and_periods_within():
    year = grid.parse("2025")
    assert [p.key for p in year.parts()] == ["2025-H1", "2025-H2"]
    assert [p.key for p in grid.parse("2025-H2").parts()] == ["2025-Q3", "2025-Q4"]
    assert grid.parse("2025-Q3").parts() == []
    assert [p.key for p in year.within()] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2025-H1",
        "2025-H2",
        "2025",
    ]
    assert [p.key for p in grid.parse("2025-H2").within()] == ["2025-Q3", "2025-Q4", "2025-H2"]
    assert [p.key for p in grid.parse("2025-Q2").within()] == ["2025-Q2"]
    assert grid.parse("2025-H2").quarters == [3, 4]


@settings(max_examples=200, deadline=None)
@given(periods)
def test_a_period_is_tiled_by_its_parts_and_its_quarters(period):
    assert grid.parse(period.key) == period
    assert period.start <= period.end
    assert (period.end + timedelta(days=1)).day == 1  # ends on a month's last day
    assert period.start.year == period.end.year == period.year
    parts = period.parts()
    if parts:
        # The parts follow each other without a gap or an overlap and cover the period.
        assert parts[0].start == period.start and parts[-1].end == period.end
        for a, b in zip(parts, parts[1:], strict=False):
            assert a.end + timedelta(days=1) == b.start
    quarters = [p for p in period.within() if p.kind == "Q"]
    assert [q.n for q in quarters] == period.quarters
    assert quarters[0].start == period.start and quarters[-1].end == period.end
    # Every period within lies inside it, the period itself last (smallest first).
    for inner in period.within():
        assert period.start <= inner.start <= inner.end <= period.end
    assert period.within()[-1] == period
    assert [p.months for p in period.within()] == sorted(p.months for p in period.within())


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_quarter_of_a_day(day):
    year, q = grid.quarter_of(day)
    quarter = Period(year, "Q", q)
    assert quarter.start <= day <= quarter.end


def test_labels():
    assert grid.parse("2026-Q1").label() == "2026 Q1"
    assert grid.parse("2026-H2").label() == "2026 H2"
    assert grid.parse("2026").label() == "2026"


def test_ended_lists_what_is_over_newest_first():
    # On 1 Oct 2025 the third quarter has ended only the day before; the year has not.
    found = [p.key for p in grid.ended(2025, date(2025, 10, 1))]
    assert found == ["2025-Q3", "2025-Q2", "2025-H1", "2025-Q1"]
    # A period is not over on its own last day.
    assert "2025-Q3" not in [p.key for p in grid.ended(2025, date(2025, 9, 30))]
    # A year after its quarters and half-years of the same end: the shortest first.
    found = [p.key for p in grid.ended(2024, date(2025, 1, 2))]
    assert found[:3] == ["2024-Q4", "2024-H2", "2024"]
    assert len(found) == 7
    assert grid.ended(2026, date(2026, 1, 1)) == []


@settings(max_examples=100, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_ended_is_every_period_over_by_then(today):
    found = grid.ended(2020, today)
    assert all(p.end < today for p in found)
    every = [p for y in range(2020, today.year + 1) for p in Period(y, "Y", 1).within()]
    assert sorted(found) == sorted(p for p in every if p.end < today)
    assert [p.end for p in found] == sorted((p.end for p in found), reverse=True)
