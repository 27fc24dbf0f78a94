"""The attack suite: random small portfolios are published period by period (quarters, a
half-year, the year), then attacked with what a board member can read, the published displays
and nothing else: every differencing attack of issue #15 and an intruder's linear program of our
own (SciPy's HiGHS), built from the published figures and the relations between the tables.
Every hidden cell of 1 to 4 people must keep at least five possible values, up to 5 or more; no
hidden cell may be worked out exactly.

The true values (PublishedCell.value) are read from the database only to check the attacks'
findings, never by the attacks.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from sqlalchemy import select

from fundtracker.disclosure import grid
from fundtracker.disclosure.display import HIDDEN, NOTHING, THRESHOLD
from fundtracker.models import Frequency, Publication, PublishedCell
from fundtracker.services import publications
from fundtracker.services.errors import Conflict
from fundtracker.services.publications import views
from fundtracker.services.publications.cells import measure_of
from tests.disclosure import portfolio as pf

# No shrinking: an example takes up to a second or two, and shrinking a failure ran for five
# minutes and more; the failing example is printed as found (and replayed first next time).
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Y, H1, H2 = grid.parse("2025"), grid.parse("2025-H1"), grid.parse("2025-H2")
Q1, Q2, Q3, Q4 = pf.QUARTERS


# Reading the database: to publish, and to check findings (never to attack) --------------------


def publish(session, portfolio, schedule) -> None:
    for key in schedule:
        publications.publish(session, portfolio.officer, key, pf.TODAY)


def stored(session) -> dict[tuple, PublishedCell]:
    """Every stored cell by (period, measure, key): for checking the attacks' findings."""
    periods = {p.id: p.period for p in session.scalars(select(Publication))}
    out = {}
    for cell in session.scalars(select(PublishedCell)):
        measure = measure_of(cell.standard_id, cell.indicator_id)
        key = (cell.table, cell.area_id, cell.region, cell.category, cell.project_id)
        out[(periods[cell.publication_id], measure, key)] = cell
    return out


def snapshot(session) -> dict[tuple, tuple]:
    return {
        k: (c.value, c.reports, c.projects, c.status, c.low, c.high)
        for k, c in stored(session).items()
    }


# The relations a board member knows between published cells --------------------------------------


def relations(portfolio: pf.Portfolio, published: set[str]):
    """(name, parent, children) for every sum a reader of the tables can form, each cell as
    (period, measure, key); only between periods that are published."""
    out = []
    for measure in portfolio.measures():
        lines = portfolio.lines[measure]
        keys = pf.keys_of(portfolio, measure)
        total = ("total", None, None, None, None)
        areas = sorted({k[1] for k in keys if k[0] == "area"})
        places = sorted({k[2] for k in keys if k[0] == "region"})
        for period in (p.key for p in pf.PERIODS if p.key in published):

            def at(key, period=period, measure=measure):
                return (period, measure, key)

            def add(name, parent, children, at=at):
                out.append((name, at(parent), [at(c) for c in children]))

            project_cells = [k for k in keys if k[0] == "project"]
            if measure[0] == "ind":
                continue
            add(
                "total minus the other areas", total, [("area", a, None, None, None) for a in areas]
            )
            add(
                "total minus the other regions and the several-regions row",
                total,
                [("region", None, r, None, None) for r in places],
            )
            add("total against every project", total, project_cells)
            for dimension in sorted(portfolio.dims(measure)):
                add(
                    f"total minus the other {dimension} groups",
                    total,
                    [k for k in keys if k[0] == dimension],
                )
            for a in areas:
                area = ("area", a, None, None, None)
                add(
                    "an area minus its other regions",
                    area,
                    [("area_region", a, r, None, None) for r in places],
                )
                add(
                    "area cells against the project cells of the area",
                    area,
                    [
                        ("project", None, None, None, p)
                        for p, line in lines.items()
                        if line.area == a
                    ],
                )
            for r in places:
                add(
                    "region table against area x region (all areas minus the others)",
                    ("region", None, r, None, None),
                    [("area_region", a, r, None, None) for a in areas],
                )
        # Across periods: a longer period is the sum of its parts, for counts per period; a
        # cumulative project's longer period is its latest quarter.
        for key in keys:
            project = key[4]
            if project is not None:
                additive = not lines[project].cumulative
            else:
                additive = not any(line.cumulative for line in lines.values())
            if additive:
                for name, parent, parts in (
                    ("year minus its other quarters", Y, [Q1, Q2, Q3, Q4]),
                    ("year minus a half-year", Y, [H1, H2]),
                    ("year minus a half-year and quarters", Y, [H1, Q3, Q4]),
                    ("year minus a half-year and quarters", Y, [Q1, Q2, H2]),
                    ("half-year minus a quarter", H1, [Q1, Q2]),
                    ("half-year minus a quarter", H2, [Q3, Q4]),
                ):
                    if {p.key for p in [parent, *parts]} <= published:
                        out.append(
                            (
                                name,
                                (parent.key, measure, key),
                                [(p.key, measure, key) for p in parts],
                            )
                        )
            elif project is not None:
                line = lines[project]
                for period in (H1, H2, Y):
                    q = line.latest(period)
                    latest = pf.QUARTERS[q - 1] if q else None
                    if latest and {period.key, latest.key} <= published:
                        out.append(
                            (
                                "a cumulative figure equals its latest quarter",
                                (period.key, measure, key),
                                [(latest.key, measure, key)],
                            )
                        )
    return out


