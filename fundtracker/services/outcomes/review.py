"""The fund's review of reported results: verifying or querying a result, and locking a verified
result or a project's periods so that nobody changes them afterwards."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import (
    IndicatorResult,
    Project,
    ProjectIndicator,
    ResultStatus,
    User,
    utcnow,
)
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
