"""The fund's review of reported results: verifying or querying a result, and locking a verified
result or a project's periods so that nobody changes them afterwards; the results that wait for
the review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from fundtracker import permissions
from fundtracker.models import (
    IndicatorResult,
    Project,
    ProjectIndicator,
    ProjectStatus,
    ResultStatus,
    User,
    utcnow,
)
from fundtracker.permissions import scopes
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.outcomes.results import _move
from fundtracker.services.plan import check_version


def _staff_check(actor: User, result: IndicatorResult) -> None:
    if not permissions.can_verify_results(actor, result.indicator.project):
        raise NotAllowed(_l("Only fund staff verify results."))


def verify(
    session: Session, actor: User, result: IndicatorResult, expected_version: int | None = None
) -> IndicatorResult:
    _staff_check(actor, result)
    check_version(result, expected_version)
    _move(session, actor, result, ResultStatus.VERIFIED)
    result.reviewed_by_id = actor.id
    result.reviewed_at = utcnow()
    result.query_comment = ""
    session.flush()
    return result


def query(
    session: Session,
    actor: User,
    result: IndicatorResult,
    comment: str,
    expected_version: int | None = None,
) -> IndicatorResult:
    _staff_check(actor, result)
    check_version(result, expected_version)
    comment = comment.strip()
    if not comment:
        raise DomainError(_l("Say what should be checked."), field="comment")
    _move(session, actor, result, ResultStatus.QUERIED, comment=comment)
    result.reviewed_by_id = actor.id
    result.reviewed_at = utcnow()
    result.query_comment = comment
    session.flush()
    return result


def lock(
    session: Session, actor: User, result: IndicatorResult, expected_version: int | None = None
) -> IndicatorResult:
    """Lock a verified period: no correction after this."""
    _staff_check(actor, result)
    check_version(result, expected_version)
    if result.locked:
        raise DomainError(_l("This period is locked already."))
    if result.status != ResultStatus.VERIFIED:
        raise DomainError(_l("Only a verified result can be locked."))
    result.locked = True
    session.flush()
    return result


def lock_period(session: Session, actor: User, project: Project, until: date) -> int:
    """Lock every result of the project whose period ends by `until`, once all of them are
    verified; returns how many were locked."""
    if not permissions.can_verify_results(actor, project):
        raise NotAllowed(_l("Only fund staff verify results."))
    results = list(
        session.scalars(
            select(IndicatorResult)
            .join(IndicatorResult.indicator)
            .where(
                ProjectIndicator.project_id == project.id,
                IndicatorResult.period_end <= until,
                IndicatorResult.locked.is_(False),
            )
        )
    )
    waiting = [r for r in results if r.status != ResultStatus.VERIFIED]
    if waiting:
        raise DomainError(
            _l(
                "%(count)d results of these periods are not verified yet: verify them first.",
                count=len(waiting),
            )
        )
    for result in results:
        result.locked = True
    session.flush()
    return len(results)


def lockable_period_ends(project_indicators: list[ProjectIndicator]) -> list[date]:
    """The ends of the periods that have an unlocked result, latest first."""
    ends = {r.period_end for i in project_indicators for r in i.results if not r.locked}
    return sorted(ends, reverse=True)


# Results waiting for the fund's check ---------------------------------------------------------


@dataclass(frozen=True)
class AwaitingFilter:
    area_id: int | None = None
    project_id: int | None = None
    period_end: date | None = None


def _awaiting(actor: User) -> tuple:
    """Reported, not locked, on a project still open that the actor may see: the results of
    "Indicator results to verify" (services/tasks/staff.py)."""
    return (
        IndicatorResult.status == ResultStatus.REPORTED,
        IndicatorResult.locked.is_(False),
        Project.status != ProjectStatus.CLOSED,
        *scopes.projects(actor),
    )


def awaiting_verification(actor: User, flt: AwaitingFilter) -> Select:
    """The results staff may verify, the longest waiting first, with their indicator, project
    and organisation loaded: a select to page (`db.paginate`)."""
    query = (
        select(IndicatorResult)
        .join(IndicatorResult.indicator)
        .join(ProjectIndicator.project)
        .where(*_awaiting(actor))
        .options(
            contains_eager(IndicatorResult.indicator).options(
                contains_eager(ProjectIndicator.project).joinedload(Project.organisation),
                joinedload(ProjectIndicator.standard),
            )
        )
        .order_by(IndicatorResult.reported_at, IndicatorResult.id)
    )
    if flt.area_id is not None:
        query = query.where(Project.area_id == flt.area_id)
    if flt.project_id is not None:
        query = query.where(Project.id == flt.project_id)
    if flt.period_end is not None:
        query = query.where(IndicatorResult.period_end == flt.period_end)
    return query


def awaiting_choices(
    session: Session, actor: User, flt: AwaitingFilter = AwaitingFilter()
) -> tuple[list[Project], list[date]]:
    """The projects and the period ends that have a result waiting: the filters' choices; with
    the project and the period of `flt` when the actor may see them, so that a narrowed list
    stays narrowed (and empty) once its results are verified."""
    waiting = Project.id.in_(
        select(ProjectIndicator.project_id)
        .join(IndicatorResult, IndicatorResult.indicator_id == ProjectIndicator.id)
        .join(Project, Project.id == ProjectIndicator.project_id)
        .where(*_awaiting(actor))
    )
    if flt.project_id is not None:
        waiting = or_(waiting, Project.id == flt.project_id)
    projects = list(
        session.scalars(
            select(Project).where(waiting, *scopes.projects(actor)).order_by(Project.code)
        )
    )
    ends = list(
        session.scalars(
            select(IndicatorResult.period_end)
            .join(IndicatorResult.indicator)
            .join(ProjectIndicator.project)
            .where(*_awaiting(actor))
            .distinct()
            .order_by(IndicatorResult.period_end.desc())
        )
    )
    if flt.period_end is not None and flt.period_end not in ends:
        ends = sorted([*ends, flt.period_end], reverse=True)
    return projects, ends
