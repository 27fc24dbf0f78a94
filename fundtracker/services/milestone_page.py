"""What a milestone's page shows a user, as ready data: the submitted updates with the results
each carried, the evidence, the indicators of the update form (each with the answer it is filled
with, or, for a result the fund has verified, shown as it is), and, for the officer reviewing a
resubmitted update, what it changed against the one sent back. The view adds the forms.

Staff and the project's own grantee see every figure. Anyone else (the board) sees no count of
people here: not the people reached of an update, nor the results it carried; those are shown
only as published, on the project's outcomes page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import disclosure, permissions
from fundtracker.core.i18n import format_money
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    ProjectIndicator,
    StoredFile,
    UpdateStatus,
    User,
)
from fundtracker.models.labels import (
    budget_category_labels,
    category_labels,
    dimension_labels,
    result_status_labels,
)
from fundtracker.services import outcomes, revisions


@dataclass(frozen=True)
class Row:
    """A figure before and after, ready to show."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class CellRow(Row):
    """A breakdown cell before and after; `breakdown` names its breakdown (by sex, ...)."""

    breakdown: str = ""


@dataclass(frozen=True)
class ResultRow:
    title: str
    period: str
    before: str
    after: str
    cells: tuple[CellRow, ...] = ()


@dataclass(frozen=True)
class Changes:
    """What a resubmitted update changed against the one sent back."""

    since: datetime | None  # when the one sent back was submitted
    narrative: tuple[revisions.Piece, ...] | None  # None: unchanged
    figures: tuple[Row, ...]  # progress, people reached
    spending: tuple[Row, ...]
    results: tuple[ResultRow, ...]
    changed: bool


@dataclass(frozen=True)
class FixedResult:
    """A result the fund has verified, shown in the update form as it is."""

    period: str
    value: str
    status: str
    breakdowns: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class ResultSlot:
    """One indicator of the update form: the periods it may be reported for, the answer it is
    filled with, a note from the fund, or the verified result it holds and nobody changes here."""

    indicator: ProjectIndicator
    periods: list[tuple[date, date]]
    answer: outcomes.Answer | None = None
    note: str | None = None
    fixed: FixedResult | None = None


@dataclass
class MilestonePage:
    can_report: bool
    can_review: bool
    draft: MilestoneUpdate | None  # the grantee's draft, when they may report
    submitted: MilestoneUpdate | None  # the latest submission
    updates: list[MilestoneUpdate]  # the submissions the user may see, oldest first
    evidence: list[StoredFile]
    # update id -> (indicator, value shown) of each result it carried
    update_results: dict[int, list[tuple[str, str]]]
    slots: list[ResultSlot] = field(default_factory=list)  # when the user may report
    changes: Changes | None = None  # for the officer reviewing a resubmission
    # A protected reader (the board): no people reached and no results in `updates`' figures.
    protected: bool = False


def _names(milestone: Milestone, locale: str) -> dict[str, str]:
    """Breakdown cells' names: the project's regions, sexes and age groups."""
    regions = {r.code: r.name(locale) for r in milestone.project.regions}
    return {**{k: str(v) for k, v in category_labels().items()}, **regions}


def _fixed(result, names: dict[str, str]) -> FixedResult:
    indicator = result.indicator
    dims = dimension_labels()
    return FixedResult(
        period=outcomes.period_label(indicator.frequency, result.period_start),
        value=disclosure.fmt_count(result.value),
        status=str(result_status_labels()[result.status]),
        breakdowns=tuple(
            (
                str(dims[dimension.value]),
                tuple(
                    (names.get(k, k), disclosure.fmt_count(v))
                    for k, v in sorted(result.breakdown(dimension).items())
                ),
            )
            for dimension in indicator.dimensions
            if result.breakdown(dimension)
        ),
    )


def result_slots(
    session: Session, actor: User, milestone: Milestone, today: date, locale: str
) -> list[ResultSlot]:
    """The update form's indicators: those with a period to report for. After a revision request
    each is filled with what the submission sent back said of it (or the draft, once there is
    one); a result the fund has verified since is the fund's and is shown, not edited."""
    answers = outcomes.update_answers(session, milestone)
    names = _names(milestone, locale)
    slots = []
    for indicator in outcomes.project_indicators(session, milestone.project):
        periods = outcomes.reporting_periods(indicator, today)
        if not periods:
            continue
        answer = answers.get(indicator.id)
        carried = answer.carried if answer is not None else None
        if carried is not None and not permissions.can_correct_result(actor, carried):
            slots.append(ResultSlot(indicator, periods, answer, fixed=_fixed(carried, names)))
            continue
        note = None
        if carried is not None and carried.is_queried and carried.query_comment:
            note = _l("The fund queried this result: %(comment)s", comment=carried.query_comment)
        slots.append(ResultSlot(indicator, periods, answer, note=note))
    return slots