def differencing(seen: dict, relations_) -> list[tuple[str, tuple, int]]:
    """What each sum gives away: (attack, hidden cell, what it works out) for a sum whose parts
    are all shown but one, or whose parts are all shown while it is hidden; and (attack, hidden
    cell, the most it can be) for each hidden part of a sum whose hidden parts add up to less
    than the threshold."""
    found = []
    for name, parent, children in relations_:
        known = seen[parent].known
        hidden = [c for c in children if seen[c].known is None]
        rest = sum(seen[c].known for c in children if seen[c].known is not None)
        if known is not None and len(hidden) == 1:
            found.append((name, hidden[0], known - rest))
        elif known is not None and hidden and known - rest < THRESHOLD:
            found += [(f"{name} (at most)", c, known - rest) for c in hidden]
        elif known is None and not hidden:
            found.append((name, parent, rest))
    return found


# The intruder's linear program -------------------------------------------------------------------


class Intruder:
    """Unknowns: each project's count per measure, period and region (and sex and age group), in
    every period of the year, published or not. Equations: what the tables are made of (a
    region's cell adds up its projects' counts there; a project works only in its regions and
    in "several regions" when it has more than one; its sex and age groups add up to its count;
    a half-year adds up its quarters, or is its latest quarter when cumulative; a project that
    did not report in a quarter counts nothing there), and every figure the board can read. What
    is unknown is every hidden cell; each is minimised and maximised."""

    def __init__(self, portfolio: pf.Portfolio, seen: dict):
        self.portfolio = portfolio
        self.columns: dict[tuple, int] = {}
        self.rows: list[dict[int, float]] = []
        self.rhs: list[float] = []
        for measure in portfolio.measures():
            lines = portfolio.lines[measure]
            dims = sorted(portfolio.dims(measure))
            for project, line in lines.items():
                for family, categories in self._families(measure, line, dims):
                    for category in categories:
                        self._time(measure, project, line, family, category)
                for period in pf.PERIODS:
                    value = self._value(measure, period.key, project)
                    for dimension in dims:
                        row = dict(value)
                        for category in pf.SEXES if dimension == "sex" else pf.AGES:
                            column = self._column(
                                (measure, period.key, project, dimension, category)
                            )
                            row[column] = row.get(column, 0) - 1
                        self._equation(row, 0)
        # A cumulative count does not go down (where it truly does not): the intruder knows.
        self.ub_rows: list[dict[int, float]] = []
        self.forms: list[tuple[str, dict[int, float], int]] = []
        for measure in portfolio.measures():
            dims = sorted(portfolio.dims(measure))
            for project, line in portfolio.lines[measure].items():
                if line.cumulative:
                    self._cumulative(measure, project, line, dims)
        self.targets = []
        for cell, figure in seen.items():
            expression = self.expression(*cell)
            if figure.known is None:
                self.targets.append(cell)
            else:
                self._equation(expression, figure.known)
        self.a_eq, self.b_eq = self._matrix(self.rows), np.array(self.rhs, dtype=float)
        self.a_ub = self._matrix(self.ub_rows) if self.ub_rows else None
        self.b_ub = np.zeros(len(self.ub_rows)) if self.ub_rows else None
        self._bounds: dict[tuple, tuple[float, float]] = {}

    def _cumulative(self, measure, project, line, dims) -> None:
        """Each quarter's count of a cumulative line and each increase from its previous
        report, in total and by region, sex and age group: counts of people never published,
        which differences of published periods can isolate; those of 1 to 4 are `forms` to
        bound like hidden cells."""
        families = [("value", [None])] + [
            (f, c) for f, c in self._families(measure, line, dims) if f != "value"
        ]
        reported = sorted(line.quarters)
        for family, categories in families:
            for category in categories:
                previous = None
                for q in reported:
                    slot = line.quarters[q]
                    period = pf.QUARTERS[q - 1].key
                    if family == "value":
                        expression = self._value(measure, period, project)
                        true = slot.value
                    else:
                        expression = {self._column((measure, period, project, family, category)): 1}
                        true = slot.parts.get(family, {}).get(category, 0)
                    name = f"{measure} project {project} Q{q} {family} {category}"
                    self.forms.append((f"{name}: count", expression, true))
                    if previous is not None:
                        before, before_true = previous
                        increase = dict(expression)
                        for column, c in before.items():
                            increase[column] = increase.get(column, 0) - c
                        self.forms.append((f"{name}: increase", increase, true - before_true))
                        if true >= before_true:
                            self.ub_rows.append({k: -v for k, v in increase.items()})
                    previous = (expression, true)

    @staticmethod
    def _families(measure, line, dims):
        if measure[0] == "ind":
            return [("value", [None])]
        out = [("region", line.regions)]
        for dimension in dims:
            out.append((dimension, pf.SEXES if dimension == "sex" else pf.AGES))
        return out

    def _column(self, name: tuple) -> int:
        return self.columns.setdefault(name, len(self.columns))

    def _equation(self, terms: dict[int, float], rhs: float) -> None:
        self.rows.append(terms)
        self.rhs.append(rhs)

    def _time(self, measure, project, line, family, category) -> None:
        def var(period):
            return self._column((measure, period.key, project, family, category))

        for q, quarter in enumerate(pf.QUARTERS, start=1):
            if q not in line.quarters:
                self._equation({var(quarter): 1}, 0)
        for period, parts in ((H1, [Q1, Q2]), (H2, [Q3, Q4]), (Y, [H1, H2])):
            if line.cumulative:
                q = line.latest(period)
                if q is None:
                    self._equation({var(period): 1}, 0)
                else:
                    self._equation({var(period): 1, var(pf.QUARTERS[q - 1]): -1}, 0)
            else:
                row = {var(period): 1}
                for part in parts:
                    row[var(part)] = -1
                self._equation(row, 0)

    def _value(self, measure, period: str, project: int) -> dict[int, float]:
        line = self.portfolio.lines[measure][project]
        if measure[0] == "ind":
            return {self._column((measure, period, project, "value", None)): 1}
        return {self._column((measure, period, project, "region", r)): 1 for r in line.regions}

    def expression(self, period: str, measure, key) -> dict[int, float]:
        table, area, region, category, project = key
        out: dict[int, float] = defaultdict(float)
        for p, line in self.portfolio.lines[measure].items():
            if (project is not None and p != project) or (area is not None and line.area != area):
                continue
            if table in ("total", "area", "project"):
                for column, c in self._value(measure, period, p).items():
                    out[column] += c
            elif table in ("region", "area_region"):
                if region in line.regions:
                    out[self._column((measure, period, p, "region", region))] += 1
            else:
                out[self._column((measure, period, p, table, category))] += 1
        return dict(out)

    def _matrix(self, rows_) -> csr_matrix:
        rows, columns, values = [], [], []
        for i, row in enumerate(rows_):
            for j, c in row.items():
                rows.append(i)
                columns.append(j)
                values.append(c)
        shape = (len(rows_), len(self.columns))
        return csr_matrix((values, (rows, columns)), shape=shape)

    def truth(self) -> np.ndarray:
        """The true unknowns, from the generated data: for checking that the program is sound."""
        x = np.zeros(len(self.columns))
        for (measure, period, project, family, category), j in self.columns.items():
            slot = self.portfolio.lines[measure][project].slot(grid.parse(period))
            x[j] = slot.value if family == "value" else slot.parts.get(family, {}).get(category, 0)
        return x

    def bounds(self, cell) -> tuple[float, float]:
        """The smallest and largest value the hidden cell can have."""
        return self.bounds_of(self.expression(*cell))

    def bounds_of(self, expression: dict[int, float]) -> tuple[float, float]:
        key = tuple(sorted(expression.items()))
        if key not in self._bounds:
            c = np.zeros(len(self.columns))
            for j, v in expression.items():
                c[j] = v
            known = {
                "A_eq": self.a_eq,
                "b_eq": self.b_eq,
                "A_ub": self.a_ub,
                "b_ub": self.b_ub,
                "bounds": (0, None),
                "method": "highs",
            }
            low = linprog(c, **known)
            high = linprog(-c, **known)
            assert low.status == 0, low.message
            assert high.status in (0, 3), high.message  # 3: unbounded
            self._bounds[key] = (low.fun, math.inf if high.status == 3 else -high.fun)
        return self._bounds[key]


