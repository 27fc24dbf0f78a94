"""The milestone workflow: grantees draft and submit updates, officers accept them or ask for a
revision, both talk in the milestone's comment thread. All status changes go through the
workflow (`services/workflow`), which knows the allowed transitions.

The grantee's save is one use case, `save_and_submit`: the draft, its evidence files and the
indicator results typed in it are kept whatever else is wrong, then the update is submitted if
asked and complete. After a revision request the draft starts from the submission sent back,
its results included (services/outcomes/updates.py carries them on)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.i18n import current_locale, format_d
from fundtracker.core.storage import Storage
from fundtracker.core.time import today as fund_today
from fundtracker.models import (
    FileKind,
    Milestone,
    MilestoneComment,
    MilestoneStatus,
    MilestoneUpdate,
    ProjectIndicator,
    TrancheStatus,
    UpdateSpending,
    UpdateStatus,
    User,
    utcnow,
)
from fundtracker.services import files, outcomes, payments, workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.plan import STALE, check_version


class IncompleteUpdate(DomainError):
    """Submission refused; the draft was saved. `missing` lists what to add."""

    def __init__(self, missing: list):
        super().__init__(_l("The update was saved as a draft but not submitted."))
        self.missing = missing


@dataclass
class UpdateData:
    narrative: str = ""
    progress: int | None = None
    beneficiaries: int | None = None
    # budget line id -> spending to date, in tiyn; None means not filled in
    spending: dict[int, int | None] = field(default_factory=dict)


def current_draft(milestone: Milestone) -> MilestoneUpdate | None:
    return next((u for u in milestone.updates if u.status == UpdateStatus.DRAFT), None)


def last_submitted(milestone: Milestone) -> MilestoneUpdate | None:
    return next((u for u in reversed(milestone.updates) if u.status != UpdateStatus.DRAFT), None)


def _new_draft(milestone: Milestone, actor: User) -> MilestoneUpdate:
    """A new draft starts from the last submitted update, so a revision means no retyping; the
    results that update carried are carried on by the draft (outcomes.update_answers)."""
    previous = last_submitted(milestone)
    draft = MilestoneUpdate(milestone=milestone, author_id=actor.id, status=UpdateStatus.DRAFT)
    if previous is not None:
        draft.narrative = previous.narrative
        draft.progress = previous.progress
        draft.beneficiaries = previous.beneficiaries
        draft.spending = [
            UpdateSpending(budget_line_id=s.budget_line_id, amount=s.amount)
            for s in previous.spending
        ]
    return draft


def draft_for(session: Session, actor: User, milestone: Milestone) -> MilestoneUpdate:
    """The milestone's draft, shared by the organisation's people; made when first needed."""
    if not permissions.can_report_on(actor, milestone.project):
        raise NotAllowed(_l("You cannot report on this project."))
    if milestone.status not in (MilestoneStatus.PLANNED, MilestoneStatus.REVISION_REQUESTED):
        raise DomainError(_l("This milestone is not waiting for an update."))
    draft = current_draft(milestone)
    if draft is None:
        draft = _new_draft(milestone, actor)
        session.add(draft)
        session.flush()
    return draft


def save_draft(
    session: Session,
    actor: User,
    milestone: Milestone,
    data: UpdateData,
    expected_version: int | None = None,
) -> MilestoneUpdate:
    existed = current_draft(milestone) is not None
    if existed and expected_version == 0:
        # The page was opened before a colleague started the draft: do not overwrite it.
        raise Conflict(STALE)
    draft = draft_for(session, actor, milestone)
    if existed:
        check_version(draft, expected_version)
    lines = {line.id for line in milestone.project.budget_lines}
    draft.narrative = data.narrative.strip()
    draft.progress = data.progress if data.progress is not None else draft.progress
    draft.beneficiaries = data.beneficiaries
    draft.author_id = actor.id
    current = {s.budget_line_id: s for s in draft.spending}
    for line_id, amount in data.spending.items():
        if line_id not in lines:
            continue
        if amount is None:
            if line_id in current:
                draft.spending.remove(current[line_id])
        elif line_id in current:
            current[line_id].amount = amount
        else:
            draft.spending.append(UpdateSpending(budget_line_id=line_id, amount=amount))
    draft.updated_at = utcnow()
    session.flush()
    return draft


def missing_for_submission(draft: MilestoneUpdate, data: UpdateData) -> list:
    milestone = draft.milestone
    missing = []
    if not draft.narrative:
        missing.append(_l("a narrative of what was done"))
    if data.progress is None:
        missing.append(_l("the progress in percent"))
    if draft.beneficiaries is None:
        missing.append(_l("the number of people reached in the period"))
    reported = {s.budget_line_id for s in draft.spending}
    if any(line.id not in reported for line in milestone.project.budget_lines):
        missing.append(_l("spending to date on every budget line"))
    evidence = [f for u in milestone.updates for f in u.files if not f.is_deleted]
    if not evidence:
        missing.append(_l("at least one evidence file"))
    return missing


def _revision_reason(milestone: Milestone, today: date) -> str:
    """Why results change in a resubmitted update, for their history: the round of revision and
    what the fund asked for in it."""
    sent_back = last_submitted(milestone)
    comment = sent_back.review_comment if sent_back is not None else ""
    if comment:
        return str(
            _l(
                "Revised in the update resubmitted on %(day)s, after the fund asked: %(comment)s",
                day=format_d(today),
                comment=comment,
            )
        )
    return str(_l("Revised in the update resubmitted on %(day)s.", day=format_d(today)))


def submit_update(
    session: Session,
    actor: User,
    milestone: Milestone,
    data: UpdateData,
    expected_version: int | None = None,
    today: date | None = None,
) -> MilestoneUpdate:
    """Save the draft, then submit it if it is complete; raises IncompleteUpdate otherwise (the
    draft stays saved: the caller commits either way). The results it carries go with it, and
    those a revision changed keep their earlier value in their history."""
    draft = save_draft(session, actor, milestone, data, expected_version)
    missing = missing_for_submission(draft, data)
    locale = current_locale()
    missing += [
        _l(
            "why the breakdowns of “%(indicator)s” do not add up to its value",
            indicator=result.indicator.title(locale),
        )
        for result in outcomes.unexplained(session, draft)
    ]
    if missing:
        raise IncompleteUpdate(missing)
    reason = _revision_reason(milestone, today or fund_today())
    workflow.move(session, actor, draft, "submit")
    draft.submitted_at = utcnow()
    # The indicator results typed in the update, and those it carries on, go to the fund with it.
    outcomes.submit_with_update(session, actor, draft, reason)
    workflow.move(
        session, actor, milestone, "submit", milestone=milestone.title, progress=draft.progress
    )
    session.flush()
    return draft


# The grantee's save: the draft, its files and results, and the submission when asked -----------


@dataclass
class Saved:
    """What became of a grantee's save, the draft itself having been saved."""

    update: MilestoneUpdate  # the draft saved, or the update submitted
    stored: list[str] = field(default_factory=list)  # files written: discard them on rollback
    rejected: list = field(default_factory=list)  # why uploads were refused
    # indicator id -> why the result typed for it was not kept (its `field` names the form field)
    refused_results: dict[int, DomainError] = field(default_factory=dict)
    submitted: bool = False
    missing: list = field(default_factory=list)  # what a refused submission lacks