def _line_label(line, labels) -> str:
    """As the update form labels the line's spending field."""
    label = str(labels[line.category])
    return f"{label}: {line.description}" if line.description else label


def changes(session: Session, milestone: Milestone, locale: str) -> Changes | None:
    """What the update waiting for review changed against the submission sent back, labelled;
    None when there is no earlier submission. Staff see every figure, as on the results page."""
    diff = revisions.for_review(session, milestone)
    if diff is None:
        return None

    def percent(v):
        return "—" if v is None else f"{v}%"

    count = disclosure.fmt_count  # "—" for None

    def money(v):
        return "—" if v is None else format_money(v, locale)

    figures = []
    if diff.progress:
        figures.append(
            Row(str(_l("Progress")), percent(diff.progress.before), percent(diff.progress.after))
        )
    if diff.beneficiaries:
        b = diff.beneficiaries
        figures.append(
            Row(str(_l("People reached in the period")), count(b.before), count(b.after))
        )
    lines = {line.id: line for line in milestone.project.budget_lines}
    labels = budget_category_labels()
    spending = tuple(
        Row(
            _line_label(lines[s.budget_line_id], labels) if s.budget_line_id in lines else "—",
            money(s.before),
            money(s.after),
        )
        for s in diff.spending
    )
    indicators = {i.id: i for i in outcomes.project_indicators(session, milestone.project)}
    names = _names(milestone, locale)
    dims = dimension_labels()
    results = []
    for r in diff.results:
        indicator = indicators[r.indicator_id]
        results.append(
            ResultRow(
                title=indicator.title(locale),
                period=outcomes.period_label(indicator.frequency, r.period_start),
                before=count(r.before),
                after=count(r.after),
                cells=tuple(
                    CellRow(
                        names.get(c.category, c.category),
                        count(c.before),
                        count(c.after),
                        breakdown=str(dims[c.dimension.value]),
                    )
                    for c in r.cells
                ),
            )
        )
    return Changes(
        since=diff.earlier.submitted_at,
        narrative=diff.narrative,
        figures=tuple(figures),
        spending=spending,
        results=tuple(results),
        changed=diff.changed,
    )


def build(
    session: Session, actor: User, milestone: Milestone, today: date, locale: str
) -> MilestonePage:
    project = milestone.project
    draft = next((u for u in milestone.updates if u.status == UpdateStatus.DRAFT), None)
    submitted = next(
        (u for u in reversed(milestone.updates) if u.status != UpdateStatus.DRAFT), None
    )
    can_report = permissions.can_report_on(actor, project) and milestone.status in (
        MilestoneStatus.PLANNED,
        MilestoneStatus.REVISION_REQUESTED,
    )
    can_review = (
        permissions.can_review_updates(actor, project)
        and submitted is not None
        and submitted.status == UpdateStatus.SUBMITTED
    )
    visible = [u for u in milestone.updates if permissions.can_view_update(actor, u)]
    staff = permissions.is_staff(actor)
    raw = disclosure.sees_raw(actor, project)
    updates = [u for u in visible if u.status != UpdateStatus.DRAFT]
    # What each update carried is a raw count: read only for those who may see it.
    carried = outcomes.carried_by_update(session, [u.id for u in updates]) if raw else {}
    return MilestonePage(
        can_report=can_report,
        can_review=can_review,
        draft=draft if can_report else None,
        submitted=submitted,
        updates=updates,
        evidence=[f for u in visible for f in u.files if not f.is_deleted or staff],
        update_results={
            update_id: [
                (row.result.indicator.title(locale), disclosure.fmt_count(row.value))
                for row in rows
            ]
            for update_id, rows in carried.items()
        },
        slots=result_slots(session, actor, milestone, today, locale) if can_report and raw else [],
        changes=changes(session, milestone, locale) if can_review and raw else None,
        protected=not raw,
    )
