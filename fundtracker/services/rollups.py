"""Portfolio roll-ups of verified results: achieved against target by standard indicator, by
programme area and by region over a chosen period, and a project's own results over time.

Everything returned is a plain dataclass (no ORM objects, no request), with display strings
already suppressed for the audience, so that pages, exports and the PDF reports share them.

How periods add up: a result belongs to a range when its period ends inside it. For an indicator
counted per period the results in the range are added up; for a cumulative indicator the
achieved value is its latest verified value in the range, not a sum. Only indicators that count
(not percentages or yes/no) are added across projects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select, union, union_all
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions, privacy
from fundtracker.core.i18n import current_locale
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Dimension,
    IndicatorResult,
    IndicatorType,
    ProgrammeArea,
    Project,
    ProjectIndicator,
    Region,
    ResultCell,
    ResultStatus,
    StandardIndicator,
    project_regions,
)
from fundtracker.services.outcomes import period_label

UNATTRIBUTED = "—"


# Results -----------------------------------------------------------------------------------------


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


# Totals of a period, added up in SQL --------------------------------------------------------------

Key = tuple[int, int]  # (programme area, standard indicator)


@dataclass
class Totals:
    """The verified results of one period, added up in SQL per programme area and standard
    indicator, with what placing them by region needs: every roll-up of the period is worked out
    from these few sums. A page loads them once (`period_totals`) and passes them to each roll-up.

    `values`: per key, the achieved values of its project indicators added up by how they are
    placed by region: (placed by region cells, the project's only region or None) -> sum.
    `cells`: per key, their breakdown cells added up: (dimension, category, the category is one
    of the project's regions) -> sum."""

    period_start: date | None
    period_end: date | None
    values: dict[Key, dict[tuple[bool, str | None], int]]
    cells: dict[Key, dict[tuple[str, str, bool], int]]
    # Read on first use, for this request only: targets per region filter, the library, the
    # codes of the regions filtered on.
    targets: dict[str | None, dict[Key, tuple[int, int]]] = field(default_factory=dict)
    standards: dict[int, StandardIndicator] | None = None
    region_codes: dict[int, str] = field(default_factory=dict)


def _in_range(period_start: date | None, period_end: date | None) -> list:
    """Conditions on a result: verified, its period ending in the range."""
    conditions = [IndicatorResult.status == ResultStatus.VERIFIED]
    if period_start is not None:
        conditions.append(IndicatorResult.period_end >= period_start)
    if period_end is not None:
        conditions.append(IndicatorResult.period_end <= period_end)
    return conditions


def _counts(*, cumulative: bool) -> list:
    """Conditions on a project indicator that a roll-up adds up: a count linked to the library,
    cumulative or not."""
    return [
        ProjectIndicator.type == IndicatorType.COUNT,
        ProjectIndicator.standard_id.is_not(None),
        ProjectIndicator.cumulative.is_(cumulative),
    ]


def _latest(period_start: date | None, period_end: date | None):
    """The result that counts of each cumulative indicator: its latest verified in the range."""
    ranked = (
        select(
            IndicatorResult.id,
            IndicatorResult.indicator_id,
            IndicatorResult.value,
            func.row_number()
            .over(
                partition_by=IndicatorResult.indicator_id,
                order_by=(IndicatorResult.period_end.desc(), IndicatorResult.period_start.desc()),
            )
            .label("n"),
        )
        .join(IndicatorResult.indicator)
        .where(*_in_range(period_start, period_end), *_counts(cumulative=True))
        .subquery()
    )
    return (
        select(ranked.c.id, ranked.c.indicator_id, ranked.c.value).where(ranked.c.n == 1).subquery()
    )


def period_totals(session: Session, period_start: date | None, period_end: date | None) -> Totals:
    """The verified results of the period added up in SQL, in two queries whatever their
    number. Per project indicator first (the results of one counted per period are summed, a
    cumulative one's latest is taken), then per programme area and standard indicator."""
    in_range = _in_range(period_start, period_end)
    latest = _latest(period_start, period_end)

    sums = (
        select(IndicatorResult.indicator_id, func.sum(IndicatorResult.value).label("value"))
        .where(*in_range)
        .group_by(IndicatorResult.indicator_id)
        .subquery()
    )
    per_indicator = union_all(
        select(sums.c.indicator_id, sums.c.value)
        .join(ProjectIndicator, ProjectIndicator.id == sums.c.indicator_id)
        .where(*_counts(cumulative=False)),
        select(latest.c.indicator_id, latest.c.value),
    ).subquery()
    # Placed by its region cells: a project indicator any of whose counted results has one
    # (region cells are few: found first, then their results).
    with_region_cells = select(ResultCell.result_id).where(ResultCell.dimension == Dimension.REGION)
    placed = union(
        select(IndicatorResult.indicator_id)
        .join(IndicatorResult.indicator)
        .where(IndicatorResult.id.in_(with_region_cells), *in_range, *_counts(cumulative=False)),
        select(latest.c.indicator_id).where(latest.c.id.in_(with_region_cells)),
    ).subquery()
    only_region = (
        select(project_regions.c.project_id, func.min(Region.code).label("code"))
        .join(Region, Region.id == project_regions.c.region_id)
        .group_by(project_regions.c.project_id)
        .having(func.count() == 1)
        .subquery()
    )
    indicators = (
        select(
            Project.area_id,
            ProjectIndicator.standard_id,
            placed.c.indicator_id.is_not(None).label("placed"),
            only_region.c.code,
            per_indicator.c.value,
        )
        .select_from(per_indicator)
        .join(ProjectIndicator, ProjectIndicator.id == per_indicator.c.indicator_id)
        .join(ProjectIndicator.project)
        .outerjoin(only_region, only_region.c.project_id == Project.id)
        .outerjoin(placed, placed.c.indicator_id == ProjectIndicator.id)
        .subquery()
    )
    values: dict[Key, dict[tuple[bool, str | None], int]] = defaultdict(dict)
    for area, standard_id, is_placed, code, value in session.execute(
        select(*indicators.c[:4], func.sum(indicators.c.value)).group_by(*indicators.c[:4])
    ):
        values[(area, standard_id)][(bool(is_placed), code)] = int(value)

    cell_sums = (
        select(
            IndicatorResult.indicator_id,
            ResultCell.dimension,
            ResultCell.category,
            func.sum(ResultCell.value).label("value"),
        )
        .join(ResultCell, ResultCell.result_id == IndicatorResult.id)
        .where(*in_range)
        .group_by(IndicatorResult.indicator_id, ResultCell.dimension, ResultCell.category)
        .subquery()
    )
    per_indicator_cells = union_all(
        select(cell_sums)
        .join(ProjectIndicator, ProjectIndicator.id == cell_sums.c.indicator_id)
        .where(*_counts(cumulative=False)),
        select(
            latest.c.indicator_id, ResultCell.dimension, ResultCell.category, ResultCell.value
        ).join(ResultCell, ResultCell.result_id == latest.c.id),
    ).subquery()
    project_region = (
        select(project_regions.c.project_id, Region.code)
        .join(Region, Region.id == project_regions.c.region_id)
        .subquery()
    )
    each_cell = (
        select(
            Project.area_id,
            ProjectIndicator.standard_id,
            per_indicator_cells.c.dimension,
            per_indicator_cells.c.category,
            project_region.c.code.is_not(None).label("in_project"),
            per_indicator_cells.c.value,
        )
        .select_from(per_indicator_cells)
        .join(ProjectIndicator, ProjectIndicator.id == per_indicator_cells.c.indicator_id)
        .join(ProjectIndicator.project)
        .outerjoin(
            project_region,
            and_(
                per_indicator_cells.c.dimension == Dimension.REGION,
                project_region.c.project_id == ProjectIndicator.project_id,
                project_region.c.code == per_indicator_cells.c.category,
            ),
        )
        .subquery()
    )
    cells: dict[Key, dict[tuple[str, str, bool], int]] = defaultdict(dict)
    for area, standard_id, dimension, category, is_in_project, value in session.execute(
        select(*each_cell.c[:5], func.sum(each_cell.c.value)).group_by(*each_cell.c[:5])
    ):
        dimension = getattr(dimension, "value", dimension)
        cells[(area, standard_id)][(dimension, category, bool(is_in_project))] = int(value)
    return Totals(period_start, period_end, dict(values), dict(cells))


def _totals_of(
    session: Session, given: Totals | None, period_start: date | None, period_end: date | None
) -> Totals:
    if given is None:
        return period_totals(session, period_start, period_end)
    if (given.period_start, given.period_end) != (period_start, period_end):
        raise ValueError("the totals given are of another period")
    return given


def _targets(session: Session, data: Totals, region_code: str | None) -> dict[Key, tuple[int, int]]:
    """(area, standard) -> (sum of targets, number of project indicators) of count indicators
    linked to the library, of projects in the region if one is given."""
    if region_code not in data.targets:
        query = (
            select(
                Project.area_id,
                ProjectIndicator.standard_id,
                func.sum(ProjectIndicator.target),
                func.count(),
            )
            .join(ProjectIndicator.project)
            .where(
                ProjectIndicator.standard_id.is_not(None),
                ProjectIndicator.type == IndicatorType.COUNT,
            )
            .group_by(Project.area_id, ProjectIndicator.standard_id)
        )
        if region_code is not None:
            query = query.where(Project.regions.any(Region.code == region_code))
        data.targets[region_code] = {
            (area, standard_id): (int(target), n)
            for area, standard_id, target, n in session.execute(query)
        }
    return data.targets[region_code]


def _standards(session: Session, data: Totals) -> dict[int, StandardIndicator]:
    if data.standards is None:
        data.standards = {s.id: s for s in session.scalars(select(StandardIndicator))}
    return data.standards


def _achieved(data: Totals, key: Key, region_code: str | None) -> int:
    """What the key's project indicators achieved, or, with a region, what of it is placed in
    that region: its region cell for an indicator broken down by region (of a project working
    there), all of it for one of a project working in that region only."""
    values = data.values.get(key, {})
    if region_code is None:
        return sum(values.values())
    return data.cells.get(key, {}).get(("region", region_code, True), 0) + values.get(
        (False, region_code), 0
    )


def _cells(data: Totals, key: Key) -> dict[str, dict[str, int]]:
    """The key's breakdown cells added up: dimension -> category -> value."""
    out: dict[str, dict[str, int]] = {}
    for (dimension, category, _), value in data.cells.get(key, {}).items():
        into = out.setdefault(dimension, {})
        into[category] = into.get(category, 0) + value
    return out


def _per_region(data: Totals, standard_id: int, area_id: int | None) -> tuple[dict[str, int], int]:
    """One standard indicator's achieved value per region, and in all: from the region cells of
    the indicators broken down by region (what they leave out is unattributed), else all of it
    in the project's region when it works in one only, else unattributed."""
    per_region: dict[str, int] = defaultdict(int)
    total = 0
    for (area, standard), values in data.values.items():
        if standard != standard_id or (area_id is not None and area != area_id):
            continue
        for (by_cells, code), value in values.items():
            total += value
            per_region[UNATTRIBUTED if by_cells or code is None else code] += value
        for (dimension, category, _), value in data.cells.get((area, standard), {}).items():
            if dimension == "region":
                per_region[category] += value
                per_region[UNATTRIBUTED] -= value
    if per_region.get(UNATTRIBUTED) == 0:
        del per_region[UNATTRIBUTED]
    return dict(per_region), total


def _raw(actor, for_export: bool) -> bool:
    return not for_export and permissions.can_see_unsuppressed(actor)


def _show(value: int | None, raw: bool) -> str:
    return privacy.fmt_count(value) if raw else privacy.show_total(value)


def _region_code(session: Session, data: Totals, region_id: int | None) -> str | None:
    if region_id is None:
        return None
    if region_id not in data.region_codes:
        region = session.get(Region, region_id)
        data.region_codes[region_id] = region.code if region is not None else "--"
    return data.region_codes[region_id]


def _breakdowns(cells: dict[str, dict[str, int]], raw: bool, labels: dict) -> list[Breakdown]:
    out = []
    for dimension, order in (("sex", SEXES), ("age", AGE_GROUPS)):
        values = cells.get(dimension)
        if not values:
            continue
        ordered = {k: values.get(k, 0) for k in order}
        total = sum(ordered.values())
        shown = privacy.breakdown(ordered, total, raw=raw)
        out.append(
            Breakdown(
                dimension=dimension,
                total=total,
                total_display=shown.total,
                cells=[
                    Cell(k, str(labels.get(k, k)), v, shown.cells[k]) for k, v in ordered.items()
                ],
            )
        )
    return out


def _figures(
    session: Session,
    actor,
    data: Totals,
    area_id: int | None,
    region_id: int | None,
    for_export: bool,
    locale: str | None,
    labels: dict | None,
) -> dict[Key, IndicatorFigure]:
    """(area, standard) -> figure, for every standard indicator that projects in the filter
    have a target for."""
    locale = locale or current_locale()
    raw = _raw(actor, for_export)
    region_code = _region_code(session, data, region_id)
    targets = _targets(session, data, region_code)
    standards = _standards(session, data)
    figures = {}
    for key in sorted(targets):
        if area_id is not None and key[0] != area_id:
            continue
        standard = standards[key[1]]
        total = _achieved(data, key, region_code)
        target = None if region_code is not None else targets[key][0]
        # With a region, breakdowns by sex and age cannot be placed in it: none are shown.
        cells = _cells(data, key) if region_code is None else {}
        figures[key] = IndicatorFigure(
            standard_id=standard.id,
            code=standard.code,
            name=standard.name(locale),
            unit=standard.unit(locale),
            achieved=total,
            achieved_display=_show(total, raw),
            target=target,
            target_display=privacy.fmt_count(target) if target is not None else "—",
            projects=targets[key][1],
            suppressed=not raw and total < privacy.THRESHOLD,
            breakdowns=_breakdowns(cells, raw, labels or {}),
        )
    return figures


def by_indicator(
    session: Session,
    actor,
    period_start: date | None = None,
    period_end: date | None = None,
    area_id: int | None = None,
    region_id: int | None = None,
    *,
    for_export: bool = False,
    locale: str | None = None,
    labels: dict | None = None,
    totals: Totals | None = None,
) -> list[IndicatorFigure]:
    """Achieved against target per standard indicator, across the projects in the filter.
    `for_export`: figures leave the fund (export, PDF), so small ones are suppressed whoever
    asks. `labels`: display names of sexes and age groups. `totals`: the period's, when the
    caller has them already."""
    data = _totals_of(session, totals, period_start, period_end)
    figures = _figures(session, actor, data, area_id, region_id, for_export, locale, labels)
    raw = _raw(actor, for_export)
    filtered = area_id is not None or region_id is not None
    merged: dict[int, list[IndicatorFigure]] = defaultdict(list)
    for (_, standard_id), figure in figures.items():
        merged[standard_id].append(figure)
    if len({a for a, _ in figures}) <= 1:
        if not raw:
            _protect(
                session,
                actor,
                data,
                [(area, f) for (area, _), f in figures.items()],
                region_id,
                for_export,
                filtered=filtered,
                per_area_chart=False,
                area_id=area_id,
            )
        return sorted(figures.values(), key=lambda f: f.code)
    # Several areas: one line per indicator, added up from the areas' figures.
    out = []
    for standard_id, parts in merged.items():
        total = sum(p.achieved for p in parts)
        targets = [p.target for p in parts if p.target is not None]
        target = sum(targets) if targets else None
        cells: dict[str, dict[str, int]] = {}
        for p in parts:
            for b in p.breakdowns:
                into = cells.setdefault(b.dimension, {})
                for c in b.cells:
                    into[c.key] = into.get(c.key, 0) + c.value
        first = parts[0]
        out.append(
            IndicatorFigure(
                standard_id=standard_id,
                code=first.code,
                name=first.name,
                unit=first.unit,
                achieved=total,
                achieved_display=_show(total, raw),
                target=target,
                target_display=privacy.fmt_count(target) if target is not None else "—",
                projects=sum(p.projects for p in parts),
                suppressed=not raw and total < privacy.THRESHOLD,
                breakdowns=_breakdowns(cells, raw, labels or {}),
            )
        )
    if not raw:
        _protect(
            session,
            actor,
            data,
            [(None, f) for f in out],
            region_id,
            for_export,
            filtered=filtered,
            per_area_chart=False,
            area_id=area_id,
        )
    return sorted(out, key=lambda f: f.code)


def _suppressed_flag(figure: IndicatorFigure) -> None:
    figure.suppressed = figure.achieved_display in (privacy.SMALL, privacy.HIDDEN)


def _area_displays(
    session: Session, actor, data: Totals, region_id: int | None, for_export: bool
) -> dict[Key, str]:
    """Each area's figure of each standard indicator, suppressed as cells of the whole
    portfolio's total: an area's small figure cannot be found by subtracting the others."""
    everything = _figures(session, actor, data, None, region_id, for_export, None, None)
    per_standard: dict[int, dict[int, int]] = defaultdict(dict)
    for (area, standard_id), figure in everything.items():
        per_standard[standard_id][area] = figure.achieved
    displays = {}
    for standard_id, cells in per_standard.items():
        shown = privacy.suppress(cells, sum(cells.values()))
        for area, display in shown.cells.items():
            displays[(area, standard_id)] = display
    return displays


def _protect(
    session: Session,
    actor,
    data: Totals,
    items: list[tuple[int | None, IndicatorFigure]],
    region_id: int | None,
    for_export: bool,
    *,
    filtered: bool,
    per_area_chart: bool = True,
    area_id: int | None = None,
) -> None:
    """Each figure is a cell of larger tables: one area's share of the portfolio (`area` given)
    and, with a region chosen, one region's share of the (area's) total. Show it as those
    tables' suppression shows it, so that no small figure is found by subtracting one view from
    another. A filtered view also drops its breakdowns by sex and age, which could otherwise be
    subtracted from the whole portfolio's."""
    region_code = _region_code(session, data, region_id)
    area_displays = _area_displays(session, actor, data, region_id, for_export)
    raw = _raw(actor, for_export)
    hidden = (privacy.SMALL, privacy.HIDDEN)
    in_chart: dict[tuple[int, int | None], str | None] = {}
    for area, figure in items:
        if filtered:
            figure.breakdowns = []
        if region_code is not None:
            # The regional chart that this figure is a cell of: the area's own (a view by area)
            # or the one of the area filter, if any (a view of the whole portfolio), as
            # `by_region` shows it.
            chart = (figure.standard_id, area if per_area_chart else area_id)
            if chart not in in_chart:
                per_region, total = _per_region(data, *chart)
                shown = privacy.breakdown(per_region, total, raw=raw)
                in_chart[chart] = shown.cells.get(region_code)
            if in_chart[chart] in hidden:
                figure.achieved_display = in_chart[chart]
        # Hidden already as the regional chart shows it: keep that marker, so the filtered view
        # and the chart agree ("<5" and "…" both hide the figure).
        if (
            area is not None
            and figure.achieved_display not in hidden
            and area_displays.get((area, figure.standard_id)) in hidden
        ):
            figure.achieved_display = area_displays[(area, figure.standard_id)]
        _suppressed_flag(figure)


def by_area(
    session: Session,
    actor,
    period_start: date | None = None,
    period_end: date | None = None,
    area_id: int | None = None,
    region_id: int | None = None,
    *,
    for_export: bool = False,
    locale: str | None = None,
    labels: dict | None = None,
    totals: Totals | None = None,
) -> list[AreaFigure]:
    """The same figures grouped by the projects' programme area."""
    locale = locale or current_locale()
    data = _totals_of(session, totals, period_start, period_end)
    figures = _figures(session, actor, data, area_id, region_id, for_export, locale, labels)
    if not _raw(actor, for_export):
        _protect(
            session,
            actor,
            data,
            [(area, f) for (area, _), f in figures.items()],
            region_id,
            for_export,
            filtered=True,
        )
    areas = {a.id: a for a in session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id))}
    out = []
    for aid, area in areas.items():
        items = sorted((f for (a, _), f in figures.items() if a == aid), key=lambda f: f.code)
        if items:
            out.append(AreaFigure(aid, area.code, area.name(locale), items))
    return out


