"""Random small portfolios for the attack suite: a Hypothesis strategy, a builder that writes one
through tests/factories.py, what every published cell truly is (worked out from the spec alone,
by the rules of services/publications/cells.py's docstring, not by its code), and the board's
view of the publications: every cell any output can show, as displays only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from hypothesis import strategies as st

from fundtracker.core.extensions import db
from fundtracker.disclosure import grid
from fundtracker.disclosure.display import HIDDEN, NOTHING
from fundtracker.models import (
    AGE_GROUPS,
    Frequency,
    MilestoneUpdate,
    ResultStatus,
    Role,
    UpdateStatus,
)
from fundtracker.services import publications
from fundtracker.services.outcomes import period_of
from tests import factories

YEAR = 2025
TODAY = date(YEAR + 1, 2, 2)
AREAS = ("healthcare", "education", "social_protection")
REGIONS = ("KZ-71", "KZ-75", "KZ-11")
SEVERAL = "several"
UNKNOWN = "unknown"
SEXES = ("female", "male", UNKNOWN)
AGES = (*AGE_GROUPS, UNKNOWN)
QUARTERS = [grid.Period(YEAR, "Q", q) for q in (1, 2, 3, 4)]
PERIODS = grid.Period(YEAR, "Y", 1).within()  # Q1..Q4, H1, H2, the year
REACHED = publications.REACHED

# Orders in which an officer publishes the year: quarters one by one, a half-year between, then
# the year (which publishes what is left of it).
SCHEDULES = (
    ("2025-Q1", "2025-Q2", "2025-H1", "2025-Q3", "2025"),
    ("2025-Q1", "2025-H1", "2025-Q3", "2025"),
    ("2025-Q2", "2025-Q1", "2025-H2", "2025"),
    ("2025-H1", "2025"),
    ("2025",),
)

# A count of people: mostly 0 to 6, sometimes up to 40.
counts = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 40))
# A breakdown: none, adding up, falling short of the value, or adding up to more than it.
breakdowns = st.tuples(st.sampled_from(("none", "adds", "short", "over")), st.integers(0, 100))
results = st.tuples(st.integers(0, 11), counts, breakdowns, breakdowns, breakdowns)
indicators = st.fixed_dictionaries(
    {
        "standard": st.sampled_from((0, 1, "own")),
        "cumulative": st.booleans(),
        "frequency": st.sampled_from(
            (Frequency.QUARTERLY, Frequency.QUARTERLY, Frequency.MONTHLY, Frequency.HALF_YEARLY)
        ),
        "results": st.lists(results, max_size=5),
    }
)
projects = st.fixed_dictionaries(
    {
        "area": st.sampled_from(AREAS),
        "regions": st.one_of(
            st.lists(st.sampled_from(REGIONS), min_size=1, max_size=1),
            st.lists(st.sampled_from(REGIONS), min_size=2, max_size=3, unique=True),
        ),
        "starts_late": st.booleans(),  # starts in the second quarter
        "indicators": st.lists(indicators, max_size=2, unique_by=lambda i: i["standard"]),
        # (quarter, people reached, accepted)
        "updates": st.lists(st.tuples(st.integers(0, 3), counts, st.booleans()), max_size=3),
    }
)
portfolios = st.fixed_dictionaries(
    {
        "projects": st.lists(projects, min_size=2, max_size=6),
        "schedule": st.sampled_from(SCHEDULES),
    }
)


def _parts(value: int, mode: tuple[str, int], keys: list[str]) -> dict[str, int] | None:
    """A breakdown of `value` over `keys` as a grantee might report it."""
    kind, share = mode
    if kind == "none" or not keys:
        return None
    first = value * share // 100
    out = {k: 0 for k in keys}
    out[keys[0]] = first
    if len(keys) > 1:
        out[keys[1]] = value - first
    else:
        out[keys[0]] = value
    if kind == "short" and value:
        out[keys[-1]] = max(0, out[keys[-1]] - (1 + share % 3))
    elif kind == "over":
        out[keys[-1]] += 1 + share % 4
    return out


def split(value: int, given: dict[str, int] | None, default: str) -> dict[str, int]:
    """The rule: a breakdown adding up to more than the value is not used; what it leaves out
    goes to `default`; zeros are not cells."""
    if not given or sum(given.values()) > value:
        return {default: value} if value else {}
    out = {k: v for k, v in given.items() if v}
    rest = value - sum(given.values())
    if rest:
        out[default] = out.get(default, 0) + rest
    return out


def _add(into: dict[str, int], parts: dict[str, int]) -> None:
    for k, v in parts.items():
        into[k] = into.get(k, 0) + v


@dataclass
class Slot:
    """What one project reported for one measure in one quarter: its value and its parts."""

    value: int = 0
    parts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, value: int, parts: dict[str, dict[str, int]]) -> None:
        self.value += value
        for dimension, cells in parts.items():
            _add(self.parts.setdefault(dimension, {}), cells)


@dataclass
class Line:
    """One measure of one project: the public facts (area, regions, cumulative or not) and the
    quarters it reported in, with what it truly reported (for checking only)."""

    project: int
    area: int
    regions: list[str]  # where its people can be: its regions, "several" for a multi-region one
    cumulative: bool
    quarters: dict[int, Slot] = field(default_factory=dict)  # quarter (1-4) -> slot

    def latest(self, period: grid.Period) -> int | None:
        """The latest quarter of `period` it reported in."""
        found = [q for q in period.quarters if q in self.quarters]
        return found[-1] if found else None

    def slot(self, period: grid.Period) -> Slot:
        """What it counts for in `period`: its quarters added up, or the latest one when
        cumulative."""
        if self.cumulative:
            q = self.latest(period)
            return self.quarters[q] if q else Slot()
        total = Slot()
        for q in period.quarters:
            if q in self.quarters:
                total.add(self.quarters[q].value, self.quarters[q].parts)
        return total


@dataclass
class Portfolio:
    """A generated portfolio as written to the database."""

    officer: object
    board: object
    areas: dict[str, int]  # code -> id
    project_ids: list[int]
    project_area: dict[int, int]
    # measure -> project -> Line
    lines: dict[tuple[str, int], dict[int, Line]] = field(default_factory=dict)

    def measures(self) -> list[tuple[str, int]]:
        return sorted(self.lines)

    def dims(self, measure) -> set[str]:
        """The breakdowns the measure is published by: sex and age when some report of the year
        gives a known category."""
        if measure[0] != "std":
            return set()
        out = set()
        for line in self.lines[measure].values():
            for s in line.quarters.values():
                for dimension in ("sex", "age"):
                    if set(s.parts.get(dimension, {})) - {UNKNOWN}:
                        out.add(dimension)
        return out


def build(spec: dict) -> Portfolio:
    officer = factories.UserFactory(role=Role.OFFICER)
    board = factories.UserFactory(role=Role.BOARD)
    standards = [factories.StandardIndicatorFactory() for _ in range(2)]
    areas = {code: factories.area(code).id for code in AREAS}
    portfolio = Portfolio(officer, board, areas, [], {})
    for p in spec["projects"]:
        project = factories.ProjectFactory(
            area=factories.area(p["area"]),
            regions=[factories.region(code) for code in p["regions"]],
            start_date=date(YEAR, 4, 10) if p["starts_late"] else date(YEAR - 1, 6, 1),
            end_date=date(YEAR + 1, 12, 31),
        )
        portfolio.project_ids.append(project.id)
        portfolio.project_area[project.id] = project.area_id
        places = list(p["regions"]) + ([SEVERAL] if len(p["regions"]) > 1 else [])
        default = p["regions"][0] if len(p["regions"]) == 1 else SEVERAL
        for spec_ind in p["indicators"]:
            own = spec_ind["standard"] == "own"
            indicator = factories.ProjectIndicatorFactory(
                project=project,
                standard=None if own else standards[spec_ind["standard"]],
                name="Families supported" if own else "",
                cumulative=spec_ind["cumulative"],
                frequency=spec_ind["frequency"],
                by_region=len(p["regions"]) > 1,
                by_sex=True,
                by_age=True,
            )
            measure = ("ind", indicator.id) if own else ("std", indicator.standard_id)
            line = Line(project.id, project.area_id, places, spec_ind["cumulative"])
            portfolio.lines.setdefault(measure, {})[project.id] = line
            seen = set()
            rows = []
            for month, value, region_mode, sex_mode, age_mode in spec_ind["results"]:
                start, end = period_of(spec_ind["frequency"], date(YEAR, month + 1, 1))
                if start in seen:
                    continue
                seen.add(start)
                cells = {}
                given_region = _parts(value, region_mode, list(p["regions"]))
                if given_region is not None and len(p["regions"]) > 1:
                    cells["region"] = given_region
                for dimension, mode, keys in (
                    ("sex", sex_mode, ["female", "male"]),
                    ("age", age_mode, ["3-6", "7-11", "12-17"]),
                ):
                    given = _parts(value, mode, keys)
                    if given is not None:
                        cells[dimension] = given
                factories.indicator_result(
                    indicator, start, value, status=ResultStatus.VERIFIED, cells=cells
                )
                rows.append((end, value, cells))
            for end, value, cells in sorted(rows, key=lambda r: r[0]):
                parts = {}
                if not own:
                    parts["region"] = split(value, cells.get("region"), default)
                    parts["sex"] = split(value, cells.get("sex"), UNKNOWN)
                    parts["age"] = split(value, cells.get("age"), UNKNOWN)
                q = grid.quarter_of(end)[1]
                if spec_ind["cumulative"] or q not in line.quarters:
                    line.quarters[q] = Slot()  # a cumulative quarter is its latest value
                line.quarters[q].add(value, parts)
        # People reached: accepted milestone updates, by the quarter they were accepted in.
        line = Line(project.id, project.area_id, places, False)
        portfolio.lines.setdefault(REACHED, {})[project.id] = line
        if p["updates"]:
            author = factories.UserFactory(role=Role.GRANTEE, organisation=project.organisation)
            milestone = factories.MilestoneFactory(project=project, due_date=date(YEAR, 12, 1))
            for quarter, people, accepted in p["updates"]:
                when = datetime(YEAR, 3 * quarter + 2, 14, 6, 0, tzinfo=UTC)
                db.session.add(
                    MilestoneUpdate(
                        milestone=milestone,
                        author_id=author.id,
                        status=UpdateStatus.ACCEPTED if accepted else UpdateStatus.SUBMITTED,
                        narrative="Done.",
                        progress=50,
                        beneficiaries=people,
                        submitted_at=when,
                        reviewed_at=when if accepted else None,
                        reviewed_by_id=officer.id if accepted else None,
                    )
                )
                if accepted:
                    slot = line.quarters.setdefault(quarter + 1, Slot())
                    slot.add(people, {"region": {default: people} if people else {}})
            db.session.flush()
    return portfolio


# What the board reads ----------------------------------------------------------------------------

TABLES = ("total", "area", "region", "area_region", "sex", "age")


def keys_of(portfolio: Portfolio, measure) -> list[tuple]:
    """Every cell any output can show for a measure in a period: (table, area, region,
    category, project). A cell not stored reads as nothing reported."""
    lines = portfolio.lines[measure]
    out = [("project", None, None, None, p) for p in lines]
    if measure[0] == "ind":
        return out
    areas = sorted(portfolio.areas.values())
    places = sorted({r for line in lines.values() for r in line.regions})
    out += [("total", None, None, None, None)]
    out += [("area", a, None, None, None) for a in areas]
    out += [("region", None, r, None, None) for r in places]
    out += [("area_region", a, r, None, None) for a in areas for r in places]
    dims = portfolio.dims(measure)
    if "sex" in dims:
        out += [("sex", None, None, c, None) for c in SEXES]
    if "age" in dims:
        out += [("age", None, None, c, None) for c in AGES]
    return out


@dataclass(frozen=True)
class Seen:
    """One cell as the board sees it: its display and its count of projects, nothing else."""

    display: str
    projects: int

    @property
    def hidden(self) -> bool:
        return self.display == HIDDEN

    @property
    def known(self) -> int | None:
        """What the display says the value is: the number; 0 for nothing reported (or a hidden
        cell no project reported in); None when hidden."""
        if self.display == NOTHING:
            return 0
        if self.display == HIDDEN:
            return 0 if self.projects == 0 else None
        return int(self.display.replace("\u202f", "").replace(",", ""))


def board_view(session, portfolio: Portfolio) -> dict[tuple, Seen]:
    """Every published cell as the board can read it: {(period, measure, key): Seen}, read
    through publications.load with every table and every project's cells."""
    out = {}
    for publication in publications.publications(session):
        published = publications.load(
            session, publication, tables=TABLES, projects=portfolio.project_ids
        )
        for measure in portfolio.measures():
            for key in keys_of(portfolio, measure):
                table, area, region, category, project = key
                figure = published.get(
                    measure, table, area=area, region=region, category=category, project=project
                )
                out[(publication.period, measure, key)] = Seen(figure.display, figure.projects)
    return out


def truth(portfolio: Portfolio, measure, period: grid.Period, key: tuple) -> int:
    """What a cell truly is, from the generated data alone."""
    table, area, region, category, project = key
    total = 0
    for p, line in portfolio.lines[measure].items():
        if project is not None and p != project:
            continue
        if area is not None and line.area != area:
            continue
        slot = line.slot(period)
        if table in ("region", "area_region"):
            total += slot.parts.get("region", {}).get(region, 0)
        elif table in ("sex", "age"):
            total += slot.parts.get(table, {}).get(category, 0)
        else:
            total += slot.value
    return total
