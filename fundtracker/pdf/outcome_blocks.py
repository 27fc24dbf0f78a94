"""A report's outcomes, as plain data in the report's language.

Every count of people a report prints is a published cell: read with `publications.load` (or
`publications.project_figures`) and laid out through `publications.views`, the same reads as
the board's portfolio page and its CSV, so the three print the same figure for the same cell.
Nothing here adds up, suppresses or recomputes a count; a hidden cell comes back without its
value. Percentages and yes/no indicators are not counts of people: they print their latest
verified value.

    function                   shown in                        macro in templates/pdf/_blocks.html
    board_outcomes             key figures, outcome sections   beneficiaries, indicators,
                                                               outcomes_by_area, outcomes_by_region
    project_indicator_rows     each project page               project_indicators
    published_by_period        the project report              published_by_period
    impact_stories             its own section                 stories
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker.core.time import local_day
from fundtracker.disclosure import grid
from fundtracker.disclosure.display import NOTHING, fmt_count, is_printed
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    IndicatorResult,
    IndicatorType,
    ProgrammeArea,
    ProjectIndicator,
    Publication,
    ReportKind,
    ResultStatus,
)
from fundtracker.models.labels import category_labels, dimension_labels
from fundtracker.pdf.params import ReportParams
from fundtracker.services import outcomes, publications, wellbeing
from fundtracker.services.publications import REACHED, UNKNOWN, Figure, Published, views

if TYPE_CHECKING:
    from fundtracker.services.rollups import IndicatorFigure


def not_published() -> str:
    """What a count prints where no period covering it is published (never a raw figure)."""
    return _("not published yet")


def stamp(publication: Publication | None) -> dict | None:
    """What names a published figure: its period and the day it was published."""
    if publication is None:
        return None
    return {
        "id": publication.id,
        "key": publication.period,
        "label": grid.parse(publication.period).label(),
        "published_on": local_day(publication.published_at),
    }


def _cells(area_id: int | None, region: str | None) -> tuple[str, dict]:
    """The table, and the cell in it, that a report's filters name."""
    if area_id is not None and region is not None:
        return "area_region", {"area": area_id, "region": region}
    if area_id is not None:
        return "area", {"area": area_id}
    if region is not None:
        return "region", {"region": region}
    return "total", {}


def _share(value: int | None, target: int | None) -> str:
    return f"{round(100 * value / target)}%" if value is not None and target else NOTHING


def _printed(figure: IndicatorFigure) -> int | None:
    """A figure's number when it is printed; None when hidden or nothing was reported."""
    return figure.achieved if is_printed(figure.achieved_display) else None


def _people_standards(session: Session) -> set[int]:
    """Standard indicators that count people: those projects report by sex or age group
    (places, centres and the like have neither)."""
    return set(
        session.scalars(
            select(ProjectIndicator.standard_id)
            .where(
                ProjectIndicator.standard_id.is_not(None),
                ProjectIndicator.by_sex | ProjectIndicator.by_age,
            )
            .distinct()
        )
    )


def _indicator_rows(figures: list[IndicatorFigure]) -> list[dict]:
    rows = []
    for f in figures:
        achieved = _printed(f)
        rows.append(
            {
                "standard_id": f.standard_id,
                "code": f.code,
                "label": f.name,
                "unit": f.unit,
                "achieved": achieved,
                "target": f.target,
                "achieved_display": f.achieved_display,
                "target_display": f.target_display,
                "share": _share(achieved, f.target),
                "projects": f.projects,
            }
        )
    return rows


def _breakdown_tables(figures: list[IndicatorFigure]) -> list[dict]:
    """The tables by sex and by age group (published for the whole portfolio only): {"title",
    "columns": [labels], "rows": [{"label", "cells": [display]}]}. A category an indicator has
    no cell for had nothing reported in it."""
    labels = category_labels()
    dimensions = dimension_labels()
    tables = []
    for dimension, order in (("sex", SEXES), ("age", AGE_GROUPS)):
        members = [
            (f, {c.key: c.display for c in b.cells})
            for f in figures
            for b in f.breakdowns
            if b.dimension == dimension
        ]
        keys = [k for k in (*order, UNKNOWN) if any(k in cells for _f, cells in members)]
        if members and keys:
            tables.append(
                {
                    "dimension": dimension,
                    "title": str(dimensions[dimension]),
                    "columns": [str(labels[k]) for k in keys],
                    "keys": keys,
                    "rows": [
                        {
                            "label": f.name,
                            "total": f.achieved_display,
                            "cells": [cells.get(k, NOTHING) for k in keys],
                        }
                        for f, cells in members
                    ],
                }
            )
    return tables