# The tests ---------------------------------------------------------------------------------------


def _published(session, spec) -> tuple[pf.Portfolio, dict]:
    """The portfolio written and published by its schedule, checking on the way that publishing
    never changes what was published before; returns it with what the board sees.

    A period that cannot be protected together with those published before is refused, which
    is safe (see test_a_year_whose_cumulative_figures_earlier_periods_fix_can_be_published):
    the first publication never is (nothing constrains it), and a refused one publishes
    nothing."""
    portfolio = pf.build(spec)
    before: dict = {}
    for n, key in enumerate(spec["schedule"]):
        try:
            with session.begin_nested():
                publications.publish(session, portfolio.officer, key, pf.TODAY)
        except Conflict as refused:
            assert n > 0, refused
            assert "cannot be published safely" in str(refused), refused
            assert publications.find(session, key) is None
        now = snapshot(session)
        assert {k: v for k, v in now.items() if k in before} == before
        before = now
    seen = pf.board_view(session, portfolio)
    assert pf.board_view(session, portfolio) == seen  # the same on every read
    return portfolio, seen


def _honest(portfolio, cells, seen) -> None:
    """What is stored is what the data say (so the intruder's model below is the truth's);
    nothing from 1 to 4 is printed; the regions, "several regions" included, add up to the
    total."""
    for (period, measure, key), figure in seen.items():
        true = pf.truth(portfolio, measure, grid.parse(period), key)
        cell = cells.get((period, measure, key))
        assert (cell.value if cell else 0) == true, (period, measure, key)
        if not figure.hidden:
            assert figure.known == 0 or figure.known >= THRESHOLD, (period, measure, key, figure)
        if 0 < true < THRESHOLD:
            assert figure.hidden, (period, measure, key)
    for period in {k[0] for k in seen}:
        for measure in portfolio.measures():
            if measure[0] == "ind":
                continue
            keys = [k for k in pf.keys_of(portfolio, measure) if k[0] == "region"]
            regions = sum(pf.truth(portfolio, measure, grid.parse(period), k) for k in keys)
            total = pf.truth(portfolio, measure, grid.parse(period), ("total",) + (None,) * 4)
            assert regions == total, (period, measure)


