"""Screening, reviews and ranking.

Officers screen a submitted application against the checklist, then assign reviewers; each
reviewer declares any conflict of interest before reading it, then scores it against the call's
weighted criteria. A call's ranking orders its applications by their reviewers' average
weighted score."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, cast, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import permissions
from fundtracker.core.i18n import current_locale
from fundtracker.models import (
    Application,
    ApplicationBudgetLine,
    ApplicationStatus,
    Call,
    CallCriterion,
    ConflictDeclaration,
    ReviewAssignment,
    ReviewScore,
    Role,
    User,
)
from fundtracker.permissions import scopes
from fundtracker.services import workflow
from fundtracker.services.applications import transition
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

S = ApplicationStatus

# Screening ------------------------------------------------------------------------------------


def screening_items() -> dict[str, str]:
    """The screening checklist by key: the one list of it (the screening form has a checkbox
    named by each key, and `Application.screening` records each key's answer)."""
    return {
        "organisation": _l("The organisation is eligible and verified"),
        "area": _l("The project fits the call's programme area"),
        "budget": _l("The budget is within the maximum request and plausible"),
        "documents": _l("The required documents are attached and readable"),
        "criteria": _l("The call's eligibility criteria are met"),
    }


def screen(
    session: Session,
    actor: User,
    application: Application,
    checks: dict[str, bool],
    decision: str,
    comment: str = "",
) -> None:
    """`decision`: "eligible" (every item must be checked), "return" or "reject" (with a
    comment the applicant sees)."""
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    if application.status != S.SUBMITTED:
        raise DomainError(_l("Only a submitted application is screened."))
    application.screening = {key: bool(checks.get(key)) for key in screening_items()}
    if decision == "eligible":
        if not all(application.screening.values()):
            raise DomainError(_l("Tick every item of the checklist to find it eligible."))
        transition(session, actor, application, S.SCREENED, comment)
    elif decision in ("return", "reject"):
        if not comment.strip():
            raise DomainError(_l("Tell the applicant why."), field="comment")
        to = S.RETURNED if decision == "return" else S.REJECTED
        transition(session, actor, application, to, comment)
    else:
        raise DomainError(_l("Choose what to do with the application."))


# Reviewers, conflicts of interest and scores --------------------------------------------------


def reviewers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.REVIEWER, User.active.is_(True))
            .order_by(User.name)
        )
    )


def assign_reviewer(
    session: Session, actor: User, application: Application, reviewer: User | None
) -> ReviewAssignment:
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    if reviewer is None or reviewer.role != Role.REVIEWER or not reviewer.active:
        raise DomainError(_l("Choose a reviewer."), field="reviewer_id")
    if application.status not in (S.SCREENED, S.UNDER_REVIEW):
        raise DomainError(_l("Reviewers are assigned once the application is found eligible."))
    if any(a.reviewer_id == reviewer.id for a in application.assignments):
        raise Conflict(_l("This reviewer is already assigned."), field="reviewer_id")
    assignment = ReviewAssignment(
        application=application, reviewer=reviewer, assigned_by_id=actor.id
    )
    session.add(assignment)
    workflow.move(session, actor, assignment, "assign")
    if application.status == S.SCREENED:
        transition(
            session,
            actor,
            application,
            S.UNDER_REVIEW,
            _("Reviewer assigned: %(name)s", name=reviewer.name),
        )
    session.flush()
    return assignment


def taking_reviewers(call: Call) -> Select:
    """The call's applications that can take a reviewer (found eligible, or under review), the
    earliest submitted first, with their organisation and reviewers loaded: a select to page."""
    return (
        select(Application)
        .where(
            Application.call_id == call.id,
            Application.status.in_((S.SCREENED, S.UNDER_REVIEW)),
        )
        .options(
            joinedload(Application.organisation),
            selectinload(Application.assignments).joinedload(ReviewAssignment.reviewer),
        )
        .order_by(Application.submitted_at, Application.id)
    )


def declare_conflict(
    session: Session, actor: User, assignment: ReviewAssignment, has_conflict: bool, note: str = ""
) -> None:
    if not permissions.can_view_assignment(actor, assignment):
        raise NotAllowed(_l("This review is not yours."))
    if assignment.conflict != ConflictDeclaration.PENDING:
        raise DomainError(_l("You have already declared your interests for this application."))
    if has_conflict and not note.strip():
        raise DomainError(_l("Describe the conflict of interest."), field="note")
    assignment.conflict_note = note.strip()
    workflow.move(
        session, actor, assignment, "declare_conflict" if has_conflict else "declare_none"
    )
    session.flush()


def submit_scores(
    session: Session,
    actor: User,
    assignment: ReviewAssignment,
    scores: dict[int, tuple[int | None, str]],
) -> None:
    """Scores 1-5 with a comment for every criterion of the call; final once submitted."""
    if not permissions.can_read_as_reviewer(actor, assignment):
        raise NotAllowed(_l("Declare that you have no conflict of interest first."))
    if assignment.submitted_at is not None:
        raise DomainError(_l("Your scores have already been submitted."))
    if assignment.application.status != S.UNDER_REVIEW:
        raise DomainError(_l("This application is no longer under review."))
    rows = []
    for criterion in assignment.application.call.criteria:
        score, comment = scores.get(criterion.id, (None, ""))
        if score is None or not 1 <= score <= 5:
            raise DomainError(
                _l(
                    "Score every criterion from 1 to 5: “%(name)s”.",
                    name=criterion.label(current_locale()),
                ),
                field=f"score_{criterion.id}",
            )
        rows.append(ReviewScore(criterion_id=criterion.id, score=score, comment=comment.strip()))
    assignment.scores = rows
    workflow.move(session, actor, assignment, "submit_scores")
    session.flush()


