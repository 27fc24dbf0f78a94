"""A report's outcomes, as plain data in the report's language.

Outcomes come from services/rollups and services/outcomes, always as they leave the fund
(`for_export=True`: verified results only, small figures suppressed), each through one function
below and one template block that renders only when given data:

    function                        shown in             macro in templates/pdf/_blocks.html
    beneficiaries_against_targets   key figures          beneficiaries
    outcomes_by_indicator           its own section      indicators
    impact_stories                  its own section      stories
    project_indicators              each project page    project_indicators
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import privacy
from fundtracker.core.time import local_day
from fundtracker.models import AGE_GROUPS, SEXES, Project, ProjectIndicator, ReportKind
from fundtracker.models.labels import category_labels, dimension_labels
from fundtracker.pdf.params import HIDDEN, ReportParams
from fundtracker.services import outcomes, rollups
from fundtracker.services.rollups import IndicatorFigure, IndicatorSeries


def indicator_figures(session: Session, params: ReportParams) -> list[IndicatorFigure]:
    """The portfolio's verified results by standard indicator for the report's period, area and
    region, as they leave the fund (the same call as the portfolio's CSV export)."""
    return rollups.by_indicator(
        session,
        None,
        params.period_start,
        params.period_end,
        params.area_id,
        params.region_id,
        for_export=True,
        locale=params.locale,
        labels=category_labels(),
    )


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


def _shown(figure: IndicatorFigure) -> int | None:
    """A figure's number when it is printed; None when it is suppressed (never in the data)."""
    return None if figure.suppressed or figure.achieved_display in HIDDEN else figure.achieved


def _share(value: int | None, target: int | None) -> str:
    return f"{round(100 * value / target)}%" if value is not None and target else "—"


def beneficiaries_against_targets(
    session: Session,
    params: ReportParams,
    project_ids: list[int],
    figures: list[IndicatorFigure] | None = None,
) -> list[dict]:
    """People reached against targets for the key figures: the standard indicators that count
    people, as {"label", "reached", "target", "reached_display", "target_display"}."""
    if figures is None:
        figures = indicator_figures(session, params)
    people = _people_standards(session) if figures else set()
    return [
        {
            "label": f.name,
            "unit": f.unit,
            "reached": _shown(f),
            "target": f.target,
            "reached_display": f.achieved_display,
            "target_display": f.target_display,
        }
        for f in figures
        if f.standard_id in people
    ]


def outcomes_by_indicator(
    session: Session,
    params: ReportParams,
    project_ids: list[int],
    figures: list[IndicatorFigure] | None = None,
) -> list[dict]:
    """Results by standard indicator over the period: {"label", "unit", "achieved", "target",
    "achieved_display", "target_display", "share", "breakdowns"}; `breakdowns` maps a sex or an
    age group to its display string (suppressed with the breakdown's total)."""
    if figures is None:
        figures = indicator_figures(session, params)
    rows = []
    for f in figures:
        achieved = _shown(f)
        rows.append(
            {
                "code": f.code,
                "label": f.name,
                "unit": f.unit,
                "achieved": achieved,
                "target": f.target,
                "achieved_display": f.achieved_display,
                "target_display": f.target_display,
                "share": _share(achieved, f.target),
                # A hidden figure keeps no breakdown: its cells would add up to it.
                "breakdowns": {}
                if achieved is None
                else {c.key: c.display for b in f.breakdowns for c in b.cells},
            }
        )
    return rows


def breakdown_tables(rows: list[dict]) -> list[dict]:
    """The indicators section's tables by sex and by age group: {"title", "columns": [labels],
    "rows": [{"label", "cells": [display]}]}, each with the indicators reported that way."""
    labels = category_labels()
    dimensions = dimension_labels()
    tables = []
    for dimension, keys in (("sex", SEXES), ("age", AGE_GROUPS)):
        keys = [k for k in keys if any(k in row["breakdowns"] for row in rows)]
        members = [row for row in rows if any(k in row["breakdowns"] for k in keys)]
        if members:
            tables.append(
                {
                    "title": str(dimensions[dimension]),
                    "columns": [str(labels[k]) for k in keys],
                    "rows": [
                        {
                            "label": row["label"],
                            "cells": [row["breakdowns"].get(k, "—") for k in keys],
                        }
                        for row in members
                    ],
                }
            )
    return tables


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


def indicator_series(
    session: Session, params: ReportParams, projects: Iterable[Project]
) -> dict[int, list[IndicatorSeries]]:
    """Every project's indicators at once (no query per project page), with the verified
    results of the periods that ended by the end of the report's period, suppressed for export.

    Projects' achieved values of one standard indicator add up to the portfolio's figure, so
    they are suppressed together as cells of it: no hidden one is found by subtraction."""
    series = rollups.series_by_project(
        session, projects, None, for_export=True, locale=params.locale, until=params.period_end
    )
    cells: dict[int, dict[int, IndicatorSeries]] = defaultdict(dict)
    for items in series.values():
        for s in items:
            if s.counts and s.standard_id is not None:
                cells[s.standard_id][s.indicator_id] = s
    for group in cells.values():
        values = {str(k): s.achieved for k, s in group.items()}
        shown = privacy.suppress(values, sum(values.values()))
        for k, s in group.items():
            if shown.cells[str(k)] in HIDDEN:
                s.achieved_display = shown.cells[str(k)]
    return series


def project_indicators(
    session: Session,
    params: ReportParams,
    project_id: int,
    series: Mapping[int, list[IndicatorSeries]] | None = None,
) -> list[dict]:
    """One project's indicators with baseline, target and actual (verified, to the end of the
    period): {"label", "unit", "baseline", "target", "actual", "actual_display"}. `series`: from
    `indicator_series` for all the report's projects; without it, this project's are loaded."""
    if series is None:
        project = session.get(Project, project_id)
        series = indicator_series(session, params, [project] if project else [])
    return [
        {
            "label": s.name,
            "unit": s.unit,
            "baseline": s.baseline,
            "target": s.target,
            "actual": None if s.achieved_display in HIDDEN else s.achieved,
            "actual_display": s.achieved_display,
        }
        for s in series.get(project_id, [])
    ]
