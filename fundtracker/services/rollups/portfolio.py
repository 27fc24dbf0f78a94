"""The portfolio's live roll-ups for fund staff: achieved against target by standard indicator,
by programme area and by region, over any range of dates, raw."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.i18n import current_locale
from fundtracker.models import AGE_GROUPS, SEXES, ProgrammeArea, Region, StandardIndicator
from fundtracker.services.rollups.figures import (
    AreaFigure,
    Breakdown,
    Cell,
    IndicatorFigure,
    RegionFigure,
    RegionRollup,
    _check,
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


def _breakdowns(cells: dict[str, dict[str, int]], labels: dict) -> list[Breakdown]:
    out = []
    for dimension, order in (("sex", SEXES), ("age", AGE_GROUPS)):
        values = cells.get(dimension)
        if not values:
            continue
        ordered = {k: values.get(k, 0) for k in order}
        total = sum(ordered.values())
        out.append(
            Breakdown(
                dimension=dimension,
                total=total,
                total_display=_show(total),
                cells=[Cell(k, str(labels.get(k, k)), v, _show(v)) for k, v in ordered.items()],
            )
        )
    return out


def _figures(
    session: Session,
    data: Totals,
    area_id: int | None,
    region_id: int | None,
    locale: str | None,
    labels: dict | None,
) -> dict[Key, IndicatorFigure]:
    """(area, standard) -> figure, for every standard indicator that projects in the filter
    have a target for."""
    locale = locale or current_locale()
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
            achieved_display=_show(total),
            target=target,
            target_display=_show(target),
            projects=targets[key][1],
            suppressed=False,
            breakdowns=_breakdowns(cells, labels or {}),
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
    locale: str | None = None,
    labels: dict | None = None,
    totals: Totals | None = None,
) -> list[IndicatorFigure]:
    """Achieved against target per standard indicator, across the projects in the filter.
    `labels`: display names of sexes and age groups. `totals`: the period's, when the caller
    has them already."""
    _check(actor)
    data = _totals_of(session, totals, period_start, period_end)
    figures = _figures(session, data, area_id, region_id, locale, labels)
    merged: dict[int, list[IndicatorFigure]] = defaultdict(list)
    for (_, standard_id), figure in figures.items():
        merged[standard_id].append(figure)
    if len({a for a, _ in figures}) <= 1:
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
                achieved_display=_show(total),
                target=target,
                target_display=_show(target),
                projects=sum(p.projects for p in parts),
                suppressed=False,
                breakdowns=_breakdowns(cells, labels or {}),
            )
        )
    return sorted(out, key=lambda f: f.code)


def by_area(
    session: Session,
    actor,
    period_start: date | None = None,
    period_end: date | None = None,
    area_id: int | None = None,
    region_id: int | None = None,
    *,
    locale: str | None = None,
    labels: dict | None = None,
    totals: Totals | None = None,
) -> list[AreaFigure]:
    """The same figures grouped by the projects' programme area."""
    _check(actor)
    locale = locale or current_locale()
    data = _totals_of(session, totals, period_start, period_end)
    figures = _figures(session, data, area_id, region_id, locale, labels)
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
    locale: str | None = None,
    totals: Totals | None = None,
) -> RegionRollup:
    """One standard indicator's achieved value per region (from the region breakdowns, or from
    projects that work in one region only); what cannot be placed is shown as unattributed.
    The regions together with it add up to the total."""
    _check(actor)
    locale = locale or current_locale()
    data = _totals_of(session, totals, period_start, period_end)
    per_region, total = _per_region(data, standard_id, area_id)
    names = {r.code: r.name(locale) for r in session.scalars(select(Region))}
    standard = session.get(StandardIndicator, standard_id)
    regions = [
        RegionFigure(code, names.get(code, code), value, _show(value))
        for code, value in sorted(per_region.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return RegionRollup(
        standard_id=standard_id,
        name=standard.name(locale) if standard else "",
        total=total,
        total_display=_show(total),
        regions=regions,
    )