def _by_area(
    session: Session,
    published: Published,
    indicators: list[dict],
    area_id: int | None,
    region: str | None,
    locale: str,
) -> dict | None:
    """People reached and each standard indicator by programme area (in the region, with one):
    {"columns": [area names], "rows": [{"label", "unit", "cells": [display]}]}."""
    areas = [
        a
        for a in session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id))
        if area_id is None or a.id == area_id
    ]
    if not areas:
        return None
    figures = {
        (af.area_id, f.standard_id): f.achieved_display
        for af in views.by_area(session, published, area_id, region, locale=locale)
        for f in af.indicators
    }
    table = "area" if region is None else "area_region"
    reached = [published.get(REACHED, table, area=a.id, region=region).display for a in areas]
    rows = [{"label": _("People reached"), "unit": "", "cells": reached, "reached": True}]
    for row in indicators:
        rows.append(
            {
                "label": row["label"],
                "unit": row["unit"],
                "cells": [figures.get((a.id, row["standard_id"]), NOTHING) for a in areas],
                "reached": False,
            }
        )
    return {
        "columns": [a.name(locale) for a in areas],
        "area_ids": [a.id for a in areas],
        "rows": rows,
    }


def _by_region(
    session: Session,
    published: Published,
    indicators: list[dict],
    area_id: int | None,
    locale: str,
) -> list[dict]:
    """People reached and each standard indicator by region (an area's, with one), "several
    regions" last, the rows adding up to the total: [{"title", "unit", "measure", "rows":
    [{"code", "label", "display"}], "total_display"}]. A measure nothing was reported for by
    region has no table."""
    measures = [(REACHED, _("People reached"), "")]
    measures += [(("std", r["standard_id"]), r["label"], r["unit"]) for r in indicators]
    out = []
    for measure, title, unit in measures:
        rollup = views.by_region(session, published, measure, area_id, locale=locale)
        if not rollup.regions:
            continue
        out.append(
            {
                "title": title,
                "unit": unit,
                "measure": list(measure),
                "rows": [
                    {"code": r.code, "label": r.name, "display": r.display} for r in rollup.regions
                ],
                "total_display": rollup.total_display,
            }
        )
    return out


def board_outcomes(
    session: Session,
    params: ReportParams,
    published: Published | None,
    region: str | None,
) -> dict:
    """The board report's outcome figures, all from the publication of its period (`region`:
    the code of the report's region, if it has one). Without a publication, no figure."""
    empty = {
        "published": None,
        "reached": not_published(),
        "beneficiaries": [],
        "indicators": [],
        "indicator_breakdowns": [],
        "by_area": None,
        "by_region": [],
        "by_domain": [],
    }
    if published is None:
        return empty
    locale = params.locale
    figures = views.by_indicator(
        session, published, params.area_id, region, locale=locale, labels=category_labels()
    )
    table, where = _cells(params.area_id, region)
    indicators = _indicator_rows(figures)
    people = _people_standards(session) if figures else set()
    return {
        "published": stamp(published.publication),
        "reached": published.get(REACHED, table, **where).display,
        "beneficiaries": [
            {
                "label": r["label"],
                "unit": r["unit"],
                "reached": r["achieved"],
                "target": r["target"],
                "reached_display": r["achieved_display"],
                "target_display": r["target_display"],
            }
            for r in indicators
            if r["standard_id"] in people
        ],
        "indicators": indicators,
        "indicator_breakdowns": _breakdown_tables(figures),
        "by_area": _by_area(session, published, indicators, params.area_id, region, locale),
        # Under a region filter the region is the total: no table by region.
        "by_region": []
        if region is not None
        else _by_region(session, published, indicators, params.area_id, locale),
        # The same rows grouped by child well-being domain (issue #21): nothing added up.
        "by_domain": [
            {"code": g.code, "name": g.name, "rows": g.items}
            for g in wellbeing.by_domain(
                session, indicators, locale, standard_of=lambda row: row["standard_id"]
            )
        ],
    }


# Project pages -------------------------------------------------------------------------------


@dataclass
class IndicatorLine:
    """One line of a project's indicators table: a count measure (its published cells), or a
    percentage or yes/no indicator (its latest verified value)."""

    measure: tuple[str, int] | None  # None: not a count of people
    label: str
    unit: str
    baseline: int
    target: int
    latest: int | None = None  # a percentage or yes/no: its latest verified value


def _measure(indicator: ProjectIndicator) -> tuple[str, int]:
    if indicator.standard_id is not None:
        return ("std", indicator.standard_id)
    return ("ind", indicator.id)


