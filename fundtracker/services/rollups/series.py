"""A project's verified results over time, per indicator, with achieved against target."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker.core.i18n import current_locale
from fundtracker.disclosure import fmt_count, sees_raw
from fundtracker.models import IndicatorType, Project, ProjectIndicator, ResultStatus
from fundtracker.services.outcomes import period_label
from fundtracker.services.rollups.figures import IndicatorSeries, SeriesPoint


def project_series(
    session: Session,
    project: Project,
    actor=None,
    *,
    locale: str | None = None,
) -> list[IndicatorSeries]:
    """A project's verified results over time, per indicator, with achieved against target.
    Raw: to one who may not see the project's raw figures, only the indicators that do not
    count people (percentages, yes/no) are given."""
    series = series_by_project(session, [project], actor, locale=locale)
    return series[project.id]


def series_by_project(
    session: Session,
    projects: Iterable[Project],
    actor=None,
    *,
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
        counts = indicator.type == IndicatorType.COUNT
        if counts and not sees_raw(actor, project):
            continue
        verified = [
            r
            for r in indicator.results
            if r.status == ResultStatus.VERIFIED and (until is None or r.period_end <= until)
        ]
        if indicator.cumulative or not counts:
            achieved = verified[-1].value if verified else 0
        else:
            achieved = sum(r.value for r in verified)
        displays = [fmt_count(r.value) for r in verified]

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
                achieved_display=fmt_count(achieved),
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
