"""Results in milestone updates: typed into an update's draft and reported with it, and carried
from one submission of a milestone to the next when the fund asks for a revision.

A new result typed in a draft is a draft result of that update, which holds its period. A result
that an earlier submission of the milestone carried stays the one row of its period: the draft
made after a revision request carries it on; a change typed to it waits in the draft (an
`UpdateResult`) and is made when the draft is submitted, its earlier value and breakdowns going
to the result's history; an unchanged one simply moves to the new submission. A verified or
locked result is the fund's: the grantee does not change it, and it moves along as it is. Each
submitted update records what it carried (`UpdateResult` again), which the officer's comparison
of two submissions reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager

from fundtracker import permissions
from fundtracker.models import (
    Dimension,
    IndicatorResult,
    MilestoneUpdate,
    ProjectIndicator,
    ResultStatus,
    UpdateResult,
    UpdateStatus,
    User,
    utcnow,
)
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.outcomes.results import (
    ResultData,
    _cells_of,
    _check,
    _keep_history,
    _move,
    _published_start,
    _refuse_if_published,
    _set_values,
    cells_snapshot,
    data_of,
    mismatches,
    result_for,
)


@dataclass(frozen=True)
class Answer:
    """What a milestone's update form holds for one indicator."""

    data: ResultData
    # The result of an earlier submission that these values are (or change); None: a new result.
    carried: IndicatorResult | None = None


# Drafts ---------------------------------------------------------------------------------------


def save_in_update(
    session: Session,
    actor: User,
    indicator: ProjectIndicator,
    data: ResultData,
    update: MilestoneUpdate,
    today: date,
) -> IndicatorResult:
    """A new result typed in a milestone update's draft: kept as a draft of that update; submitted
    with it. A mismatched breakdown is kept in the draft and stops only the submission."""
    if not permissions.can_report_on(actor, indicator.project):
        raise NotAllowed(_l("You cannot report on this project."))
    if data.value is None:
        raise DomainError(_l("Enter the value for the period."), field="value")
    _published_start(session, indicator, data.period_start)
    existing = result_for(session, indicator, data.period_start)
    if existing is not None and (
        existing.status != ResultStatus.DRAFT or existing.milestone_update_id != update.id
    ):
        raise Conflict(
            _l("A result for this period exists already: correct it on the indicator's page."),
            field="period",
        )
    explained = ResultData(data.period_start, data.value, data.cells, data.explanation or "-")
    start, end = _check(indicator, explained, today)
    result = existing or IndicatorResult(
        indicator=indicator,
        period_start=start,
        period_end=end,
        status=ResultStatus.DRAFT,
        milestone_update_id=update.id,
    )
    result.reported_by_id = actor.id
    _set_values(result, data)
    if existing is None:
        session.add(result)
    session.flush()
    return result


def drafts_in_update(session: Session, update: MilestoneUpdate) -> list[IndicatorResult]:
    return list(
        session.scalars(
            select(IndicatorResult)
            .where(
                IndicatorResult.milestone_update_id == update.id,
                IndicatorResult.status == ResultStatus.DRAFT,
            )
            .order_by(IndicatorResult.indicator_id)
        )
    )


def results_in_update(session: Session, update: MilestoneUpdate) -> list[IndicatorResult]:
    return list(
        session.scalars(
            select(IndicatorResult)
            .where(IndicatorResult.milestone_update_id == update.id)
            .order_by(IndicatorResult.indicator_id)
        )
    )


# Results carried from an earlier submission -----------------------------------------------------


def _submissions_before(update: MilestoneUpdate) -> list[MilestoneUpdate]:
    """The milestone's submissions made before `update` (a draft or a submission), oldest
    first; the last of them is the one the fund sent back."""
    return [
        u for u in update.milestone.updates if u.id < update.id and u.status != UpdateStatus.DRAFT
    ]


def _changes(session: Session, update: MilestoneUpdate) -> dict[int, UpdateResult]:
    """The draft's changes to carried results (or, once submitted, what it carried), by result."""
    rows = session.scalars(select(UpdateResult).where(UpdateResult.update_id == update.id))
    return {row.result_id: row for row in rows}