def indicator_lines(
    session: Session, params: ReportParams, project_ids: Iterable[int]
) -> dict[int, list[IndicatorLine]]:
    """Every project's indicators at once (no query per project page). Two indicators of one
    project that count the same standard indicator are one published cell, so one line (their
    plans added up)."""
    ids = list(project_ids)
    out: dict[int, list[IndicatorLine]] = {pid: [] for pid in ids}
    if not ids:
        return out
    indicators = session.scalars(
        select(ProjectIndicator)
        .where(ProjectIndicator.project_id.in_(ids))
        .order_by(ProjectIndicator.project_id, ProjectIndicator.id)
        .options(selectinload(ProjectIndicator.standard))
    ).all()
    latest: dict[int, int] = {}
    others = [i.id for i in indicators if i.type != IndicatorType.COUNT]
    if others:
        for indicator_id, value in session.execute(
            select(IndicatorResult.indicator_id, IndicatorResult.value)
            .where(
                IndicatorResult.indicator_id.in_(others),
                IndicatorResult.status == ResultStatus.VERIFIED,
                IndicatorResult.period_end <= params.period_end,
            )
            .order_by(IndicatorResult.period_end, IndicatorResult.id)
        ):
            latest[indicator_id] = value
    by_measure: dict[tuple[int, tuple[str, int]], IndicatorLine] = {}
    for i in indicators:
        label, unit = i.title(params.locale), i.unit_label(params.locale)
        if i.type != IndicatorType.COUNT:
            out[i.project_id].append(
                IndicatorLine(None, label, unit, i.baseline, i.target, latest.get(i.id))
            )
            continue
        key = (i.project_id, _measure(i))
        if key in by_measure:
            by_measure[key].baseline += i.baseline
            by_measure[key].target += i.target
            continue
        line = by_measure[key] = IndicatorLine(key[1], label, unit, i.baseline, i.target)
        out[i.project_id].append(line)
    return out


def project_indicator_rows(
    lines: list[IndicatorLine], cells: Mapping[tuple[str, int], Figure] | None
) -> list[dict]:
    """A project page's indicators table: {"label", "unit", "baseline", "target", "actual",
    "actual_display"}; a count's actual is its published cell of the page's period (`cells`:
    {measure: Figure}; None when no period covering the project is published)."""
    rows = []
    for line in lines:
        if line.measure is None:
            actual = line.latest
            display = fmt_count(actual)
        elif cells is None:
            actual, display = None, not_published()
        else:
            figure = cells.get(line.measure, publications.NOTHING_REPORTED)
            actual, display = figure.value, figure.display
        rows.append(
            {
                "label": line.label,
                "unit": line.unit,
                "baseline": line.baseline,
                "target": line.target,
                "counts": line.measure is not None,
                "actual": actual,
                "actual_display": display,
            }
        )
    return rows


def board_project_cells(
    published: Published | None, project_id: int, lines: list[IndicatorLine]
) -> dict[tuple[str, int], Figure] | None:
    """A project's own cells in the board report's publication, per measure."""
    if published is None:
        return None
    measures = [REACHED] + [line.measure for line in lines if line.measure is not None]
    return {m: published.get(m, "project", project=project_id) for m in measures}


def published_by_period(
    session: Session, project_id: int, lines: list[IndicatorLine]
) -> tuple[list[tuple[Publication, dict]], dict | None]:
    """A project's published cells, one row per published period it has cells in (newest
    first): ([(publication, {measure: Figure})], the table {"columns", "rows": [{"period",
    "published_on", "cells"}]}); the table is None when nothing of it is published yet."""
    found = publications.project_figures(session, project_id)
    if not found:
        return found, None
    measures = [(REACHED, _("People reached"))]
    measures += [(line.measure, line.label) for line in lines if line.measure is not None]
    rows = []
    for publication, cells in found:
        named = stamp(publication)
        rows.append(
            {
                "period": named["label"],
                "key": named["key"],
                "published_on": named["published_on"],
                "cells": [
                    cells.get(m, publications.NOTHING_REPORTED).display for m, _label in measures
                ],
            }
        )
    return found, {"columns": [label for _m, label in measures], "rows": rows}


def impact_stories(session: Session, params: ReportParams, project_ids: list[int]) -> list[dict]:
    """Impact stories whose people consented to publication, newest first: {"title", "body",
    "project_code", "project_title"}. A board report takes the stories written in its period; a
    project report all of its project's. Text only: photos are not printed."""
    stories = outcomes.stories_of(session, project_ids, for_report=True)
    if params.kind == ReportKind.BOARD:
        stories = [s for s in stories if params.covers(local_day(s.created_at))]
    return [
        {
            "title": s.title,
            "body": s.body,
            "project_code": s.project.code,
            "project_title": s.project.title(params.locale),
        }
        for s in stories
    ]
