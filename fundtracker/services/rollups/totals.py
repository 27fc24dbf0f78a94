"""The verified results of a period added up in SQL (`period_totals`), and what the roll-ups read
from those sums: targets, achieved values, breakdown cells, values per region."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select, union, union_all
from sqlalchemy.orm import Session

from fundtracker.models import (
    Dimension,
    IndicatorResult,
    IndicatorType,
    Project,
    ProjectIndicator,
    Region,
    ResultCell,
    ResultStatus,
    StandardIndicator,
    project_regions,
)
from fundtracker.services.rollups.figures import UNATTRIBUTED

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


def _region_code(session: Session, data: Totals, region_id: int | None) -> str | None:
    if region_id is None:
        return None
    if region_id not in data.region_codes:
        region = session.get(Region, region_id)
        data.region_codes[region_id] = region.code if region is not None else "--"
    return data.region_codes[region_id]