def carried_into(
    session: Session, update: MilestoneUpdate
) -> list[tuple[IndicatorResult, UpdateResult | None]]:
    """The results of earlier submissions that the draft `update` carries on, each with the change
    typed to it: None when unchanged, a change without a value when the draft no longer carries
    it. These are the results of the submission sent back, and any result of an earlier
    submission of the milestone that the draft has typed a change to."""
    earlier = _submissions_before(update)
    if not earlier:
        return []
    changes = _changes(session, update)
    wanted = IndicatorResult.milestone_update_id == earlier[-1].id
    if changes:
        wanted = or_(wanted, IndicatorResult.id.in_(list(changes)))
    ids = {u.id for u in earlier}
    query = (
        select(IndicatorResult)
        .where(wanted)
        .order_by(IndicatorResult.indicator_id, IndicatorResult.period_start)
    )
    return [
        (result, changes.get(result.id))
        for result in session.scalars(query)
        if result.milestone_update_id in ids and result.status != ResultStatus.DRAFT
    ]


def _data_of_change(change: UpdateResult) -> ResultData:
    return ResultData(
        change.result.period_start,
        change.value,
        {Dimension(d): dict(cells) for d, cells in (change.cells or {}).items()},
        change.explanation,
    )


def _snapshot(data: ResultData) -> dict[str, dict[str, int]]:
    return {Dimension(d).value: dict(cells) for d, cells in data.cells.items() if cells}


def _differs(result: IndicatorResult, data: ResultData) -> bool:
    """The value or a breakdown cell differs from the result's (its explanation aside)."""
    return data.value != result.value or _snapshot(data) != cells_snapshot(result)


def update_answers(session: Session, milestone) -> dict[int, Answer]:
    """What the milestone's update form holds for each indicator (by id): the draft's results and
    changes when there is a draft; otherwise the results of the submission the fund sent back,
    which a draft made now carries on. A revision loses no answer."""
    draft = next((u for u in milestone.updates if u.status == UpdateStatus.DRAFT), None)
    if draft is None:
        submitted = [u for u in milestone.updates if u.status != UpdateStatus.DRAFT]
        if not submitted:
            return {}
        return {
            r.indicator_id: Answer(data_of(r), r) for r in results_in_update(session, submitted[-1])
        }
    answers: dict[int, Answer] = {}
    for result, change in carried_into(session, draft):
        if change is None:
            answers[result.indicator_id] = Answer(data_of(result), result)
        elif change.value is not None:
            answers[result.indicator_id] = Answer(_data_of_change(change), result)
    for result in drafts_in_update(session, draft):
        answers[result.indicator_id] = Answer(data_of(result))
    return answers


def _earlier_result(
    session: Session, indicator: ProjectIndicator, period_start: date, update: MilestoneUpdate
) -> IndicatorResult | None:
    """The result of the period if an earlier submission of the milestone carried it."""
    result = result_for(session, indicator, period_start)
    earlier = {u.id for u in _submissions_before(update)}
    if result is None or result.status == ResultStatus.DRAFT:
        return None
    return result if result.milestone_update_id in earlier else None


def _change(
    session: Session,
    actor: User,
    result: IndicatorResult,
    data: ResultData,
    update: MilestoneUpdate,
    today: date,
) -> None:
    """Keep in the draft what the grantee typed for a carried result, if it differs."""
    changed = _differs(result, data)
    if changed:
        _refuse_if_published(session, result.period_end, field="value")
    may_correct = permissions.can_correct_result(actor, result)
    if changed and not may_correct:
        raise Conflict(
            _l("The fund has verified this result: it is not changed in an update."),
            field="value",
        )
    if changed:
        explained = ResultData(result.period_start, data.value, data.cells, data.explanation or "-")
        _check(result.indicator, explained, today)
    row = session.get(UpdateResult, (update.id, result.id))
    if not may_correct or (not changed and data.explanation.strip() == result.explanation):
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = UpdateResult(update_id=update.id, result_id=result.id)
        session.add(row)
    row.value = data.value
    row.cells = _snapshot(data)
    row.explanation = data.explanation.strip()


def _no_longer_carried(
    session: Session, update: MilestoneUpdate, result: IndicatorResult, change: UpdateResult | None
) -> None:
    """The draft reports something else for the result's indicator, or nothing: the result stays
    with the submission it is in."""
    if result.milestone_update_id != _submissions_before(update)[-1].id:
        if change is not None:  # carried only because a change was typed to it
            session.delete(change)
        return
    if change is None:
        change = UpdateResult(update_id=update.id, result_id=result.id)
        session.add(change)
    change.value = None
    change.cells = {}
    change.explanation = ""


