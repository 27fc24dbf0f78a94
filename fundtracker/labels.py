"""Translatable labels for enum values, shared by views, forms and reports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from fundtracker.models import ProjectStatus, Role


def status_labels() -> dict:
    return {
        ProjectStatus.ACTIVE: _l("Active"),
        ProjectStatus.AT_RISK: _l("At risk"),
        ProjectStatus.SUSPENDED: _l("Suspended"),
        ProjectStatus.COMPLETED: _l("Completed"),
        ProjectStatus.CLOSED: _l("Closed"),
    }


def role_labels() -> dict:
    return {
        Role.ADMIN: _l("Administrator"),
        Role.OFFICER: _l("Fund officer"),
        Role.REVIEWER: _l("Reviewer"),
        Role.BOARD: _l("Board member"),
        Role.GRANTEE: _l("Grantee"),
    }


STATUS_BADGES = {
    ProjectStatus.ACTIVE: "success",
    ProjectStatus.AT_RISK: "warning",
    ProjectStatus.SUSPENDED: "danger",
    ProjectStatus.COMPLETED: "primary",
    ProjectStatus.CLOSED: "secondary",
}