def assignments_of(session: Session, reviewer: User) -> list[ReviewAssignment]:
    """The reviewer's assignments, the latest first."""
    return list(
        session.scalars(
            select(ReviewAssignment)
            .where(*scopes.assignments(reviewer))
            .options(joinedload(ReviewAssignment.application).joinedload(Application.call))
            .order_by(ReviewAssignment.assigned_at.desc())
        )
    )


# Ranking -------------------------------------------------------------------------------------


@dataclass
class RankingRow:
    rank: int  # 1 for the best average of the whole call, whatever the page
    application: Application
    scores: list[tuple[User, float | None]]
    average: float | None
    spread: float | None
    requested: int = 0  # the budget's total


@dataclass
class Ranking:
    rows: list[RankingRow]  # the page's rows
    requested_total: int  # the whole call's, as is everything below
    envelope: int
    count: int  # applications in the ranking
    page: int = 1
    per_page: int | None = None  # None: one page with every row

    @property
    def pages(self) -> int:
        if not self.per_page:
            return 1
        return max(1, math.ceil(self.count / self.per_page))


# A reviewer's score of an application: the criteria's scores weighted by the call's weights, as
# ReviewAssignment.weighted_score, summed over the scores joined to the call's criteria and grouped
# by assignment (None until submitted).
_WEIGHTED = cast(func.sum(ReviewScore.score * CallCriterion.weight), Float) / func.sum(
    CallCriterion.weight
)


def ranking(session: Session, call: Call, page: int = 1, per_page: int | None = None) -> Ranking:
    """Submitted applications of a call by their reviewers' average weighted score, with each
    reviewer's score and the spread between them; `per_page` rows from `page` (out of range: the
    nearest page), ranked and totalled over the whole call.

    A call may have a thousand applications and several thousand scores: each application's
    average, spread and budget total are worked out in SQL (one query, one row per application),
    sorted here, and only the page's applications, organisations and reviewers' scores are
    loaded, so the page runs the same few queries and renders at most `per_page` rows whatever
    the call's size."""
    scored = (
        select(ReviewAssignment.application_id, _WEIGHTED.label("score"))
        .select_from(CallCriterion)
        .join(ReviewScore, ReviewScore.criterion_id == CallCriterion.id)
        .join(ReviewAssignment, ReviewAssignment.id == ReviewScore.assignment_id)
        .where(
            CallCriterion.call_id == call.id,
            ReviewAssignment.submitted_at.is_not(None),
            ReviewAssignment.conflict != ConflictDeclaration.CONFLICT,
        )
        .group_by(ReviewAssignment.id, ReviewAssignment.application_id)
        .subquery()
    )
    averages = (
        select(
            Application.id,
            Application.status,
            func.avg(scored.c.score).label("average"),
            (func.max(scored.c.score) - func.min(scored.c.score)).label("spread"),
        )
        .outerjoin(scored, scored.c.application_id == Application.id)
        .where(Application.call_id == call.id, Application.status != S.DRAFT)
        .group_by(Application.id, Application.status)
        .subquery()
    )
    requested = (
        select(func.sum(ApplicationBudgetLine.amount))
        .where(ApplicationBudgetLine.application_id == averages.c.id)
        .scalar_subquery()
    )
    order = session.execute(
        select(averages.c.id, averages.c.status, averages.c.average, averages.c.spread, requested)
    ).all()
    # Rounded, so that equal averages added up in another order tie (and go by id).
    order.sort(key=lambda r: (r[2] is None, -round(r[2] or 0, 9), r[0]))
    result = Ranking(
        rows=[],
        requested_total=sum(
            int(amount or 0)
            for _id, status, _average, _spread, amount in order
            if status not in (S.REJECTED, S.RETURNED)
        ),
        envelope=call.budget_envelope,
        count=len(order),
        per_page=per_page,
    )
    result.page = min(max(page, 1), result.pages)
    first = (result.page - 1) * per_page if per_page else 0
    shown = order[first : first + per_page] if per_page else order
    if not shown:
        return result
    ids = [r[0] for r in shown]
    applications = {
        a.id: a
        for a in session.scalars(
            select(Application)
            .where(Application.id.in_(ids))
            .options(joinedload(Application.organisation))
        )
    }
    assignments = session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id, _WEIGHTED)
        .outerjoin(
            ReviewScore,
            (ReviewScore.assignment_id == ReviewAssignment.id)
            & ReviewAssignment.submitted_at.is_not(None),
        )
        .outerjoin(
            CallCriterion,
            (CallCriterion.id == ReviewScore.criterion_id) & (CallCriterion.call_id == call.id),
        )
        .where(
            ReviewAssignment.application_id.in_(ids),
            ReviewAssignment.conflict != ConflictDeclaration.CONFLICT,
        )
        .group_by(
            ReviewAssignment.id, ReviewAssignment.application_id, ReviewAssignment.reviewer_id
        )
        .order_by(ReviewAssignment.id)
    ).all()
    reviewers = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({reviewer for _, reviewer, _ in assignments}))
        )
    }
    scores: dict[int, list[tuple[User, float | None]]] = {}
    for application_id, reviewer_id, score in assignments:
        scores.setdefault(application_id, []).append((reviewers[reviewer_id], score))
    result.rows = [
        RankingRow(
            rank=first + i,
            application=applications[application_id],
            scores=scores.get(application_id, []),
            average=average,
            spread=spread,
            requested=int(amount or 0),
        )
        for i, (application_id, _status, average, spread, amount) in enumerate(shown, start=1)
    ]
    return result