def answer_in_update(
    session: Session,
    actor: User,
    indicator: ProjectIndicator,
    data: ResultData,
    update: MilestoneUpdate,
    today: date,
) -> IndicatorResult | None:
    """The grantee's answer for `indicator` in the draft `update`, whose form has one result per
    indicator; returns the result it is (or changes), None for no answer.

    No value: the update reports nothing for the indicator; its draft result goes, and a result
    that an earlier submission carried stays with that submission. The period of a result an
    earlier submission carried: a change to it, kept in the draft until it is submitted (a
    verified result is the fund's and is not changed). Another period: a new result, a draft of
    the update. A breakdown that does not add up is kept and stops only the submission."""
    if not permissions.can_report_on(actor, indicator.project):
        raise NotAllowed(_l("You cannot report on this project."))
    carried = [(r, c) for r, c in carried_into(session, update) if r.indicator_id == indicator.id]
    kept = None
    if data.value is not None:
        kept = next(
            (r for r, _c in carried if r.period_start == data.period_start), None
        ) or _earlier_result(session, indicator, data.period_start, update)
        if kept is not None:
            _change(session, actor, kept, data, update, today)
        else:
            kept = save_in_update(session, actor, indicator, data, update, today)
    for result in drafts_in_update(session, update):
        if result.indicator_id == indicator.id and result is not kept:
            session.delete(result)
    for result, change in carried:
        if result is not kept:
            _no_longer_carried(session, update, result, change)
    session.flush()
    return kept


# Submission -------------------------------------------------------------------------------------


def unexplained(session: Session, update: MilestoneUpdate) -> list[IndicatorResult]:
    """Results the update reports (draft results, and changes typed to carried ones) whose
    breakdowns do not add up and say nothing of why."""
    wrong = []
    for result in drafts_in_update(session, update):
        data = ResultData(result.period_start, result.value, _cells_of(result))
        if mismatches(result.indicator, data) and not result.explanation:
            wrong.append(result)
    for result, change in carried_into(session, update):
        if change is None or change.value is None:
            continue
        if mismatches(result.indicator, _data_of_change(change)) and not change.explanation:
            wrong.append(result)
    return wrong


def _apply(
    session: Session, actor: User, result: IndicatorResult, change: UpdateResult, reason: str
) -> None:
    """Make the change typed in the draft to a carried result; its earlier value and breakdowns
    go to its history. A result the fund verified meanwhile keeps the fund's value."""
    data = _data_of_change(change)
    changed = _differs(result, data)
    if not permissions.can_correct_result(actor, result) or (
        not changed and data.explanation == result.explanation
    ):
        return
    if changed:
        _keep_history(result, actor, reason)
    _set_values(result, data)
    result.reported_by_id = actor.id
    result.reported_at = utcnow()
    if result.is_queried:  # the grantee answered the fund's query, in the update the officer
        # is told of: one notification for the resubmission, not one more per result
        _move(session, actor, result, ResultStatus.REPORTED, with_another=True)


def _record_carried(session: Session, update: MilestoneUpdate) -> None:
    """What the submitted update carries, as it carries it, kept with it."""
    rows = _changes(session, update)
    for result in results_in_update(session, update):
        row = rows.pop(result.id, None)
        if row is None:
            row = UpdateResult(update_id=update.id, result_id=result.id)
            session.add(row)
        row.value = result.value
        row.cells = cells_snapshot(result)
        row.explanation = result.explanation
    for row in rows.values():
        session.delete(row)


def submit_with_update(
    session: Session, actor: User, update: MilestoneUpdate, reason: str = ""
) -> int:
    """The update was submitted: its draft results are reported to the fund, and the results of
    earlier submissions it carries move to it, changed as the draft says (`reason` goes to their
    history). What it carries is recorded with it. Returns how many results it carries."""
    carried = carried_into(session, update)
    for result in drafts_in_update(session, update):
        _move(session, actor, result, ResultStatus.REPORTED)
        result.reported_by_id = actor.id
        result.reported_at = utcnow()
    for result, change in carried:
        if change is not None and change.value is None:
            continue  # no longer carried: it stays with the submission it is in
        if change is not None:
            _apply(session, actor, result, change, reason)
        result.milestone_update = update
    session.flush()
    _record_carried(session, update)
    session.flush()
    return len(results_in_update(session, update))


def carried_by_update(session: Session, update_ids: list[int]) -> dict[int, list[UpdateResult]]:
    """What each of these submitted updates carried, as it carried it, in one query."""
    grouped: dict[int, list[UpdateResult]] = {i: [] for i in update_ids}
    if update_ids:
        query = (
            select(UpdateResult)
            .join(UpdateResult.result)
            .where(UpdateResult.update_id.in_(update_ids), UpdateResult.value.is_not(None))
            .options(contains_eager(UpdateResult.result).joinedload(IndicatorResult.indicator))
            .order_by(IndicatorResult.indicator_id, IndicatorResult.period_start)
        )
        for row in session.scalars(query):
            grouped[row.update_id].append(row)
    return grouped