def _save_results(
    session: Session,
    actor: User,
    draft: MilestoneUpdate,
    results: Iterable[tuple[ProjectIndicator, outcomes.ResultData]],
    today: date,
) -> dict[int, DomainError]:
    """Keep each indicator's answer in the draft; one that cannot be kept (e.g. its period was
    reported elsewhere) is refused on its own, the others are kept."""
    refused = {}
    for indicator, data in results:
        try:
            if indicator.project_id != draft.milestone.project_id:
                raise NotAllowed(_l("This indicator is not the project's."))
            with session.begin_nested():
                outcomes.answer_in_update(session, actor, indicator, data, draft, today)
        except DomainError as error:
            refused[indicator.id] = error
    return refused


def save_and_submit(
    session: Session,
    storage: Storage,
    actor: User,
    milestone: Milestone,
    data: UpdateData,
    *,
    uploads: Iterable[files.Upload] = (),
    results: Iterable[tuple[ProjectIndicator, outcomes.ResultData]] = (),
    submit: bool = False,
    expected_version: int | None = None,
    today: date,
) -> Saved:
    """Save the draft, store the evidence `uploads` with it and keep the `results` typed in it
    (an empty value: nothing for that indicator), whatever else is wrong; then submit it when
    asked, unless an upload or a result was refused (the evidence or the results would be
    incomplete). A refused upload, result or submission keeps the saved draft; only a refused
    draft (e.g. an edit that lost a race) raises, and then the files stored are removed again."""
    draft = save_draft(session, actor, milestone, data, expected_version)
    saved = Saved(update=draft)
    try:
        saved.stored, saved.rejected = files.store_each(
            storage,
            uploads,
            lambda u: files.store(
                session,
                storage,
                actor,
                milestone.project,
                u.stream,
                u.filename,
                FileKind.EVIDENCE,
                update=draft,
            ),
        )
        saved.refused_results = _save_results(session, actor, draft, results, today)
        if not submit or saved.rejected or saved.refused_results:
            return saved
        try:
            with session.begin_nested():  # an incomplete submission keeps the draft
                submit_update(session, actor, milestone, data, today=today)
            saved.submitted = True
        except IncompleteUpdate as error:
            saved.missing = error.missing
    except BaseException:
        files.discard(storage, saved.stored)
        raise
    return saved


def review(
    session: Session,
    actor: User,
    milestone: Milestone,
    *,
    accept: bool,
    comment: str,
    approve_tranche: bool,
    today: date,
    expected_version: int | None = None,
) -> MilestoneUpdate:
    project = milestone.project
    if not permissions.can_review_updates(actor, project):
        raise NotAllowed(_l("Only fund staff review updates."))
    check_version(milestone, expected_version)
    update = last_submitted(milestone)
    if update is None or update.status != UpdateStatus.SUBMITTED:
        raise DomainError(_l("There is no submitted update to review."))
    comment = comment.strip()
    update.reviewed_at = utcnow()
    update.reviewed_by_id = actor.id
    update.review_comment = comment
    if not accept and not comment:
        raise DomainError(_l("Say what should be revised."), field="comment")
    action = "accept" if accept else "request_revision"
    workflow.move(session, actor, update, action)
    if accept:
        milestone.accepted_at = utcnow()
    workflow.move(session, actor, milestone, action, comment=comment, milestone=milestone.title)
    if comment:
        session.add(MilestoneComment(milestone=milestone, author_id=actor.id, body=comment))
    session.flush()
    tranche = milestone.tranche
    if (
        accept
        and approve_tranche
        and tranche is not None
        and tranche.status == TrancheStatus.PLANNED
        and permissions.can_manage_payments(actor, project)
    ):
        payments.approve(session, actor, tranche, today)
    return update


def add_comment(session: Session, actor: User, milestone: Milestone, body: str) -> MilestoneComment:
    if not permissions.can_comment(actor, milestone.project):
        raise NotAllowed(_l("You cannot comment here."))
    body = body.strip()
    if not body:
        raise DomainError(_l("Write a comment first."), field="body")
    comment = MilestoneComment(milestone=milestone, author_id=actor.id, body=body)
    session.add(comment)
    session.flush()
    return comment
