"""Translatable labels for enum values, shared by views, forms and reports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from fundtracker.models import (
    BudgetCategory,
    Direction,
    Frequency,
    IndicatorType,
    MilestoneStatus,
    ProjectStatus,
    ResultStatus,
    Role,
    TrancheStatus,
    UpdateStatus,
)


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


def milestone_status_labels() -> dict:
    return {
        MilestoneStatus.PLANNED: _l("Planned"),
        MilestoneStatus.SUBMITTED: _l("Submitted"),
        MilestoneStatus.REVISION_REQUESTED: _l("Revision requested"),
        MilestoneStatus.ACCEPTED: _l("Accepted"),
    }


def update_status_labels() -> dict:
    return {
        UpdateStatus.DRAFT: _l("Draft"),
        UpdateStatus.SUBMITTED: _l("Submitted"),
        UpdateStatus.REVISION_REQUESTED: _l("Revision requested"),
        UpdateStatus.ACCEPTED: _l("Accepted"),
    }


def tranche_status_labels() -> dict:
    return {
        TrancheStatus.PLANNED: _l("Planned"),
        TrancheStatus.APPROVED: _l("Approved for payment"),
        TrancheStatus.PAID: _l("Paid"),
    }


def budget_category_labels() -> dict:
    return {
        BudgetCategory.PERSONNEL: _l("Staff"),
        BudgetCategory.MEDICINES: _l("Medicines"),
        BudgetCategory.EQUIPMENT: _l("Equipment"),
        BudgetCategory.SERVICES: _l("Services"),
        BudgetCategory.CONSTRUCTION: _l("Construction and repair"),
        BudgetCategory.TRAINING: _l("Training"),
        BudgetCategory.TRAVEL: _l("Travel"),
        BudgetCategory.ADMINISTRATION: _l("Administration"),
        BudgetCategory.OTHER: _l("Other"),
    }


MILESTONE_BADGES = {
    MilestoneStatus.PLANNED: "secondary",
    MilestoneStatus.SUBMITTED: "info",
    MilestoneStatus.REVISION_REQUESTED: "warning",
    MilestoneStatus.ACCEPTED: "success",
}

TRANCHE_BADGES = {
    TrancheStatus.PLANNED: "secondary",
    TrancheStatus.APPROVED: "warning",
    TrancheStatus.PAID: "success",
}


def event_labels() -> dict:
    """What each kind of project event says on the activity timeline."""
    return {
        "project_created": _l("Project created"),
        "project_edited": _l("Project details changed"),
        "project_amended": _l("Amendment"),
        "status_changed": _l("Status changed"),
        "milestone_added": _l("Milestone added"),
        "milestone_edited": _l("Milestone changed"),
        "milestone_rescheduled": _l("Milestone rescheduled"),
        "update_submitted": _l("Update submitted"),
        "milestone_accepted": _l("Milestone accepted"),
        "revision_requested": _l("Revision requested"),
        "tranche_added": _l("Tranche planned"),
        "tranche_edited": _l("Tranche changed"),
        "tranche_approved": _l("Tranche approved for payment"),
        "tranche_paid": _l("Payment recorded"),
        "budget_line_added": _l("Budget line added"),
        "budget_line_edited": _l("Budget line changed"),
        "document_uploaded": _l("Document uploaded"),
        "file_deleted": _l("File deleted"),
        "file_restored": _l("File restored"),
    }


# Outcomes -------------------------------------------------------------------------------------


def indicator_type_labels() -> dict:
    return {
        IndicatorType.COUNT: _l("Count"),
        IndicatorType.PERCENTAGE: _l("Percentage"),
        IndicatorType.YES_NO: _l("Yes/no"),
    }


def direction_labels() -> dict:
    return {Direction.HIGHER: _l("Higher is better"), Direction.LOWER: _l("Lower is better")}


def frequency_labels() -> dict:
    return {
        Frequency.MONTHLY: _l("Monthly"),
        Frequency.QUARTERLY: _l("Quarterly"),
        Frequency.HALF_YEARLY: _l("Every half-year"),
        Frequency.YEARLY: _l("Yearly"),
    }


def result_status_labels() -> dict:
    return {
        ResultStatus.DRAFT: _l("Draft"),
        ResultStatus.REPORTED: _l("Reported"),
        ResultStatus.QUERIED: _l("Queried"),
        ResultStatus.VERIFIED: _l("Verified"),
    }


RESULT_BADGES = {
    "draft": "secondary",
    "reported": "info",
    "queried": "warning",
    "verified": "success",
}


def dimension_labels() -> dict:
    return {"region": _l("By region"), "sex": _l("By sex"), "age": _l("By age group")}


def category_labels() -> dict:
    """Sexes and age groups, as breakdown cells are named."""
    return {
        "female": _l("Girls and women"),
        "male": _l("Boys and men"),
        "0-2": _l("0-2 years"),
        "3-6": _l("3-6 years"),
        "7-11": _l("7-11 years"),
        "12-17": _l("12-17 years"),
        "18+": _l("18 years and older"),
    }
