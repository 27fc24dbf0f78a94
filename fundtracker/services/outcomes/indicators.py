"""A project's indicators: baseline, target, how often they are reported and by which
breakdowns, optionally linked to a standard indicator of the library."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from fundtracker import permissions
from fundtracker.core.i18n import format_d
from fundtracker.core.time import local_day
from fundtracker.disclosure import grid
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Dimension,
    Direction,
    Frequency,
    IndicatorResult,
    IndicatorType,
    Project,
    ProjectIndicator,
    Publication,
    StandardIndicator,
    User,
)
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.plan import check_version


@dataclass
class IndicatorData:
    standard_id: int | None = None
    name: str = ""
    unit: str = ""
    type: IndicatorType = IndicatorType.COUNT
    baseline: int = 0
    target: int = 0
    direction: Direction = Direction.HIGHER
    cumulative: bool = False
    frequency: Frequency = Frequency.QUARTERLY
    by_region: bool = False
    by_sex: bool = False
    by_age: bool = False


def first_publication(session: Session, indicator: ProjectIndicator) -> Publication | None:
    """The first publication that counts a result of the indicator (None: none does): its
    figures are published, and what they count may not change under them."""
    if indicator.id is None:
        return None
    counted = exists().where(
        IndicatorResult.indicator_id == indicator.id,
        IndicatorResult.period_end >= Publication.period_start,
        IndicatorResult.period_end <= Publication.period_end,
    )
    with session.no_autoflush:
        return session.scalar(
            select(Publication)
            .where(counted)
            .order_by(Publication.published_at, Publication.period_end)
            .limit(1)
        )


def _keep_what_was_published(
    session: Session, indicator: ProjectIndicator, data: IndicatorData, standard
) -> None:
    """An indicator whose results are in published figures keeps what makes those figures: its
    type (a count is published, a percentage is not), its standard indicator (the table it is
    added up in) and whether it is cumulative (how its periods add up)."""
    changes = (
        (standard.type if standard is not None else data.type) != indicator.type
        or (standard.id if standard is not None else None) != indicator.standard_id
        or data.cumulative != indicator.cumulative
    )
    if not changes:
        return
    publication = first_publication(session, indicator)
    if publication is not None:
        raise Conflict(
            _l(
                "Results of this indicator are in the outcome figures of %(period)s, published "
                "on %(day)s: its type, its standard indicator and whether it is cumulative can "
                "no longer change. Add a new indicator instead.",
                period=grid.parse(publication.period).label(),
                day=format_d(local_day(publication.published_at)),
            ),
            field="type",
        )


def _apply_indicator(session: Session, indicator: ProjectIndicator, data: IndicatorData) -> None:
    standard = session.get(StandardIndicator, data.standard_id) if data.standard_id else None
    if data.standard_id and standard is None:
        raise DomainError(_l("Choose an indicator from the library."), field="standard_id")
    if standard is None and not data.name.strip():
        raise DomainError(_l("Choose a standard indicator or give this one a name."), field="name")
    if data.baseline < 0 or data.target < 0:
        raise DomainError(_l("Baseline and target cannot be negative."), field="target")
    if data.type == IndicatorType.PERCENTAGE and max(data.baseline, data.target) > 100:
        raise DomainError(_l("A percentage is between 0 and 100."), field="target")
    if data.type == IndicatorType.YES_NO and max(data.baseline, data.target) > 1:
        raise DomainError(_l("A yes/no indicator has 0 (no) or 1 (yes)."), field="target")
    if indicator.id is not None:
        _keep_what_was_published(session, indicator, data, standard)
    if indicator.results and data.frequency != indicator.frequency:
        raise DomainError(
            _l("Results have been reported: the reporting frequency can no longer change."),
            field="frequency",
        )
    indicator.standard = standard
    indicator.name = data.name.strip()
    indicator.unit = data.unit.strip()
    indicator.type = standard.type if standard is not None else data.type
    indicator.baseline = data.baseline
    indicator.target = data.target
    indicator.direction = data.direction
    indicator.cumulative = data.cumulative
    indicator.frequency = data.frequency
    counts = indicator.type == IndicatorType.COUNT
    indicator.by_region = data.by_region and counts
    indicator.by_sex = data.by_sex and counts
    indicator.by_age = data.by_age and counts


def add_indicator(
    session: Session, actor: User, project: Project, data: IndicatorData
) -> ProjectIndicator:
    if not permissions.can_plan_indicators(actor, project):
        raise NotAllowed(_l("Only fund staff set a project's indicators."))
    indicator = ProjectIndicator(project=project)
    _apply_indicator(session, indicator, data)
    session.add(indicator)
    session.flush()
    return indicator


def edit_indicator(
    session: Session,
    actor: User,
    indicator: ProjectIndicator,
    data: IndicatorData,
    expected_version: int | None = None,
) -> ProjectIndicator:
    if not permissions.can_plan_indicators(actor, indicator.project):
        raise NotAllowed(_l("Only fund staff set a project's indicators."))
    check_version(indicator, expected_version)
    _apply_indicator(session, indicator, data)
    session.flush()
    return indicator


def project_indicators(
    session: Session, project: Project, *, with_results: bool = False
) -> list[ProjectIndicator]:
    query = (
        select(ProjectIndicator)
        .where(ProjectIndicator.project_id == project.id)
        .order_by(ProjectIndicator.id)
        .options(selectinload(ProjectIndicator.standard))
    )
    if with_results:
        results = selectinload(ProjectIndicator.results)
        query = query.options(
            results.selectinload(IndicatorResult.cells),
            results.selectinload(IndicatorResult.revisions),
        )
    return list(session.scalars(query))


def categories(indicator: ProjectIndicator) -> dict[Dimension, list[str]]:
    """The cells of each breakdown the indicator is reported by."""
    result: dict[Dimension, list[str]] = {}
    for dimension in indicator.dimensions:
        if dimension == Dimension.REGION:
            result[dimension] = [r.code for r in indicator.project.regions]
        elif dimension == Dimension.SEX:
            result[dimension] = list(SEXES)
        else:
            result[dimension] = list(AGE_GROUPS)
    return result