def by_region(
    session: Session,
    actor,
    standard_id: int,
    period_start: date | None = None,
    period_end: date | None = None,
    area_id: int | None = None,
    *,
    for_export: bool = False,
    locale: str | None = None,
    totals: Totals | None = None,
) -> RegionRollup:
    """One standard indicator's achieved value per region (from the region breakdowns, or from
    projects that work in one region only); what cannot be placed is shown as unattributed.
    The regions together with it add up to the total."""
    locale = locale or current_locale()
    raw = _raw(actor, for_export)
    data = _totals_of(session, totals, period_start, period_end)
    per_region, total = _per_region(data, standard_id, area_id)
    shown = privacy.breakdown(per_region, total, raw=raw)
    names = {r.code: r.name(locale) for r in session.scalars(select(Region))}
    standard = session.get(StandardIndicator, standard_id)
    regions = [
        RegionFigure(code, names.get(code, code), value, shown.cells[code])
        for code, value in sorted(per_region.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return RegionRollup(
        standard_id=standard_id,
        name=standard.name(locale) if standard else "",
        total=total,
        total_display=shown.total,
        regions=regions,
    )


def project_series(
    session: Session,
    project: Project,
    actor=None,
    *,
    for_export: bool = False,
    locale: str | None = None,
) -> list[IndicatorSeries]:
    """A project's verified results over time, per indicator, with achieved against target."""
    series = series_by_project(session, [project], actor, for_export=for_export, locale=locale)
    return series[project.id]


def series_by_project(
    session: Session,
    projects: Iterable[Project],
    actor=None,
    *,
    for_export: bool = False,
    locale: str | None = None,
    until: date | None = None,
) -> dict[int, list[IndicatorSeries]]:
    """`project_series` of several projects at once (one query for all their indicators and
    one for their results: the PDF's project pages). `until`: only periods ending by then."""
    locale = locale or current_locale()
    by_id = {p.id: p for p in projects}
    out: dict[int, list[IndicatorSeries]] = {pid: [] for pid in by_id}
    if not by_id:
        return out
    indicators = session.scalars(
        select(ProjectIndicator)
        .where(ProjectIndicator.project_id.in_(by_id))
        .order_by(ProjectIndicator.project_id, ProjectIndicator.id)
        .options(selectinload(ProjectIndicator.results), selectinload(ProjectIndicator.standard))
    )
    for indicator in indicators:
        project = by_id[indicator.project_id]
        raw = not for_export and permissions.can_see_unsuppressed(actor, project)
        verified = [
            r
            for r in indicator.results
            if r.status == ResultStatus.VERIFIED and (until is None or r.period_end <= until)
        ]
        counts = indicator.type == IndicatorType.COUNT
        if indicator.cumulative or not counts:
            achieved = verified[-1].value if verified else 0
        else:
            achieved = sum(r.value for r in verified)

        def show(value: int, counts=counts, raw=raw) -> str:
            return _show(value, raw) if counts else privacy.fmt_count(value)

        # Periods that add up are cells of the achieved total: suppressed together.
        displays = [show(r.value) for r in verified]
        if counts and not raw and not indicator.cumulative:
            shown = privacy.suppress({str(i): r.value for i, r in enumerate(verified)}, achieved)
            displays = [shown.cells[str(i)] for i in range(len(verified))]

        out[project.id].append(
            IndicatorSeries(
                indicator_id=indicator.id,
                standard_id=indicator.standard_id,
                counts=counts,
                name=indicator.title(locale),
                unit=indicator.unit_label(locale),
                cumulative=indicator.cumulative,
                baseline=indicator.baseline,
                target=indicator.target,
                achieved=achieved,
                achieved_display=show(achieved),
                points=[
                    SeriesPoint(
                        r.id,
                        period_label(indicator.frequency, r.period_start),
                        r.period_start,
                        r.period_end,
                        r.value,
                        display,
                    )
                    for r, display in zip(verified, displays, strict=True)
                ],
            )
        )
    return out
