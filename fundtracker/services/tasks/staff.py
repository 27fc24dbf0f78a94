"""The fund's staff: updates to review, results to verify, tranches to approve and pay,
applications to screen, assign and decide, organisations to verify."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Exists, Row, Select, and_, func, or_, select

from fundtracker.models import (
    Application,
    ConflictDeclaration,
    FollowUp,
    FollowUpStatus,
    IndicatorResult,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    Organisation,
    OrganisationRegistration,
    Project,
    ProjectIndicator,
    ProjectStatus,
    ResultStatus,
    ReviewAssignment,
    StandardIndicator,
    Tranche,
    TrancheStatus,
    UpdateStatus,
    localized,
)
from fundtracker.permissions import scopes
from fundtracker.services.payments import NO_PAYMENTS
from fundtracker.services.tasks.common import (
    _PROJECT_COLUMNS,
    S,
    TaskRow,
    _application_title,
    _applications,
    _Ask,
    _indicator_name,
    _own_first,
    _project_parts,
)

# Fund staff


def _review_updates(ask: _Ask) -> Select:
    submitted = (
        select(func.max(MilestoneUpdate.submitted_at))
        .where(
            MilestoneUpdate.milestone_id == Milestone.id,
            MilestoneUpdate.status == UpdateStatus.SUBMITTED,
        )
        .correlate(Milestone)
        .scalar_subquery()
        .label("moment")
    )
    rank = _own_first(ask)
    return (
        select(Milestone.id, Milestone.title, submitted, rank, *_PROJECT_COLUMNS)
        .join(Milestone.project)
        .join(Project.organisation)
        .where(
            Milestone.status == MilestoneStatus.SUBMITTED,
            Project.status != ProjectStatus.CLOSED,
            *scopes.projects(ask.user),
        )
        .order_by(rank, submitted, Milestone.id)
    )


def _review_update_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.title,
        endpoint="milestones.detail",
        args={"milestone_id": r.id},
        anchor="review",
        moment=r.moment,
        **_project_parts(r, ask),
    )


def _review_follow_ups(ask: _Ask) -> Select:
    """Follow-ups after closure the grantee submitted, the officer's own projects first."""
    rank = _own_first(ask)
    return (
        select(
            FollowUp.id,
            FollowUp.months_after,
            FollowUp.submitted_at.label("moment"),
            rank,
            *_PROJECT_COLUMNS,
        )
        .join(FollowUp.project)
        .join(Project.organisation)
        .where(FollowUp.status == FollowUpStatus.SUBMITTED, *scopes.projects(ask.user))
        .order_by(rank, FollowUp.submitted_at, FollowUp.id)
    )


def _review_follow_up_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_l("Follow-up %(months)d months after closing", months=r.months_after),
        endpoint="follow_ups.detail",
        args={"follow_up_id": r.id},
        anchor="review",
        moment=r.moment,
        **_project_parts(r, ask),
    )


def _verify_results(ask: _Ask) -> Select:
    rank = _own_first(ask)
    return (
        select(
            IndicatorResult.id,
            IndicatorResult.period_start,
            IndicatorResult.period_end,
            IndicatorResult.reported_at,
            Project.id.label("project_id"),
            ProjectIndicator.standard_id,
            ProjectIndicator.name.label("indicator_name"),
            StandardIndicator.name_kk.label("standard_name_kk"),
            StandardIndicator.name_ru.label("standard_name_ru"),
            StandardIndicator.name_en.label("standard_name_en"),
            rank,
            *_PROJECT_COLUMNS,
        )
        .join(IndicatorResult.indicator)
        .outerjoin(ProjectIndicator.standard)
        .join(ProjectIndicator.project)
        .join(Project.organisation)
        .where(
            IndicatorResult.status == ResultStatus.REPORTED,
            IndicatorResult.locked.is_(False),
            Project.status != ProjectStatus.CLOSED,
            *scopes.projects(ask.user),
        )
        .order_by(rank, IndicatorResult.reported_at, IndicatorResult.id)
    )


def _verify_result_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_indicator_name(r, ask),
        endpoint="outcomes.project",
        args={"project_id": r.project_id},
        anchor=f"result-{r.id}",
        moment=r.reported_at,
        period=(r.period_start, r.period_end),
        **_project_parts(r, ask),
    )


def _tranche_columns(rank) -> tuple:
    return (
        Tranche.id,
        Tranche.amount,
        Tranche.planned_date,
        Tranche.approved_at,
        Project.id.label("project_id"),
        Milestone.title.label("milestone_title"),
        rank,
        *_PROJECT_COLUMNS,
    )