def _intruder(portfolio, seen) -> Intruder:
    intruder = Intruder(portfolio, seen)
    truth = intruder.truth()
    assert np.allclose(intruder.a_eq @ truth, intruder.b_eq), "the intruder's model is unsound"
    if intruder.a_ub is not None:
        assert (intruder.a_ub @ truth <= 1e-9).all(), "the intruder's model is unsound"
    return intruder


def _range(intruder, cell=None, expression=None) -> tuple[int, float]:
    low, high = intruder.bounds(cell) if expression is None else intruder.bounds_of(expression)
    low_int = max(0, math.ceil(low - 1e-6))
    return low_int, math.inf if high == math.inf else math.floor(high + 1e-6)


def _true(cells, cell) -> int:
    return cells[cell].value if cell in cells else 0


def _no_small_count(session, portfolio, seen) -> None:
    cells = stored(session)
    _honest(portfolio, cells, seen)
    published = {k[0] for k in seen}
    # (a) Differencing: two periods, two filters, two outputs, the several-regions row.
    for name, cell, value in differencing(seen, relations(portfolio, published)):
        true = _true(cells, cell)
        assert not 0 < true < THRESHOLD, f"{name}: {cell} is {true}, worked out as {value}"
    # (b) The intruder's linear program.
    intruder = _intruder(portfolio, seen)
    failures = []
    for cell in intruder.targets:
        low, high = _range(intruder, cell)
        true = _true(cells, cell)
        assert low <= true <= high, (cell, low, true, high)
        if 0 < true < THRESHOLD and (high < THRESHOLD or high - low < THRESHOLD - 1):
            failures.append(f"{cell} is {true}: narrowed to {low}..{high}")
    # (c) Counts never published: a cumulative line's quarters and increases.
    for name, expression, true in intruder.forms:
        if not 0 < true < THRESHOLD:
            continue
        low, high = _range(intruder, expression=expression)
        assert low <= true <= high, (name, low, true, high)
        if high < THRESHOLD or high - low < THRESHOLD - 1:
            failures.append(f"{name} is {true}: narrowed to {low}..{high}")
    assert not failures, "\n".join(failures[:20])


