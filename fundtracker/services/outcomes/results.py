"""Results per period with their breakdowns: reported on their own or typed into a milestone
update's draft and submitted with it, and corrected (the earlier value is kept).

Results move draft → reported → (queried → reported) → verified; a verified result can be locked,
after which nobody changes it. `_move` knows the allowed steps; the fund's review (review.py)
goes through it too. Results typed into milestone updates, and carried from one submission of a
milestone to the next, are in updates.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import (
    Dimension,
    IndicatorResult,
    IndicatorType,
    ProjectIndicator,
    ResultCell,
    ResultRevision,
    ResultStatus,
    User,
    utcnow,
)
from fundtracker.services import workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.outcomes.indicators import categories
from fundtracker.services.outcomes.periods import period_of, reporting_periods
from fundtracker.services.plan import check_version
from fundtracker.services.workflow.tables import published_period, published_refusal


@dataclass
class ResultData:
    period_start: date
    value: int | None
    # dimension -> category -> count; a category left out was not reported
    cells: dict[Dimension, dict[str, int]] = field(default_factory=dict)
    explanation: str = ""


def _move(session: Session, actor: User, result: IndicatorResult, to: ResultStatus, **data):
    """A result's status changes through the workflow (services/workflow.py): a verified
    result stays verified, though staff may still correct it (history kept) until locked."""
    workflow.move_to(session, actor, result, to, **data)


def _refuse_if_published(session: Session, period_end: date, field: str = "period") -> None:
    """A period whose outcome figures are published keeps its results as they were published:
    none is added, corrected, queried or verified again (the message says when, and whom to
    ask)."""
    publication = published_period(session, period_end)
    if publication is not None:
        raise Conflict(published_refusal(publication), field=field)


def _published_start(session: Session, indicator: ProjectIndicator, period_start: date) -> None:
    """Refuse a new result for the period of `indicator` that starts on `period_start` when it
    ends in a published period."""
    _refuse_if_published(session, period_of(indicator.frequency, period_start)[1])


def mismatches(indicator: ProjectIndicator, data: ResultData) -> list[Dimension]:
    """The breakdowns that were filled in and do not add up to the value."""
    wrong = []
    for dimension in indicator.dimensions:
        cells = data.cells.get(dimension) or {}
        if cells and data.value is not None and sum(cells.values()) != data.value:
            wrong.append(dimension)
    return wrong


def _check(indicator: ProjectIndicator, data: ResultData, today: date) -> tuple[date, date]:
    if data.value is None:
        raise DomainError(_l("Enter the value for the period."), field="value")
    if data.value < 0:
        raise DomainError(_l("A value cannot be negative."), field="value")
    if indicator.type == IndicatorType.PERCENTAGE and data.value > 100:
        raise DomainError(_l("A percentage is between 0 and 100."), field="value")
    if indicator.type == IndicatorType.YES_NO and data.value > 1:
        raise DomainError(_l("A yes/no indicator has 0 (no) or 1 (yes)."), field="value")
    periods = dict(reporting_periods(indicator, today))
    if data.period_start not in periods:
        raise DomainError(_l("Choose one of the indicator's reporting periods."), field="period")
    allowed = categories(indicator)
    for dimension, cells in data.cells.items():
        if dimension not in allowed or any(k not in allowed[dimension] for k in cells):
            raise DomainError(_l("This breakdown is not reported for this indicator."))
        if any(v < 0 for v in cells.values()):
            raise DomainError(_l("A value cannot be negative."), field="value")
    if mismatches(indicator, data) and not data.explanation.strip():
        raise DomainError(
            _l("The breakdowns do not add up to the total: correct them or explain why."),
            field="explanation",
        )
    return data.period_start, periods[data.period_start]


def _set_values(result: IndicatorResult, data: ResultData) -> None:
    result.value = data.value
    result.explanation = data.explanation.strip()
    wanted = {(d, k): v for d, cells in data.cells.items() for k, v in cells.items()}
    for cell in list(result.cells):
        key = (cell.dimension, cell.category)
        if key in wanted:
            cell.value = wanted.pop(key)
        else:
            result.cells.remove(cell)
    for (dimension, category), value in wanted.items():
        result.cells.append(ResultCell(dimension=dimension, category=category, value=value))


def cells_snapshot(result: IndicatorResult) -> dict[str, dict[str, int]]:
    snapshot: dict[str, dict[str, int]] = {}
    for cell in result.cells:
        snapshot.setdefault(cell.dimension.value, {})[cell.category] = cell.value
    return snapshot


def result_for(
    session: Session, indicator: ProjectIndicator, period_start: date
) -> IndicatorResult | None:
    return session.scalar(
        select(IndicatorResult).where(
            IndicatorResult.indicator_id == indicator.id,
            IndicatorResult.period_start == period_start,
        )
    )


def report_result(
    session: Session, actor: User, indicator: ProjectIndicator, data: ResultData, today: date
) -> IndicatorResult:
    """A grantee reports a result on its own (outside a milestone update)."""
    if not permissions.can_report_on(actor, indicator.project):
        raise NotAllowed(_l("You cannot report on this project."))
    _published_start(session, indicator, data.period_start)
    start, end = _check(indicator, data, today)
    if result_for(session, indicator, start) is not None:
        raise Conflict(
            _l("A result for this period exists already: correct it instead."), field="period"
        )
    result = IndicatorResult(
        indicator=indicator,
        period_start=start,
        period_end=end,
        status=ResultStatus.REPORTED,
        reported_by_id=actor.id,
        reported_at=utcnow(),
    )
    _set_values(result, data)
    session.add(result)
    session.flush()
    return result


def _cells_of(result: IndicatorResult) -> dict[Dimension, dict[str, int]]:
    cells: dict[Dimension, dict[str, int]] = {}
    for cell in result.cells:
        cells.setdefault(cell.dimension, {})[cell.category] = cell.value
    return cells


def data_of(result: IndicatorResult) -> ResultData:
    """A result's values as a form shows them."""
    return ResultData(result.period_start, result.value, _cells_of(result), result.explanation)


def _keep_history(result: IndicatorResult, actor: User, reason: str) -> None:
    """The result's value and breakdowns as they are, kept in its history before a change."""
    result.revisions.append(
        ResultRevision(
            value=result.value,
            cells=cells_snapshot(result),
            status=result.status,
            reason=reason,
            changed_by_id=actor.id,
        )
    )


def correct_result(
    session: Session,
    actor: User,
    result: IndicatorResult,
    data: ResultData,
    reason: str,
    today: date,
    expected_version: int | None = None,
) -> IndicatorResult:
    """Change a reported result; the earlier value and breakdowns are kept in its history. A
    grantee's correction goes back to the fund for verification."""
    _refuse_if_published(session, result.period_end)
    if not permissions.can_correct_result(actor, result):
        raise NotAllowed(_l("This result can no longer be corrected."))
    check_version(result, expected_version)
    reason = reason.strip()
    if not reason:
        raise DomainError(_l("Say why the result is corrected."), field="reason")
    data.period_start = result.period_start
    _check(result.indicator, data, today)
    _keep_history(result, actor, reason)
    _set_values(result, data)
    if not permissions.is_staff(actor):
        if result.status == ResultStatus.QUERIED:
            _move(session, actor, result, ResultStatus.REPORTED, comment=reason)
        else:  # corrected before the fund looked at it: the officer is told all the same
            workflow.emit(session, actor, result, "result_corrected", reason)
    result.reported_at = utcnow() if not permissions.is_staff(actor) else result.reported_at
    session.flush()
    return result