def _approve_tranches(ask: _Ask) -> Select:
    """Planned tranches not on hold (Tranche.hold_reason): with no milestone, or with an
    accepted one."""
    rank = _own_first(ask)
    return (
        select(*_tranche_columns(rank))
        .join(Tranche.project)
        .join(Project.organisation)
        .outerjoin(Tranche.milestone)
        .where(
            Tranche.status == TrancheStatus.PLANNED,
            or_(Tranche.milestone_id.is_(None), Milestone.status == MilestoneStatus.ACCEPTED),
            Project.status.not_in(NO_PAYMENTS),
            *scopes.projects(ask.user),
        )
        .order_by(rank, Tranche.planned_date, Tranche.id)
    )


def _tranche_title(r: Row) -> str:
    return r.milestone_title or _l("Tranche")


def _approve_tranche_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_tranche_title(r),
        endpoint="projects.detail",
        args={"project_id": r.project_id},
        anchor="tranches",
        day=r.planned_date,
        amount=r.amount,
        **_project_parts(r, ask),
    )


def _pay_tranches(ask: _Ask) -> Select:
    rank = _own_first(ask)
    return (
        select(*_tranche_columns(rank))
        .join(Tranche.project)
        .join(Project.organisation)
        .outerjoin(Tranche.milestone)
        .where(
            Tranche.status == TrancheStatus.APPROVED,
            Project.status.not_in(NO_PAYMENTS),
            *scopes.projects(ask.user),
        )
        .order_by(rank, Tranche.approved_at, Tranche.id)
    )


def _pay_tranche_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_tranche_title(r),
        endpoint="finance.tranche_pay",
        args={"tranche_id": r.id},
        moment=r.approved_at,
        amount=r.amount,
        **_project_parts(r, ask),
    )


def _any_assignment(*where) -> Exists:
    """An assignment of the application (correlated) that matches `where`."""
    return (
        select(ReviewAssignment.id)
        .where(ReviewAssignment.application_id == Application.id, *where)
        .correlate(Application)
        .exists()
    )


_STILL_REVIEWING = or_(
    ReviewAssignment.conflict == ConflictDeclaration.PENDING,
    and_(
        ReviewAssignment.conflict == ConflictDeclaration.NONE,
        ReviewAssignment.submitted_at.is_(None),
    ),
)
_SCORED = and_(
    ReviewAssignment.conflict == ConflictDeclaration.NONE,
    ReviewAssignment.submitted_at.is_not(None),
)
_ACTIVE_REVIEWER = ReviewAssignment.conflict != ConflictDeclaration.CONFLICT


def _screen_applications(ask: _Ask) -> Select:
    return _applications(ask, Application.status == S.SUBMITTED).order_by(
        Application.submitted_at, Application.id
    )


def _assign_reviewers(ask: _Ask) -> Select:
    """Found eligible and no reviewer yet, or every reviewer declared a conflict."""
    return _applications(
        ask,
        or_(
            Application.status == S.SCREENED,
            and_(Application.status == S.UNDER_REVIEW, ~_any_assignment(_ACTIVE_REVIEWER)),
        ),
    ).order_by(Application.submitted_at, Application.id)


def _decide_applications(ask: _Ask) -> Select:
    """Under review with every reviewer's scores in (those with a conflict are off it)."""
    return _applications(
        ask,
        Application.status == S.UNDER_REVIEW,
        _any_assignment(_SCORED),
        ~_any_assignment(_STILL_REVIEWING),
    ).order_by(Application.submitted_at, Application.id)


def _staff_application_row(anchor: str) -> Callable[[Row, _Ask], TaskRow]:
    def row(r: Row, ask: _Ask) -> TaskRow:
        return TaskRow(
            title=_application_title(r.title, r.id),
            context=localized(r, "title", ask.locale),
            organisation=r.organisation,
            endpoint="applications.detail",
            args={"application_id": r.id},
            anchor=anchor,
            moment=r.submitted_at,
        )

    return row


def _verify_organisations(ask: _Ask) -> Select:
    return (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.bin,
            Organisation.contact_name,
            OrganisationRegistration.registered_at,
        )
        .select_from(OrganisationRegistration)
        .join(OrganisationRegistration.organisation)
        .where(OrganisationRegistration.verified_at.is_(None))
        .order_by(OrganisationRegistration.registered_at, Organisation.id)
    )


def _verify_organisation_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.name,
        context=r.contact_name,
        code=r.bin,
        endpoint="applications.index",
        args={},
        anchor="unverified",
        moment=r.registered_at,
    )
