"""Grantees: milestones due or sent back, queried results, returned applications and drafts."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, select

from fundtracker.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    FollowUp,
    FollowUpStatus,
    IndicatorResult,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectIndicator,
    ProjectStatus,
    ResultStatus,
    StandardIndicator,
    localized,
)
from fundtracker.permissions import scopes
from fundtracker.services.tasks.common import (
    _PROJECT_COLUMNS,
    DUE_SOON_DAYS,
    RUNNING,
    S,
    TaskRow,
    _application_title,
    _applications,
    _Ask,
    _indicator_name,
    _project_parts,
)

# Grantees


def _grantee_milestones(ask: _Ask, *where) -> Select:
    return (
        select(Milestone.id, Milestone.title, Milestone.due_date, *_PROJECT_COLUMNS)
        .join(Milestone.project)
        .join(Project.organisation)
        .where(Project.status.in_(RUNNING), *where, *scopes.projects(ask.user))
        .order_by(Milestone.due_date, Milestone.id)
    )


def _milestones_due(ask: _Ask) -> Select:
    return _grantee_milestones(
        ask,
        Milestone.status == MilestoneStatus.PLANNED,
        Milestone.due_date <= ask.today + timedelta(days=DUE_SOON_DAYS),
    )


def _milestones_revise(ask: _Ask) -> Select:
    return _grantee_milestones(ask, Milestone.status == MilestoneStatus.REVISION_REQUESTED)


def _grantee_milestone_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.title,
        endpoint="milestones.detail",
        args={"milestone_id": r.id},
        anchor="update",
        day=r.due_date,
        overdue=r.due_date < ask.today,
        **_project_parts(r, ask),
    )


def _follow_ups_due(ask: _Ask) -> Select:
    """Follow-ups after closure the organisation may answer now: open from 30 days before they
    are due (services/workflow FOLLOW_UP_OPENS), or returned for changes."""
    return (
        select(FollowUp.id, FollowUp.months_after, FollowUp.due_date, *_PROJECT_COLUMNS)
        .join(FollowUp.project)
        .join(Project.organisation)
        .where(
            FollowUp.status.in_((FollowUpStatus.SCHEDULED, FollowUpStatus.RETURNED)),
            FollowUp.due_date <= ask.today + timedelta(days=DUE_SOON_DAYS),
            Project.status == ProjectStatus.CLOSED,
            *scopes.projects(ask.user),
        )
        .order_by(FollowUp.due_date, FollowUp.id)
    )


def _follow_up_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_l("Follow-up %(months)d months after closing", months=r.months_after),
        endpoint="follow_ups.detail",
        args={"follow_up_id": r.id},
        anchor="answer",
        day=r.due_date,
        overdue=r.due_date < ask.today,
        **_project_parts(r, ask),
    )


def _results_queried(ask: _Ask) -> Select:
    return (
        select(
            IndicatorResult.id,
            IndicatorResult.period_start,
            IndicatorResult.period_end,
            IndicatorResult.reviewed_at,
            ProjectIndicator.standard_id,
            ProjectIndicator.name.label("indicator_name"),
            StandardIndicator.name_kk.label("standard_name_kk"),
            StandardIndicator.name_ru.label("standard_name_ru"),
            StandardIndicator.name_en.label("standard_name_en"),
            *_PROJECT_COLUMNS,
        )
        .join(IndicatorResult.indicator)
        .outerjoin(ProjectIndicator.standard)
        .join(ProjectIndicator.project)
        .join(Project.organisation)
        .where(
            IndicatorResult.status == ResultStatus.QUERIED,
            IndicatorResult.locked.is_(False),
            Project.status.in_(RUNNING),
            *scopes.projects(ask.user),
        )
        .order_by(IndicatorResult.reviewed_at, IndicatorResult.id)
    )


def _queried_result_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_indicator_name(r, ask),
        endpoint="outcomes.result_correct",
        args={"result_id": r.id},
        moment=r.reviewed_at,
        period=(r.period_start, r.period_end),
        **_project_parts(r, ask),
    )


def _own_applications(ask: _Ask, status: ApplicationStatus) -> Select:
    """The organisation's applications in `status` to calls still open: only these can be
    submitted (services.applications.submit)."""
    return _applications(
        ask,
        Application.status == status,
        Call.status == CallStatus.PUBLISHED,
        Call.closes_at > ask.now,
    ).order_by(Call.closes_at, Application.id)


def _applications_returned(ask: _Ask) -> Select:
    return _own_applications(ask, S.RETURNED)


def _application_drafts(ask: _Ask) -> Select:
    return _own_applications(ask, S.DRAFT)


def _own_application_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_application_title(r.title, r.id),
        context=localized(r, "title", ask.locale),
        endpoint="applications.edit",
        args={"application_id": r.id},
        moment=r.closes_at,
    )
