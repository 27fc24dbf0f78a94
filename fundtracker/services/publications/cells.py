"""The fund's outcome tables of one calendar year as a linked set (disclosure.linked), built from
the verified results and accepted milestone updates.

What is published, per period of the grid and per measure:

    measure                          tables
    a standard indicator (counts)    total, area, region, area x region, sex, age, project
    people reached (updates)         total, area, region, area x region, project
    a project's own count indicator  project

The atoms are each report's count in one quarter, split by region, sex and age group. A report
whose region breakdown does not add up puts the rest in its project's region, or in "several
regions" when the project works in more than one (so regional tables add up to the total); a sex
or age breakdown's rest goes to "unknown". A breakdown that adds up to more than the value is not
used. A result belongs to the quarter its period ends in; for an indicator counted per period a
longer period adds up its quarters, for a cumulative one it takes the latest value in it. People
reached belong to the quarter the fund accepted their update in.

A cumulative count's figures of two periods differ by the people counted in between, a figure
never published: each such increase, and each quarter's own count and its parts (which a
period's latest figure isolates when a project stops reporting), is audited as if it were a
hidden cell (`audit_only`), and the intruder is taken to know that such a count does not go
down. Last year's latest figure of each cumulative indicator is linked in through the project
cells published of it, so that "50 by the end of 2025, 52 in 2026 Q1" is audited too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import local_day, start_of
from fundtracker.disclosure import grid
from fundtracker.disclosure.display import unsafe
from fundtracker.disclosure.linked import Cell, LinkedSet
from fundtracker.models import (
    Dimension,
    IndicatorResult,
    IndicatorType,
    Milestone,
    MilestoneUpdate,
    Project,
    ProjectIndicator,
    Publication,
    PublishedCell,
    Region,
    ResultCell,
    ResultStatus,
    UpdateStatus,
    project_regions,
)

SEVERAL = "several"
UNKNOWN = "unknown"
REACHED = ("reached", 0)

# Tables of each kind of measure, and how readily a cell of each is hidden (lower first).
TABLES = {
    "std": ("total", "area", "region", "area_region", "sex", "age", "project"),
    "reached": ("total", "area", "region", "area_region", "project"),
    "ind": ("project",),
}
RANK = {"project": 0, "area_region": 1, "region": 2, "area": 2, "sex": 2, "age": 2, "total": 4}


def measure_of(standard_id: int | None, indicator_id: int | None) -> tuple[str, int]:
    if standard_id is not None:
        return ("std", standard_id)
    if indicator_id is not None:
        return ("ind", indicator_id)
    return REACHED


@dataclass
class Slot:
    """What one project indicator (or one project's updates) reported in one quarter."""

    measure: tuple[str, int]
    source: int  # the project indicator; the project for people reached
    project: int
    area: int
    quarter: int
    cumulative: bool
    last_end: date | None = None
    value: int = 0
    reports: int = 0
    parts: dict[str, dict[str, int]] = field(default_factory=dict)  # dimension -> category

    def add(self, value: int, parts: dict[str, dict[str, int]]) -> None:
        self.value += value
        self.reports += 1
        for dimension, cells in parts.items():
            into = self.parts.setdefault(dimension, {})
            for k, v in cells.items():
                into[k] = into.get(k, 0) + v


def _split(value: int, cells: dict[str, int], default: str) -> dict[str, int]:
    """A breakdown made to add up: the rest in `default`; one adding up to more is not used."""
    given = sum(cells.values())
    if not cells or given > value:
        return {default: value} if value else {}
    out = {k: v for k, v in cells.items() if v}
    if value - given:
        out[default] = out.get(default, 0) + value - given
    return out


@dataclass
class Data:
    """A year's reports, as slots, with what placing them needs."""

    year: int
    slots: list[Slot]
    # measure -> project -> (area, first day, last day): who could have reported
    members: dict[tuple[str, int], dict[int, tuple[int, date, date]]]
    # measure -> project -> its indicators' targets added up (plans, not counts of people)
    targets: dict[tuple[str, int], dict[int, int]] = field(default_factory=dict)
    # Last year, for cumulative indicators: each one's latest verified figure, and the project
    # cells published of those figures (measure, project) -> [(period, value, status)].
    prior: dict[int, int] = field(default_factory=dict)
    prior_of: dict[int, tuple[tuple[str, int], int]] = field(default_factory=dict)
    prior_cells: dict[tuple[tuple[str, int], int], list[tuple[str, int, str]]] = field(
        default_factory=dict
    )


def _regions(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for project_id, code in session.execute(
        select(project_regions.c.project_id, Region.code).join(
            Region, Region.id == project_regions.c.region_id
        )
    ):
        out[project_id].append(code)
    return out


def _default_region(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else SEVERAL


def load(session: Session, year: int) -> Data:
    first, last = date(year, 1, 1), date(year, 12, 31)
    regions = _regions(session)
    members: dict[tuple[str, int], dict[int, tuple[int, date, date]]] = defaultdict(dict)
    indicators = {}
    targets: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
    for ind_id, standard_id, cumulative, target, project_id, area_id, start, end in session.execute(
        select(
            ProjectIndicator.id,
            ProjectIndicator.standard_id,
            ProjectIndicator.cumulative,
            ProjectIndicator.target,
            Project.id,
            Project.area_id,
            Project.start_date,
            Project.end_date,
        )
        .join(ProjectIndicator.project)
        .where(ProjectIndicator.type == IndicatorType.COUNT)
    ):
        measure = measure_of(standard_id, ind_id)
        indicators[ind_id] = (measure, cumulative, project_id, area_id)
        if start <= last and end >= first:
            members[measure][project_id] = (area_id, start, end)
            targets[measure][project_id] = targets[measure].get(project_id, 0) + (target or 0)

    in_year = (
        IndicatorResult.status == ResultStatus.VERIFIED,
        IndicatorResult.period_end >= first,
        IndicatorResult.period_end <= last,
    )
    breakdowns: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for result_id, dimension, category, value in session.execute(
        select(ResultCell.result_id, ResultCell.dimension, ResultCell.category, ResultCell.value)
        .join(IndicatorResult, IndicatorResult.id == ResultCell.result_id)
        .where(*in_year)
    ):
        dimension = getattr(dimension, "value", dimension)
        breakdowns[result_id].setdefault(dimension, {})[category] = value

    slots: dict[tuple[int, int], Slot] = {}
    for result_id, ind_id, period_end, value in session.execute(
        select(
            IndicatorResult.id,
            IndicatorResult.indicator_id,
            IndicatorResult.period_end,
            IndicatorResult.value,
        )
        .where(*in_year)
        .order_by(IndicatorResult.period_end, IndicatorResult.id)
    ):
        if ind_id not in indicators:
            continue  # a percentage or yes/no: not a count of people
        measure, cumulative, project_id, area_id = indicators[ind_id]
        quarter = grid.quarter_of(period_end)[1]
        given = breakdowns.get(result_id, {})
        parts = {}
        if measure[0] != "ind":
            parts[Dimension.REGION.value] = _split(
                value, given.get("region", {}), _default_region(regions.get(project_id, []))
            )
        if measure[0] == "std":
            for dimension in (Dimension.SEX.value, Dimension.AGE.value):
                if dimension in given:
                    parts[dimension] = _split(value, given[dimension], UNKNOWN)
                elif value:
                    parts[dimension] = {UNKNOWN: value}
        key = (ind_id, quarter)
        if key not in slots or cumulative:
            # A cumulative indicator's quarter is its latest value (results come in order).
            slots[key] = Slot(measure, ind_id, project_id, area_id, quarter, cumulative)
        slots[key].add(value, parts)
        slots[key].last_end = period_end

    for s in slots.values():
        members[s.measure].setdefault(s.project, (s.area, first, last))
    _reached(session, year, regions, slots, members)
    data = Data(year, list(slots.values()), dict(members), dict(targets))
    _prior(session, data, indicators)
    return data


def _prior(session: Session, data: Data, indicators: dict) -> None:
    """Last year's latest figure of each cumulative indicator, and the project cells of last
    year's publications that are exactly those figures (a project whose indicators of the
    measure are all cumulative, in a period holding each one's latest quarter)."""
    year = data.year - 1
    cumulative = {i for i, (_m, c, _p, _a) in indicators.items() if c}
    if not cumulative:
        return
    latest: dict[int, tuple[date, int]] = {}
    for ind_id, period_end, value in session.execute(
        select(IndicatorResult.indicator_id, IndicatorResult.period_end, IndicatorResult.value)
        .where(
            IndicatorResult.status == ResultStatus.VERIFIED,
            IndicatorResult.period_end >= date(year, 1, 1),
            IndicatorResult.period_end <= date(year, 12, 31),
            IndicatorResult.indicator_id.in_(cumulative),
        )
        .order_by(IndicatorResult.period_end, IndicatorResult.id)
    ):
        latest[ind_id] = (period_end, value)
    if not latest:
        return
    data.prior = {i: v for i, (_end, v) in latest.items()}
    data.prior_of = {i: (indicators[i][0], indicators[i][2]) for i in latest}
    by_project: dict[tuple[tuple[str, int], int], list[int]] = defaultdict(list)
    for ind_id, (measure, _c, project_id, _a) in indicators.items():
        by_project[(measure, project_id)].append(ind_id)
    wanted = {
        key: inds
        for key, inds in by_project.items()
        if key[0] != REACHED and all(i in latest for i in inds)
    }
    if not wanted:
        return
    for period, standard_id, indicator_id, project_id, value, status in session.execute(
        select(
            Publication.period,
            PublishedCell.standard_id,
            PublishedCell.indicator_id,
            PublishedCell.project_id,
            PublishedCell.value,
            PublishedCell.status,
        )
        .join(Publication, Publication.id == PublishedCell.publication_id)
        .where(
            Publication.period_start >= date(year, 1, 1),
            Publication.period_end <= date(year, 12, 31),
            PublishedCell.table == "project",
            PublishedCell.project_id.in_({p for _m, p in wanted}),
        )
    ):
        key = (measure_of(standard_id, indicator_id), project_id)
        inds = wanted.get(key)
        if inds is None:
            continue
        quarters = set(grid.parse(period).quarters)
        if not all(grid.quarter_of(latest[i][0])[1] in quarters for i in inds):
            continue  # an earlier figure of the year
        if value != sum(data.prior[i] for i in inds):
            continue  # not the figures of today's data: the audit cannot use it
        status = getattr(status, "value", status)
        data.prior_cells.setdefault(key, []).append((period, value, status))


def _reached(session, year, regions, slots, members) -> None:
    first, last = date(year, 1, 1), date(year, 12, 31)
    for project_id, area_id, start, end in session.execute(
        select(Project.id, Project.area_id, Project.start_date, Project.end_date).where(
            Project.start_date <= last, Project.end_date >= first
        )
    ):
        members[REACHED][project_id] = (area_id, start, end)
    for project_id, area_id, people, reviewed_at in session.execute(
        select(
            Milestone.project_id,
            Project.area_id,
            MilestoneUpdate.beneficiaries,
            MilestoneUpdate.reviewed_at,
        )
        .join(MilestoneUpdate.milestone)
        .join(Project, Project.id == Milestone.project_id)
        .where(
            MilestoneUpdate.status == UpdateStatus.ACCEPTED,
            MilestoneUpdate.beneficiaries.is_not(None),
            MilestoneUpdate.reviewed_at >= start_of(first),
            MilestoneUpdate.reviewed_at < start_of(date(year + 1, 1, 1)),
        )
    ):
        day = local_day(reviewed_at)
        quarter = grid.quarter_of(day)[1]
        key = (-project_id, quarter)  # negative: not a project indicator's id
        if key not in slots:
            slots[key] = Slot(REACHED, project_id, project_id, area_id, quarter, False)
        region = _default_region(regions.get(project_id, []))
        slots[key].add(people, {Dimension.REGION.value: {region: people} if people else {}})
        members[REACHED].setdefault(project_id, (area_id, date(year, 1, 1), date(year, 12, 31)))


CellKey = tuple  # (period, measure kind, measure id, table, area, region, category, project)


@dataclass
class Built:
    """One measure's tables over the periods: measures share no atom, so each is a linked set
    of its own, protected and audited on its own."""

    measure: tuple[str, int]
    linked: LinkedSet
    index: dict[CellKey, int]  # cell key -> index into linked.cells
    projects: dict[int, set[int]]  # cell index -> projects whose reports went into it
    reports: dict[int, int]  # cell index -> reports that went into it
    # cell index -> targets of the projects that could report into it, for the total, an
    # area's and a project's cells (a region's has none: targets are set per project)
    targets: dict[int, int] = field(default_factory=dict)


class _Atoms:
    """Each slot's atoms: its value, and its parts by region, sex and age group."""

    def __init__(self, linked: LinkedSet):
        self.linked = linked
        self.of: dict[int, tuple[int, dict[str, dict[str, int]]]] = {}

    def __call__(self, slot: Slot) -> tuple[int, dict[str, dict[str, int]]]:
        key = id(slot)
        if key not in self.of:
            value_atom = self.linked.atom()
            parts = {}
            for dimension, cells in slot.parts.items():
                cells = {k: v for k, v in cells.items() if v}
                if len(cells) == 1:
                    parts[dimension] = {next(iter(cells)): value_atom}
                elif cells:
                    atoms = {k: self.linked.atom() for k in cells}
                    parts[dimension] = atoms
                    self.linked.ties.append(
                        [(value_atom, -1.0)] + [(a, 1.0) for a in atoms.values()]
                    )
            self.of[key] = (value_atom, parts)
        return self.of[key]


def _in_period(slots: list[Slot], period: grid.Period) -> list[Slot]:
    """The slots a period adds up: every quarter of it for a count per period, the latest
    quarter that has a value for a cumulative one."""
    quarters = set(period.quarters)
    chosen = [s for s in slots if s.quarter in quarters]
    latest: dict[int, Slot] = {}
    out = []
    for s in chosen:
        if not s.cumulative:
            out.append(s)
        elif s.source not in latest or s.quarter > latest[s.source].quarter:
            latest[s.source] = s
    return out + list(latest.values())


def build(data: Data, periods: list[grid.Period], fixed: dict[CellKey, object]) -> list[Built]:
    """The linked sets of the `periods` (all of one year), one per measure. `fixed`: cells
    published before, by key, with `.status`; those periods' cells are built the same way and
    kept as they are."""
    by_measure: dict[tuple[str, int], list[Slot]] = defaultdict(list)
    for s in data.slots:
        by_measure[s.measure].append(s)
    out = []
    for measure in sorted(set(by_measure) | set(data.members)):
        built = _build_measure(
            measure, by_measure.get(measure, []), data.members.get(measure, {}), periods, data
        )
        for key, i in built.index.items():
            if key in fixed:
                built.linked.cells[i].keep(fixed[key].status.value)
        if measure[0] == "std":
            _targets(built, data.members.get(measure, {}), data.targets.get(measure, {}))
        out.append(built)
    return out


def _targets(built: Built, members: dict, targets: dict[int, int]) -> None:
    """The targets of a standard indicator's total, areas and projects: those of the projects
    working in the period (the achieved figure counts what they reported in it)."""
    for key, i in built.index.items():
        period, _kind, _mid, table, area, _region, _category, project = key
        if table == "project":
            built.targets[i] = targets.get(project, 0)
        elif table in ("total", "area"):
            p = grid.parse(period)
            built.targets[i] = sum(
                targets.get(pid, 0)
                for pid, (parea, start, end) in members.items()
                if start <= p.end and end >= p.start and (table == "total" or parea == area)
            )


def _cell(built: Built, key: CellKey, rank: int) -> int:
    if key not in built.index:
        i = built.index[key] = built.linked.add(Cell(key, [], 0, rank=rank))
        built.projects[i] = set()
        built.reports[i] = 0
    return built.index[key]


def _put(built: Built, key: CellKey, rank: int, atom: int, value: int, slot: Slot) -> None:
    i = _cell(built, key, rank)
    if value:
        built.linked.cells[i].atoms.append(atom)
        built.linked.cells[i].value += value
    built.projects[i].add(slot.project)
    built.reports[i] += slot.reports


def _place(built: Built, slot_atoms, s: Slot, base: tuple, level: int, kind: str, dims) -> None:
    """Put one slot's atoms into every cell of the period it belongs to."""
    value_atom, parts = slot_atoms
    keys = [("project", None, None, None, s.project)]
    if kind != "ind":
        keys += [("total", None, None, None, None), ("area", s.area, None, None, None)]
    for table, area, region, category, project in keys:
        key = (*base, table, area, region, category, project)
        _put(built, key, RANK[table] + level, value_atom, s.value, s)
    for dimension, cells in parts.items():
        if dimension != "region" and dimension not in dims:
            continue
        for category, atom in cells.items():
            value = s.parts[dimension][category]
            if dimension == "region":
                for table, area in (("region", None), ("area_region", s.area)):
                    key = (*base, table, area, category, None, None)
                    _put(built, key, RANK[table] + level, atom, value, s)
            else:
                key = (*base, dimension, None, None, category, None)
                _put(built, key, RANK[dimension] + level, atom, value, s)


def _build_measure(measure, slots, members, periods, data: Data) -> Built:
    linked = LinkedSet()
    atoms = _Atoms(linked)
    built = Built(measure, linked, {}, {}, {})
    kind = measure[0]
    dims = {d for s in slots for d, cells in s.parts.items() if set(cells) - {UNKNOWN}}

    for period in periods:
        level = {"Q": 0, "H": 1, "Y": 2}[period.kind]
        base = (period.key, *measure)
        for project, (area, start, end) in members.items():
            if start <= period.end and end >= period.start:
                # Projects that could have reported: "nothing reported" when none did.
                _cell(built, (*base, "project", None, None, None, project), RANK["project"] + level)
                if kind != "ind":
                    _cell(built, (*base, "total", None, None, None, None), RANK["total"] + level)
                    _cell(built, (*base, "area", area, None, None, None), RANK["area"] + level)
        for s in _in_period(slots, period):
            _place(built, atoms(s), s, base, level, kind, dims)
    _relations(built, periods, members, cumulative=any(s.cumulative for s in slots))
    if any(s.cumulative for s in slots):
        _increases(built, atoms, slots, kind, dims, data)
    return built


def _increases(built: Built, atoms: _Atoms, slots: list[Slot], kind: str, dims, data) -> None:
    """A cumulative indicator's counts, quarter after quarter (last year's latest first): each
    count and each increase of 1 to 4 people, by itself and in each region, sex and age group,
    is audited though never published; each increase that is not negative is an atom of its
    own, tied to the two counts, so the intruder knows the count does not go down."""
    linked = built.linked
    audited: set[int] = set()
    tied: set[tuple[int, int]] = set()

    def audit(atom: int, value: int, key: tuple) -> None:
        if unsafe(value) and atom not in audited:
            audited.add(atom)
            linked.add(Cell(key, [atom], value, audit_only=True))

    def families(s: Slot) -> dict[tuple, tuple[int, int]]:
        value_atom, parts = atoms(s)
        out = {("value", None): (value_atom, s.value)}
        for dimension, cells in parts.items():
            if dimension == "region" and kind == "ind" or dimension not in dims | {"region"}:
                continue
            for category, atom in cells.items():
                out[(dimension, category)] = (atom, s.parts[dimension][category])
        return out

    prior = _prior_atoms(built, data)
    chains: dict[int, list[Slot]] = defaultdict(list)
    for s in slots:
        if s.cumulative:
            chains[s.source].append(s)
    for source, chain in chains.items():
        chain.sort(key=lambda s: s.quarter)
        before = {}
        if source in prior:
            before = {("value", None): (prior[source], data.prior[source])}
        for s in chain:
            now = families(s)
            for (family, category), (atom, value) in now.items():
                key = ("count", source, s.quarter, family, category)
                audit(atom, value, key)
                if (family, category) not in before:
                    continue
                earlier, earlier_value = before[(family, category)]
                increase = value - earlier_value
                if increase < 0 or (atom, earlier) in tied or atom == earlier:
                    continue
                tied.add((atom, earlier))
                d = linked.atom()
                linked.ties.append([(atom, 1.0), (earlier, -1.0), (d, -1.0)])
                audit(d, increase, ("increase", source, s.quarter, family, category))
            before = now


def _prior_atoms(built: Built, data: Data) -> dict[int, int]:
    """Last year's latest count of each cumulative indicator of the measure as an atom, with the
    project cells published of them: a shown one is known, a hidden primary one is audited
    again (today's figures may narrow it)."""
    out: dict[int, int] = {}
    by_project: dict[int, list[int]] = defaultdict(list)
    for ind_id, (measure, project) in data.prior_of.items():
        if measure == built.measure:
            out[ind_id] = built.linked.atom()
            by_project[project].append(out[ind_id])
    for project, own in by_project.items():
        for period, value, status in data.prior_cells.get((built.measure, project), []):
            cell = Cell(("prior", period, project), own, value)
            cell.keep(status)
            built.linked.add(cell)
    return out


def _relations(built: Built, periods, members, *, cumulative: bool) -> None:
    """Which cells are sums of which: within each table, and across the grid (for a count per
    period only: a cumulative figure of a year is not the sum of its quarters)."""
    linked, index = built.linked, built.index
    groups: dict[tuple, list[int]] = defaultdict(list)
    for key, i in index.items():
        period, kind, mid, table, area, region, category, project = key
        head = (period, kind, mid)
        if table in ("area", "region", "sex", "age"):
            groups[(*head, "total", None, None, None, None, table)].append(i)
        elif table == "area_region":
            groups[(*head, "area", area, None, None, None, "ar")].append(i)
            groups[(*head, "region", None, region, None, None, "ar")].append(i)
        elif table == "project" and kind != "ind":
            area = members[project][0]
            groups[(*head, "area", area, None, None, None, "p")].append(i)
    for group, children in groups.items():
        parent = index.get(group[:8])
        if parent is not None:
            linked.relations.append((parent, children))
    # A region's, a sex's or an age group's cell is made of its projects' counts: not exactly
    # their cells (a project may be split between regions), but hiding one of them needs a
    # partner among the others all the same. The audit checks what this only suggests.
    for key, i in index.items():
        if key[3] in ("region", "area_region", "sex", "age"):
            parts = (
                index.get((*key[:3], "project", None, None, None, p)) for p in built.projects[i]
            )
            children = [c for c in parts if c is not None]
            if len(children) > 1:
                linked.relations.append((i, children))
    if cumulative:
        return
    keys = {p.key for p in periods}
    for key, i in index.items():
        period = grid.parse(key[0])
        if period.kind == "Q" or not all(p.key in keys for p in period.parts()):
            continue
        children = [index[c] for c in ((p.key, *key[1:]) for p in period.parts()) if c in index]
        if children:
            linked.relations.append((i, children))
