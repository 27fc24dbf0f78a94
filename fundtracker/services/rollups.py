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

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions, privacy
from fundtracker.i18n import current_locale
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
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


# Plain records and the arithmetic ----------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One verified result, with what the roll-ups need to know of its indicator and project."""

    project_id: int
    indicator_id: int
    standard_id: int | None
    area_id: int
    regions: tuple[str, ...]
    cumulative: bool
    target: int
    period_start: date
    period_end: date
    value: int
    cells: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Achieved:
    """One project indicator over a range: its achieved value and breakdown cells."""

    value: int = 0
    cells: dict[str, dict[str, int]] = field(default_factory=dict)


def in_range(record: Record, start: date | None, end: date | None) -> bool:
    return (start is None or record.period_end >= start) and (
        end is None or record.period_end <= end
    )


def achieved_by_indicator(
    records: Iterable[Record], start: date | None = None, end: date | None = None
) -> dict[int, Achieved]:
    """Per project indicator: the sum of its periods, or its latest value when cumulative."""
    groups: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        if in_range(record, start, end):
            groups[record.indicator_id].append(record)
    result = {}
    for indicator_id, items in groups.items():
        if items[0].cumulative:
            items = [max(items, key=lambda r: r.period_end)]
        achieved = Achieved()
        for r in items:
            achieved.value += r.value
            for dimension, cells in r.cells.items():
                target = achieved.cells.setdefault(dimension, {})
                for category, v in cells.items():
                    target[category] = target.get(category, 0) + v
        result[indicator_id] = achieved
    return result


def value_in_region(record_regions: tuple[str, ...], achieved: Achieved, region: str) -> int | None:
    """A project indicator's achieved value in one region: its region cell when it reports by
    region, else all of it when the project works in that region only, else unknown (None)."""
    region_cells = achieved.cells.get("region")
    if region_cells:
        return region_cells.get(region, 0)
    if record_regions == (region,):
        return achieved.value
    return None


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


# Loading ------------------------------------------------------------------------------------------


def _records(
    session: Session,
    *,
    area_id: int | None = None,
    region_code: str | None = None,
    project_id: int | None = None,
) -> list[Record]:
    """Verified results of count indicators as plain records. Read as rows in three queries
    (results, their cells, their projects' regions) whatever their number: a portfolio holds
    hundreds of thousands of results, too many to load as objects."""
    query = (
        select(
            IndicatorResult.id,
            IndicatorResult.period_start,
            IndicatorResult.period_end,
            IndicatorResult.value,
            ProjectIndicator.id,
            ProjectIndicator.project_id,
            ProjectIndicator.standard_id,
            ProjectIndicator.cumulative,
            ProjectIndicator.target,
            Project.area_id,
        )
        .join(IndicatorResult.indicator)
        .join(ProjectIndicator.project)
        .where(
            IndicatorResult.status == ResultStatus.VERIFIED,
            ProjectIndicator.type == IndicatorType.COUNT,
        )
    )
    if area_id is not None:
        query = query.where(Project.area_id == area_id)
    if project_id is not None:
        query = query.where(Project.id == project_id)
    if region_code is not None:
        query = query.where(Project.regions.any(Region.code == region_code))
    rows = session.execute(query).all()
    if not rows:
        return []
    cells: dict[int, dict[str, dict[str, int]]] = {}
    for result_id, dimension, category, value in session.execute(
        select(
            ResultCell.result_id, ResultCell.dimension, ResultCell.category, ResultCell.value
        ).where(ResultCell.result_id.in_(query.with_only_columns(IndicatorResult.id)))
    ):
        dimension = getattr(dimension, "value", dimension)
        cells.setdefault(result_id, {}).setdefault(dimension, {})[category] = value
    regions: dict[int, list[str]] = defaultdict(list)
    for pid, code in session.execute(
        select(project_regions.c.project_id, Region.code)
        .join(Region, Region.id == project_regions.c.region_id)
        .where(
            project_regions.c.project_id.in_(
                query.with_only_columns(ProjectIndicator.project_id).distinct()
            )
        )
        .order_by(project_regions.c.project_id, Region.code)
    ):
        regions[pid].append(code)
    region_tuples = {pid: tuple(codes) for pid, codes in regions.items()}
    return [
        Record(
            project_id=pid,
            indicator_id=indicator_id,
            standard_id=standard_id,
            area_id=area,
            regions=region_tuples.get(pid, ()),
            cumulative=cumulative,
            target=target,
            period_start=period_start,
            period_end=period_end,
            value=value,
            cells=cells.get(result_id, {}),
        )
        for (
            result_id,
            period_start,
            period_end,
            value,
            indicator_id,
            pid,
            standard_id,
            cumulative,
            target,
            area,
        ) in rows
    ]


def _targets(
    session: Session, area_id: int | None, region_code: str | None
) -> dict[tuple[int, int], tuple[int, int]]:
    """(area, standard) -> (sum of targets, number of projects) of count indicators."""
    query = (
        select(ProjectIndicator.standard_id, Project.area_id, ProjectIndicator.target)
        .join(ProjectIndicator.project)
        .where(
            ProjectIndicator.standard_id.is_not(None),
            ProjectIndicator.type == IndicatorType.COUNT,
        )
    )
    if area_id is not None:
        query = query.where(Project.area_id == area_id)
    if region_code is not None:
        query = query.where(Project.regions.any(Region.code == region_code))
    totals: dict[tuple[int, int], tuple[int, int]] = {}
    for standard_id, area, target in session.execute(query):
        t, n = totals.get((area, standard_id), (0, 0))
        totals[(area, standard_id)] = (t + target, n + 1)
    return totals


def _raw(actor, for_export: bool) -> bool:
    return not for_export and permissions.can_see_unsuppressed(actor)