@SETTINGS
@given(spec=pf.portfolios)
def test_no_small_count_can_be_worked_out(session, spec):
    """Every hidden count of 1 to 4 people keeps its protection interval against every
    differencing attack and against the intruder's linear program over everything
    published."""
    nested = session.begin_nested()
    try:
        portfolio, seen = _published(session, spec)
        _check_views(session, portfolio, seen)
        _no_small_count(session, portfolio, seen)
    finally:
        nested.rollback()
        session.expunge_all()  # examples share the session: nothing of one left for the next


@pytest.mark.xfail(
    reason="protect() keeps secondary cells hidden that the shown figures pin to one value "
    "(hidden for nothing; showing them after the audit would add nothing to what is known)",
    strict=False,
)
@SETTINGS
@given(spec=pf.portfolios)
def test_no_hidden_cell_can_be_worked_out_exactly(session, spec):
    """A hidden cell (primary or secondary) that the published figures pin to one value is
    hidden for nothing and contradicts the mark's promise ("hidden so that no small count can be
    worked out"). Not a disclosure of a small count (the test above), so an expected failure
    until protect() shows such cells again."""
    nested = session.begin_nested()
    try:
        portfolio, seen = _published(session, spec)
        cells = stored(session)
        published = {k[0] for k in seen}
        found = [
            f"{name}: {cell} ({cells[cell].status.value if cell in cells else '-'}) = {value}"
            for name, cell, value in differencing(seen, relations(portfolio, published))
            if not name.endswith("(at most)")
        ]
        assert not found, "\n".join(found[:20])
        intruder = _intruder(portfolio, seen)
        for cell in intruder.targets:
            low, high = _range(intruder, cell)
            assert low < high, f"{cell} ({cells[cell].status.value}) is {low}"
    finally:
        nested.rollback()
        session.expunge_all()  # examples share the session: nothing of one left for the next


def _check_views(session, portfolio, seen) -> None:
    """The board's pages (services/publications/views) show exactly these displays, so the
    attacks are attacks on the pages."""
    for publication in publications.publications(session):
        published = publications.load(
            session, publication, tables=pf.TABLES, projects=portfolio.project_ids
        )
        period = publication.period

        def display(measure, *key, period=period):
            return seen[(period, measure, key)].display

        for measure in portfolio.measures():
            if measure[0] == "ind":
                for p, figure in views.by_project(published, measure).items():
                    assert figure.display == display(measure, "project", None, None, None, p)
                continue
            for area in [None, *portfolio.areas.values()]:
                rollup = views.by_region(session, published, measure, area, locale="en")
                if area is None:
                    assert rollup.total_display == display(measure, "total", None, None, None, None)
                else:
                    assert rollup.total_display == display(measure, "area", area, None, None, None)
                for row in rollup.regions:
                    table = "region" if area is None else "area_region"
                    assert row.display == display(measure, table, area, row.code, None, None)
            if measure[0] != "std":
                continue
            for area in [None, *portfolio.areas.values()]:
                for figure in views.by_indicator(session, published, area, locale="en"):
                    if ("std", figure.standard_id) != measure:
                        continue
                    table = "total" if area is None else "area"
                    shown = display(measure, table, area, None, None, None)
                    assert figure.achieved_display == shown
                    assert figure.suppressed == (shown in (HIDDEN, NOTHING))
                    for breakdown in figure.breakdowns:
                        for cell in breakdown.cells:
                            assert cell.display == display(
                                measure, breakdown.dimension, None, None, cell.key, None
                            )


