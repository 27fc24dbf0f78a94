"""Portfolio roll-ups equal the sum of verified results across projects, periods and breakdowns
(a cumulative indicator counts its latest verified value); they are raw, for fund staff only."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundtracker.core.extensions import db
from fundtracker.models import Frequency, ResultStatus, Role
from fundtracker.services import rollups
from fundtracker.services.errors import NotAllowed
from tests import factories

QUARTERS = [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)]
STATUSES = [ResultStatus.VERIFIED, ResultStatus.VERIFIED, ResultStatus.REPORTED]

project_spec = st.fixed_dictionaries(
    {
        "cumulative": st.booleans(),
        "two_regions": st.booleans(),
        "area": st.sampled_from(["healthcare", "education"]),
        "results": st.lists(
            st.tuples(
                st.sampled_from(range(len(QUARTERS))),
                st.sampled_from(STATUSES),
                st.integers(0, 30),  # girls
                st.integers(0, 30),  # boys
                st.integers(0, 100),  # share in the first region, percent
            ),
            max_size=4,
            unique_by=lambda r: r[0],
        ),
    }
)


def _expected(specs, start, end):
    """Achieved per the rules, computed from the generated data alone."""
    total = girls = 0
    for spec in specs:
        verified = sorted(
            (QUARTERS[q], f, m)
            for q, status, f, m, _ in spec["results"]
            if status == ResultStatus.VERIFIED
            and (start is None or QUARTERS[q] >= start)
            and (end is None or QUARTERS[q] <= end)
        )
        if spec["cumulative"]:
            verified = verified[-1:]
        total += sum(f + m for _, f, m in verified)
        girls += sum(f for _, f, _m in verified)
    return total, girls


@pytest.fixture
def officer_and_board():
    return (
        factories.UserFactory(role=Role.OFFICER),
        factories.UserFactory(role=Role.BOARD),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(project_spec, min_size=1, max_size=3),
    window=st.sampled_from([(None, None), (QUARTERS[1], QUARTERS[2]), (QUARTERS[2], None)]),
)
def test_rollup_equals_sum_of_verified_results(session, officer_and_board, specs, window):
    officer, board = officer_and_board
    nested = session.begin_nested()
    try:
        standard = factories.StandardIndicatorFactory()
        regions = [factories.region("KZ-71"), factories.region("KZ-75")]
        region_totals = {"KZ-71": 0, "KZ-75": 0}
        start = window[0]
        end = window[1]
        for spec in specs:
            project_regions = regions if spec["two_regions"] else regions[:1]
            project = factories.ProjectFactory(
                regions=project_regions, area=factories.area(spec["area"])
            )
            indicator = factories.ProjectIndicatorFactory(
                project=project,
                standard=standard,
                cumulative=spec["cumulative"],
                by_region=spec["two_regions"],
                target=50,
            )
            latest = None
            for q, status, girls, boys, share in spec["results"]:
                value = girls + boys
                cells = {"sex": {"female": girls, "male": boys}}
                if spec["two_regions"]:
                    first = value * share // 100
                    cells["region"] = {"KZ-71": first, "KZ-75": value - first}
                factories.indicator_result(indicator, QUARTERS[q], value, status, cells)
                in_window = (start is None or QUARTERS[q] >= start) and (
                    end is None or QUARTERS[q] <= end
                )
                if status == ResultStatus.VERIFIED and in_window:
                    if spec["cumulative"]:
                        if latest is None or QUARTERS[q] > latest[0]:
                            latest = (QUARTERS[q], cells, value)
                    else:
                        _add_regions(region_totals, cells, value, project_regions)
            if latest is not None:
                _add_regions(region_totals, latest[1], latest[2], project_regions)
        # The period end of the quarter starting on `end` is inside the window.
        end_date = None if end is None else factories.period_of(indicator.frequency, end)[1]
        total, girls = _expected(specs, start, end)

        figures = rollups.by_indicator(db.session, officer, start, end_date)
        figure = next(f for f in figures if f.standard_id == standard.id)
        assert figure.achieved == total
        assert figure.target == 50 * len(specs)
        sex = next((b for b in figure.breakdowns if b.dimension == "sex"), None)
        assert (sex.cells[0].value if sex else 0) == girls
        if sex:
            assert sum(c.value for c in sex.cells) == total

        areas = rollups.by_area(db.session, officer, start, end_date)
        in_areas = [f for a in areas for f in a.indicators if f.standard_id == standard.id]
        assert sum(f.achieved for f in in_areas) == total
        assert sum(f.target for f in in_areas) == 50 * len(specs)

        by_region = rollups.by_region(db.session, officer, standard.id, start, end_date)
        assert by_region.total == total
        assert sum(r.achieved for r in by_region.regions) == total
        placed = {r.code: r.achieved for r in by_region.regions}
        assert placed.get("KZ-71", 0) == region_totals["KZ-71"]
        assert placed.get("KZ-75", 0) == region_totals["KZ-75"]

        # Live figures are raw: the board is refused them (it reads published periods).
        with pytest.raises(NotAllowed):
            rollups.by_indicator(db.session, board, start, end_date)
    finally:
        nested.rollback()


def _add_regions(totals, cells, value, project_regions):
    if "region" in cells:
        for code, v in cells["region"].items():
            totals[code] += v
    elif len(project_regions) == 1:
        totals[project_regions[0].code] += value


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 50), st.sampled_from(STATUSES)),
        max_size=8,
        unique_by=lambda r: r[0],
    ),
    cumulative=st.booleans(),
)
def test_periods_add_up_and_cumulative_takes_the_latest(
    session, officer_and_board, rows, cumulative
):
    officer, _ = officer_and_board
    nested = session.begin_nested()
    try:
        indicator = factories.ProjectIndicatorFactory(
            cumulative=cumulative, frequency=Frequency.MONTHLY, by_region=False
        )
        for month, value, status in rows:
            factories.indicator_result(
                indicator, date(2025, 1 + month, 1), value, status, {"sex": {"female": value}}
            )
        (figure,) = [
            f
            for f in rollups.by_indicator(db.session, officer)
            if f.standard_id == indicator.standard_id
        ]
        verified = sorted((m, v) for m, v, status in rows if status == ResultStatus.VERIFIED)
        expected = (
            (verified[-1][1] if verified else 0) if cumulative else sum(v for _, v in verified)
        )
        assert figure.achieved == expected
        female = [c.value for b in figure.breakdowns for c in b.cells if c.key == "female"]
        assert female == ([expected] if verified else [])
    finally:
        nested.rollback()


def test_project_series_counts_verified_results_only(officer_and_board):
    officer, board = officer_and_board
    indicator = factories.ProjectIndicatorFactory(cumulative=True, by_sex=False, by_region=False)
    factories.indicator_result(indicator, QUARTERS[0], 10, ResultStatus.VERIFIED)
    factories.indicator_result(indicator, QUARTERS[1], 3, ResultStatus.VERIFIED)
    factories.indicator_result(indicator, QUARTERS[2], 40, ResultStatus.REPORTED)
    (series,) = rollups.project_series(db.session, indicator.project, officer)
    assert [p.value for p in series.points] == [10, 3]
    assert series.achieved == 3 and series.achieved_display == "3"
    # A count of people is not in the board's live series: it sees it only as published.
    assert rollups.project_series(db.session, indicator.project, board) == []