def _show(value: int | None, raw: bool) -> str:
    return privacy.fmt_count(value) if raw else privacy.show_total(value)


def _region_code(session: Session, region_id: int | None) -> str | None:
    if region_id is None:
        return None
    region = session.get(Region, region_id)
    return region.code if region is not None else "--"


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
    period_start: date | None,
    period_end: date | None,
    area_id: int | None,
    region_id: int | None,
    for_export: bool,
    locale: str | None,
    labels: dict | None,
) -> dict[tuple[int, int], IndicatorFigure]:
    """(area, standard) -> figure."""
    locale = locale or current_locale()
    raw = _raw(actor, for_export)
    region_code = _region_code(session, region_id)
    records = _records(session, area_id=area_id, region_code=region_code)
    meta = {r.indicator_id: r for r in records}
    achieved = achieved_by_indicator(records, period_start, period_end)
    sums: dict[tuple[int, int], Achieved] = defaultdict(Achieved)
    for indicator_id, a in achieved.items():
        record = meta[indicator_id]
        if record.standard_id is None:
            continue
        key = (record.area_id, record.standard_id)
        value = a.value
        if region_code is not None:
            value = value_in_region(record.regions, a, region_code)
            if value is None:
                continue
        sums[key].value += value
        if region_code is None:
            for dimension, cells in a.cells.items():
                into = sums[key].cells.setdefault(dimension, {})
                for category, v in cells.items():
                    into[category] = into.get(category, 0) + v
    targets = _targets(session, area_id, region_code)
    standards = {s.id: s for s in session.scalars(select(StandardIndicator))}
    figures = {}
    for key in sorted(set(sums) | set(targets)):
        standard = standards[key[1]]
        total = sums[key].value if key in sums else 0
        target = None if region_code is not None else targets.get(key, (0, 0))[0]
        suppressed = not raw and total < privacy.THRESHOLD
        figures[key] = IndicatorFigure(
            standard_id=standard.id,
            code=standard.code,
            name=standard.name(locale),
            unit=standard.unit(locale),
            achieved=total,
            achieved_display=_show(total, raw),
            target=target,
            target_display=privacy.fmt_count(target) if target is not None else "—",
            projects=targets.get(key, (0, 0))[1],
            suppressed=suppressed,
            breakdowns=_breakdowns(sums[key].cells, raw, labels or {}) if key in sums else [],
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
) -> list[IndicatorFigure]:
    """Achieved against target per standard indicator, across the projects in the filter.
    `for_export`: figures leave the fund (export, PDF), so small ones are suppressed whoever
    asks. `labels`: display names of sexes and age groups."""
    figures = _figures(
        session, actor, period_start, period_end, area_id, region_id, for_export, locale, labels
    )
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
                [(area, f) for (area, _), f in figures.items()],
                period_start,
                period_end,
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
        items = [(None, f) for f in out]
        _protect(
            session,
            actor,
            items,
            period_start,
            period_end,
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
    session: Session,
    actor,
    period_start: date | None,
    period_end: date | None,
    region_id: int | None,
    for_export: bool,
) -> dict[tuple[int, int], str]:
    """Each area's figure of each standard indicator, suppressed as cells of the whole
    portfolio's total: an area's small figure cannot be found by subtracting the others."""
    everything = _figures(
        session, actor, period_start, period_end, None, region_id, for_export, None, None
    )
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
    items: list[tuple[int | None, IndicatorFigure]],
    period_start: date | None,
    period_end: date | None,
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
    region_code = _region_code(session, region_id)
    area_displays = _area_displays(session, actor, period_start, period_end, region_id, for_export)
    hidden = (privacy.SMALL, privacy.HIDDEN)
    for area, figure in items:
        if filtered:
            figure.breakdowns = []
        if region_code is not None:
            # The regional chart that this figure is a cell of: the area's own (a view by area)
            # or the one of the area filter, if any (a view of the whole portfolio).
            regions = by_region(
                session,
                actor,
                figure.standard_id,
                period_start,
                period_end,
                area if per_area_chart else area_id,
                for_export=for_export,
            )
            shown = next((r.display for r in regions.regions if r.code == region_code), None)
            if shown in hidden:
                figure.achieved_display = shown
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
) -> list[AreaFigure]:
    """The same figures grouped by the projects' programme area."""
    locale = locale or current_locale()
    figures = _figures(
        session, actor, period_start, period_end, area_id, region_id, for_export, locale, labels
    )
    if not _raw(actor, for_export):
        _protect(
            session,
            actor,
            [(area, f) for (area, _), f in figures.items()],
            period_start,
            period_end,
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
) -> RegionRollup:
    """One standard indicator's achieved value per region (from the region breakdowns, or from
    projects that work in one region only); what cannot be placed is shown as unattributed.
    The regions together with it add up to the total."""
    locale = locale or current_locale()
    raw = _raw(actor, for_export)
    records = [r for r in _records(session, area_id=area_id) if r.standard_id == standard_id]
    meta = {r.indicator_id: r for r in records}
    per_region: dict[str, int] = defaultdict(int)
    total = 0
    for indicator_id, a in achieved_by_indicator(records, period_start, period_end).items():
        total += a.value
        region_cells = a.cells.get("region")
        regions = meta[indicator_id].regions
        if region_cells:
            for code, v in region_cells.items():
                per_region[code] += v
            per_region[UNATTRIBUTED] += a.value - sum(region_cells.values())
        elif len(regions) == 1:
            per_region[regions[0]] += a.value
        else:
            per_region[UNATTRIBUTED] += a.value
    if per_region.get(UNATTRIBUTED) == 0:
        del per_region[UNATTRIBUTED]
    shown = privacy.breakdown(dict(per_region), total, raw=raw)
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
