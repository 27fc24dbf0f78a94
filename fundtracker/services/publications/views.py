"""A publication's tables as the board's outputs show them: the same dataclasses the officers'
live roll-ups return (services/rollups), filled from the stored cells, so that the portfolio
page, its CSV and the board PDF print the same figure for the same cell. A hidden cell carries
0 and its mark, never its value.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.i18n import current_locale
from fundtracker.disclosure.display import fmt_count
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    ProgrammeArea,
    StandardIndicator,
)
from fundtracker.services import reference
from fundtracker.services.publications.cells import SEVERAL, UNKNOWN
from fundtracker.services.publications.read import Figure, Published
from fundtracker.services.rollups.figures import (
    AreaFigure,
    Breakdown,
    Cell,
    IndicatorFigure,
    RegionFigure,
    RegionRollup,
)


def _figure(
    standard: StandardIndicator,
    figure: Figure,
    target: int | None,
    locale: str,
    breakdowns: list[Breakdown],
) -> IndicatorFigure:
    return IndicatorFigure(
        standard_id=standard.id,
        code=standard.code,
        name=standard.name(locale),
        unit=standard.unit(locale),
        achieved=figure.value or 0,
        achieved_display=figure.display,
        target=target,
        target_display=fmt_count(target) if target is not None else "—",
        projects=figure.projects,
        suppressed=figure.value is None,
        breakdowns=breakdowns,
    )


def _breakdowns(published: Published, standard_id: int, labels: dict) -> list[Breakdown]:
    out = []
    for dimension, order in (("sex", SEXES), ("age", AGE_GROUPS)):
        cells = {
            c: f for (_a, _r, c, _p), f in published.table(("std", standard_id), dimension).items()
        }
        if not cells:
            continue
        keys = [k for k in (*order, UNKNOWN) if k in cells]
        total = published.get(("std", standard_id), "total")
        out.append(
            Breakdown(
                dimension=dimension,
                total=total.value or 0,
                total_display=total.display,
                cells=[
                    Cell(k, str(labels.get(k, k)), cells[k].value or 0, cells[k].display)
                    for k in keys
                ],
            )
        )
    return out


def by_indicator(
    session: Session,
    published: Published,
    area_id: int | None = None,
    region_code: str | None = None,
    *,
    locale: str | None = None,
    labels: dict | None = None,
) -> list[IndicatorFigure]:
    """Achieved against target per standard indicator: the total, an area's, a region's or an
    area's in a region (whichever cell the filter names). Breakdowns by sex and age group are
    published for the whole portfolio only."""
    locale = locale or current_locale()
    standards = {s.id: s for s in session.scalars(select(StandardIndicator))}
    if area_id is not None and region_code is not None:
        table, where = "area_region", {"area": area_id, "region": region_code}
    elif area_id is not None:
        table, where = "area", {"area": area_id}
    elif region_code is not None:
        table, where = "region", {"region": region_code}
    else:
        table, where = "total", {}
    out = []
    for standard_id in published.measures("std"):
        figure = published.get(("std", standard_id), table, **where)
        # A standard some project in the filter's area (or anywhere) works towards is listed,
        # "nothing reported" if need be.
        scope = published.get(("std", standard_id), "area" if area_id else "total", area=area_id)
        if not (figure.projects or scope.projects or scope.target is not None):
            continue
        breakdowns = _breakdowns(published, standard_id, labels or {}) if table == "total" else []
        out.append(_figure(standards[standard_id], figure, figure.target, locale, breakdowns))
    return sorted(out, key=lambda f: f.code)


def by_area(
    session: Session,
    published: Published,
    area_id: int | None = None,
    region_code: str | None = None,
    *,
    locale: str | None = None,
) -> list[AreaFigure]:
    """Each programme area's figure of each standard indicator (in a region, with one)."""
    locale = locale or current_locale()
    out = []
    for area in session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)):
        if area_id is not None and area.id != area_id:
            continue
        figures = by_indicator(session, published, area.id, region_code, locale=locale)
        figures = [f for f in figures if f.projects or f.target]
        if figures:
            out.append(AreaFigure(area.id, area.code, area.name(locale), figures))
    return out


def region_names(session: Session, locale: str) -> dict[str, str]:
    names = {r.code: r.name(locale) for r in reference.regions(session)}
    names[SEVERAL] = _("Several regions")
    return names


def by_region(
    session: Session,
    published: Published,
    measure: tuple[str, int],
    area_id: int | None = None,
    *,
    locale: str | None = None,
) -> RegionRollup:
    """One measure's figure per region (an area's, with one), "several regions" last; the rows
    add up to the total."""
    locale = locale or current_locale()
    names = region_names(session, locale)
    if area_id is None:
        cells = published.table(measure, "region")
        total = published.get(measure, "total")
    else:
        cells = published.table(measure, "area_region", area=area_id)
        total = published.get(measure, "area", area=area_id)
    rows = sorted(
        ((r, f) for (_a, r, _c, _p), f in cells.items()),
        key=lambda rf: (rf[0] == SEVERAL, names.get(rf[0], rf[0])),
    )
    name = ""
    if measure[0] == "std":
        standard = session.get(StandardIndicator, measure[1])
        name = standard.name(locale) if standard else ""
    return RegionRollup(
        standard_id=measure[1],
        name=name,
        total=total.value or 0,
        total_display=total.display,
        regions=[RegionFigure(r, names.get(r, r), f.value or 0, f.display) for r, f in rows],
    )


def by_project(published: Published, measure: tuple[str, int]) -> dict[int, Figure]:
    """Each project's figure of a measure (the projects' cells must have been loaded)."""
    return {p: f for (_a, _r, _c, p), f in published.table(measure, "project").items()}


def grouped(published: Published, measure: tuple[str, int], table: str) -> dict:
    """A measure's cells of the area or region table: {area id or region code: Figure}."""
    out = defaultdict(dict)
    for (a, r, _c, _p), f in published.table(measure, table).items():
        out[a if table == "area" else r] = f
    return dict(out)
