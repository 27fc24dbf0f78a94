"""The portfolio's roll-ups: achieved against target by standard indicator, by programme area
and by region. Each figure is suppressed as a cell of every table it belongs to, so that no view
gives away a small figure of another by subtraction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import privacy
from fundtracker.core.i18n import current_locale
from fundtracker.models import AGE_GROUPS, SEXES, ProgrammeArea, Region, StandardIndicator
from fundtracker.services.rollups.figures import (
    AreaFigure,
    Breakdown,
    Cell,
    IndicatorFigure,
    RegionFigure,
    RegionRollup,
    _raw,
    _show,
)
from fundtracker.services.rollups.totals import (
    Key,
    Totals,
    _achieved,
    _cells,
    _per_region,
    _region_code,
    _standards,
    _targets,
    _totals_of,
)


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