EXAMPLE = {
    "projects": [
        {
            "area": "healthcare",
            "regions": ["KZ-71", "KZ-75"],
            "starts_late": False,
            "indicators": [
                {
                    "standard": 0,
                    "cumulative": False,
                    "frequency": Frequency.QUARTERLY,
                    "results": [
                        (m, v, ("adds", 40), ("short", 50), ("none", 0))
                        for m, v in ((0, 3), (3, 12), (6, 2), (9, 30))
                    ],
                }
            ],
            "updates": [(0, 4, True), (2, 9, True)],
        },
        {
            "area": "education",
            "regions": ["KZ-11"],
            "starts_late": False,
            "indicators": [
                {
                    "standard": 0,
                    "cumulative": True,
                    "frequency": Frequency.MONTHLY,
                    "results": [
                        (m, v, ("none", 0), ("adds", 30), ("adds", 60))
                        for m, v in ((1, 7), (4, 9), (7, 1), (11, 20))
                    ],
                }
            ],
            "updates": [(1, 2, True)],
        },
    ],
    "schedule": pf.SCHEDULES[0],
}


def test_publishing_again_leaves_earlier_publications_as_they_were(session):
    portfolio = pf.build(EXAMPLE)
    publish(session, portfolio, ["2025-Q1"])
    first = snapshot(session)
    seen = pf.board_view(session, portfolio)
    assert pf.board_view(session, portfolio) == seen
    with pytest.raises(Conflict):
        publications.publish(session, portfolio.officer, "2025-Q1", pf.TODAY)
    publish(session, portfolio, ["2025-Q2", "2025-H1", "2025"])
    now = snapshot(session)
    assert {k: v for k, v in now.items() if k in first} == first
    assert {k for k in now if k[0] == "2025-Q1"} == set(first)
    again = pf.board_view(session, portfolio)
    assert {k: v for k, v in again.items() if k[0] == "2025-Q1"} == seen
    assert pf.board_view(session, portfolio) == again
    _check_views(session, portfolio, again)
    _honest(portfolio, stored(session), again)


def _cumulative(results):
    return {
        "area": "healthcare",
        "regions": ["KZ-71"],
        "starts_late": False,
        "indicators": [
            {
                "standard": 0,
                "cumulative": True,
                "frequency": Frequency.QUARTERLY,
                "results": [
                    (month, value, ("none", 0), ("none", 0), ("adds", share))
                    for month, value, share in results
                ],
            }
        ],
        "updates": [],
    }


def test_a_year_whose_cumulative_figures_earlier_periods_fix_can_be_published(session):
    """Two projects count children cumulatively (a period's figure is each project's latest).
    Q1: project A 15 (2 aged 3-6), project B 6 (2 aged 3-6), so Q1's 3-6 cell is 4, hidden.
    Q2: B 21 (13 aged 3-6). H1 (A's Q1 and B's Q2) would show 15 aged 3-6 and Q2 13: the
    difference is A's 2 children aged 3-6, no cell of any table. Q3: B 39 (none aged 3-6), so
    the year (A's Q1 and B's Q3) has a 3-6 cell of exactly that 2. Once earlier periods have
    given it away, the year can never be published; auditing each quarter's own counts of a
    cumulative indicator, not only the published cells, keeps H1 from giving it away."""
    spec = {
        "projects": [
            _cumulative([(0, 15, 14)]),  # 15 * 14 % = 2 aged 3-6, the rest 7-11
            _cumulative([(0, 6, 34), (3, 21, 62), (6, 39, 0)]),  # 2, 13, 0 aged 3-6
        ],
        "schedule": ("2025-Q1", "2025-H1", "2025-Q3", "2025"),
    }
    portfolio = pf.build(spec)
    publish(session, portfolio, spec["schedule"])
    _no_small_count(session, portfolio, pf.board_view(session, portfolio))
