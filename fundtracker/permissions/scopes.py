"""Which rows a user may *list*: the per-object rules of `permissions`, as SQL conditions.

Every list, export, report chooser and (later) API endpoint filters with these, so a rule about
what a role sees is written once for one object (`can_view_*`) and once for many (here); the
access tests check that both agree. Each function returns conditions for a WHERE clause; an
empty list means "everything", `[false()]` means "nothing".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select

from fundtracker import permissions
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Organisation,
    Project,
    ReportKind,
    ReviewAssignment,
    StoredReport,
    User,
)


def projects(actor: User) -> list[ColumnElement[bool]]:
    """Conditions on Project (`can_view_project`): the board and staff see the portfolio, a
    grantee its own organisation's projects."""
    if permissions.can_read_portfolio(actor):
        return []
    if permissions.is_grantee(actor):
        return [Project.organisation_id == actor.organisation_id]
    return [false()]


def visible_projects(actor: User) -> Select:
    """Projects the actor may see, as a select to refine."""
    return select(Project).where(*projects(actor))


def organisations(actor: User) -> list[ColumnElement[bool]]:
    """Conditions on Organisation (`can_view_organisation`): every organisation for those who
    list them (`can_list_organisations`), a grantee its own."""
    if permissions.can_list_organisations(actor):
        return []
    if permissions.is_grantee(actor):
        return [Organisation.id == actor.organisation_id]
    return [false()]


def applications(actor: User) -> list[ColumnElement[bool]]:
    """Conditions on Application (`can_view_application`): the applicant's organisation sees
    its own, drafts included; staff see what has been submitted."""
    if permissions.is_grantee(actor):
        return [Application.organisation_id == actor.organisation_id]
    if permissions.is_staff(actor):
        return [Application.status != ApplicationStatus.DRAFT]
    return [false()]


def assignments(actor: User) -> list[ColumnElement[bool]]:
    """Conditions on ReviewAssignment (`can_view_assignment`): a reviewer's own."""
    if permissions.is_reviewer(actor):
        return [ReviewAssignment.reviewer_id == actor.id]
    return [false()]


def reports(actor: User) -> list[ColumnElement[bool]]:
    """Conditions on StoredReport outer-joined to its Project (`can_view_report`): board reports
    for the portfolio's readers, project reports for staff and the project's own grantee."""
    visible = []
    if permissions.can_build_board_report(actor):
        visible.append(StoredReport.kind == ReportKind.BOARD)
    if permissions.is_staff(actor):
        visible.append(StoredReport.kind == ReportKind.PROJECT)
    elif permissions.is_grantee(actor):
        visible.append(
            (StoredReport.kind == ReportKind.PROJECT)
            & (Project.organisation_id == actor.organisation_id)
        )
    return [or_(*visible)] if visible else [false()]
