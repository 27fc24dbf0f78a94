"""Translatable labels for enum values, shared by views, forms and reports. Each is a pgettext
with a context naming what it labels: "Approved" as a status is not "Approved" as a column
header, and translators see which one they translate."""

from __future__ import annotations

from flask_babel import lazy_pgettext as _p

from fundtracker.models import (
    AgendaKind,
    ApplicationStatus,
    BudgetCategory,
    CallStatus,
    DecisionOutcome,
    DeliveryStatus,
    Direction,
    FollowUpStatus,
    Frequency,
    ImportStatus,
    IndicatorType,
    InKindKind,
    MeetingStatus,
    MilestoneStatus,
    ProjectStatus,
    RequestStatus,
    ResultStatus,
    Role,
    TrancheStatus,
    UpdateStatus,
)


def status_labels() -> dict:
    return {
        ProjectStatus.ACTIVE: _p("project status", "Active"),
        ProjectStatus.AT_RISK: _p("project status", "At risk"),
        ProjectStatus.SUSPENDED: _p("project status", "Suspended"),
        ProjectStatus.COMPLETED: _p("project status", "Completed"),
        ProjectStatus.CLOSED: _p("project status", "Closed"),
    }


def role_labels() -> dict:
    return {
        Role.ADMIN: _p("role", "Administrator"),
        Role.OFFICER: _p("role", "Fund officer"),
        Role.REVIEWER: _p("role", "Reviewer"),
        Role.BOARD: _p("role", "Board member"),
        Role.GRANTEE: _p("role", "Grantee"),
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
        MilestoneStatus.PLANNED: _p("milestone status", "Planned"),
        MilestoneStatus.SUBMITTED: _p("milestone status", "Submitted"),
        MilestoneStatus.REVISION_REQUESTED: _p("milestone status", "Revision requested"),
        MilestoneStatus.ACCEPTED: _p("milestone status", "Accepted"),
    }


def update_status_labels() -> dict:
    return {
        UpdateStatus.DRAFT: _p("update status", "Draft"),
        UpdateStatus.SUBMITTED: _p("update status", "Submitted"),
        UpdateStatus.REVISION_REQUESTED: _p("update status", "Revision requested"),
        UpdateStatus.ACCEPTED: _p("update status", "Accepted"),
    }


def tranche_status_labels() -> dict:
    return {
        TrancheStatus.PLANNED: _p("tranche status", "Planned"),
        TrancheStatus.APPROVED: _p("tranche status", "Approved for payment"),
        TrancheStatus.PAID: _p("tranche status", "Paid"),
    }


def meeting_status_labels() -> dict:
    return {
        MeetingStatus.PLANNED: _p("board meeting status", "Planned"),
        MeetingStatus.HELD: _p("board meeting status", "Held"),
    }


def agenda_kind_labels() -> dict:
    return {
        AgendaKind.APPLICATION: _p("board agenda item", "Application for a grant"),
        AgendaKind.AMENDMENT: _p("board agenda item", "Amendment of a project"),
        AgendaKind.TRANCHE: _p("board agenda item", "Tranche for payment"),
        AgendaKind.REPORT: _p("board agenda item", "Project report to accept"),
        AgendaKind.OTHER: _p("board agenda item", "Other matter"),
    }


def decision_outcome_labels() -> dict:
    return {
        DecisionOutcome.APPROVED: _p("board decision", "Approved"),
        DecisionOutcome.REJECTED: _p("board decision", "Rejected"),
        DecisionOutcome.DEFERRED: _p("board decision", "Deferred"),
    }


OUTCOME_BADGES = {
    DecisionOutcome.APPROVED: "success",
    DecisionOutcome.REJECTED: "danger",
    DecisionOutcome.DEFERRED: "secondary",
}


def delivery_status_labels() -> dict:
    return {
        DeliveryStatus.PLANNED: _p("in-kind delivery status", "Planned"),
        DeliveryStatus.DELIVERED: _p("in-kind delivery status", "Delivered, to confirm"),
        DeliveryStatus.CONFIRMED: _p("in-kind delivery status", "Received"),
        DeliveryStatus.DISPUTED: _p("in-kind delivery status", "Discrepancy"),
        DeliveryStatus.CANCELLED: _p("in-kind delivery status", "Cancelled"),
    }


DELIVERY_BADGES = {
    DeliveryStatus.PLANNED: "secondary",
    DeliveryStatus.DELIVERED: "warning",
    DeliveryStatus.CONFIRMED: "success",
    DeliveryStatus.DISPUTED: "danger",
    DeliveryStatus.CANCELLED: "light",
}


def inkind_kind_labels() -> dict:
    return {
        InKindKind.MEDICINE: _p("in-kind item", "Medicine"),
        InKindKind.DEVICE: _p("in-kind item", "Device or prosthesis"),
        InKindKind.EQUIPMENT: _p("in-kind item", "Equipment"),
    }


def request_status_labels() -> dict:
    return {
        RequestStatus.SUBMITTED: _p("payment request status", "Sent to the fund"),
        RequestStatus.RETURNED: _p("payment request status", "Returned for changes"),
        RequestStatus.APPROVED: _p("payment request status", "Approved"),
        RequestStatus.PAID: _p("payment request status", "Paid"),
        RequestStatus.WITHDRAWN: _p("payment request status", "Withdrawn"),
    }


REQUEST_BADGES = {
    RequestStatus.SUBMITTED: "warning",
    RequestStatus.RETURNED: "danger",
    RequestStatus.APPROVED: "info",
    RequestStatus.PAID: "success",
    RequestStatus.WITHDRAWN: "light",
}


def budget_category_labels() -> dict:
    return {
        BudgetCategory.PERSONNEL: _p("budget category", "Staff"),
        BudgetCategory.MEDICINES: _p("budget category", "Medicines"),
        BudgetCategory.EQUIPMENT: _p("budget category", "Equipment"),
        BudgetCategory.SERVICES: _p("budget category", "Services"),
        BudgetCategory.CONSTRUCTION: _p("budget category", "Construction and repair"),
        BudgetCategory.TRAINING: _p("budget category", "Training"),
        BudgetCategory.TRAVEL: _p("budget category", "Travel"),
        BudgetCategory.ADMINISTRATION: _p("budget category", "Administration"),
        BudgetCategory.OTHER: _p("budget category", "Other"),
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
        "project_created": _p("timeline event", "Project created"),
        "project_edited": _p("timeline event", "Project details changed"),
        "project_amended": _p("timeline event", "Amendment"),
        "board_decision": _p("timeline event", "Decision of the board of trustees"),
        "inkind_planned": _p("timeline event", "In-kind delivery planned"),
        "payment_requested": _p("timeline event", "Payment requested"),
        "payment_request_returned": _p("timeline event", "Payment request returned"),
        "payment_request_approved": _p("timeline event", "Payment request approved"),
        "payment_request_withdrawn": _p("timeline event", "Payment request withdrawn"),
        "inkind_delivered": _p("timeline event", "In-kind delivery made"),
        "inkind_cancelled": _p("timeline event", "In-kind delivery cancelled"),
        "inkind_confirmed": _p("timeline event", "In-kind delivery received"),
        "inkind_disputed": _p("timeline event", "In-kind delivery disputed"),
        "inkind_resolved": _p("timeline event", "In-kind discrepancy settled"),
        "status_changed": _p("timeline event", "Status changed"),
        "milestone_added": _p("timeline event", "Milestone added"),
        "milestone_edited": _p("timeline event", "Milestone changed"),
        "milestone_rescheduled": _p("timeline event", "Milestone rescheduled"),
        "update_submitted": _p("timeline event", "Update submitted"),
        "milestone_accepted": _p("timeline event", "Milestone accepted"),
        "revision_requested": _p("timeline event", "Revision requested"),
        "tranche_added": _p("timeline event", "Tranche planned"),
        "tranche_edited": _p("timeline event", "Tranche changed"),
        "tranche_approved": _p("timeline event", "Tranche approved for payment"),
        "tranche_paid": _p("timeline event", "Payment recorded"),
        "budget_line_added": _p("timeline event", "Budget line added"),
        "budget_line_edited": _p("timeline event", "Budget line changed"),
        "document_uploaded": _p("timeline event", "Document uploaded"),
        "file_deleted": _p("timeline event", "File deleted"),
        "file_restored": _p("timeline event", "File restored"),
        "result_verified": _p("timeline event", "Result verified"),
        "result_queried": _p("timeline event", "Result queried"),
        "result_corrected": _p("timeline event", "Result corrected"),
        "imported": _p("timeline event", "Imported from a workbook"),
    }


# Outcomes -------------------------------------------------------------------------------------


def import_status_labels() -> dict:
    return {
        ImportStatus.CHECKED: _p("import status", "Checked: waiting for confirmation"),
        ImportStatus.QUEUED: _p("import status", "Waiting to start"),
        ImportStatus.RUNNING: _p("import status", "Importing"),
        ImportStatus.DONE: _p("import status", "Imported"),
        ImportStatus.FAILED: _p("import status", "Failed: nothing written"),
        ImportStatus.DISCARDED: _p("import status", "Discarded"),
    }


def indicator_type_labels() -> dict:
    return {
        IndicatorType.COUNT: _p("indicator type", "Count"),
        IndicatorType.PERCENTAGE: _p("indicator type", "Percentage"),
        IndicatorType.YES_NO: _p("indicator type", "Yes/no"),
    }


def direction_labels() -> dict:
    return {
        Direction.HIGHER: _p("indicator direction", "Higher is better"),
        Direction.LOWER: _p("indicator direction", "Lower is better"),
    }


def frequency_labels() -> dict:
    return {
        Frequency.MONTHLY: _p("reporting frequency", "Monthly"),
        Frequency.QUARTERLY: _p("reporting frequency", "Quarterly"),
        Frequency.HALF_YEARLY: _p("reporting frequency", "Every half-year"),
        Frequency.YEARLY: _p("reporting frequency", "Yearly"),
    }


def result_status_labels() -> dict:
    return {
        ResultStatus.DRAFT: _p("result status", "Draft"),
        ResultStatus.REPORTED: _p("result status", "Reported"),
        ResultStatus.QUERIED: _p("result status", "Queried"),
        ResultStatus.VERIFIED: _p("result status", "Verified"),
    }


RESULT_BADGES = {
    "draft": "secondary",
    "reported": "info",
    "queried": "warning",
    "verified": "success",
}


def dimension_labels() -> dict:
    return {
        "region": _p("breakdown", "By region"),
        "sex": _p("breakdown", "By sex"),
        "age": _p("breakdown", "By age group"),
    }


def category_labels() -> dict:
    """Sexes and age groups, as breakdown cells are named."""
    return {
        "female": _p("breakdown cell", "Girls and women"),
        "male": _p("breakdown cell", "Boys and men"),
        "0-2": _p("breakdown cell", "0-2 years"),
        "3-6": _p("breakdown cell", "3-6 years"),
        "7-11": _p("breakdown cell", "7-11 years"),
        "12-17": _p("breakdown cell", "12-17 years"),
        "18+": _p("breakdown cell", "18 years and older"),
        # What a published table counts where the report gave no sex or age group.
        "unknown": _p("breakdown cell", "Not recorded"),
    }


# Grant applications -------------------------------------------------------------------------


def application_status_labels() -> dict:
    return {
        ApplicationStatus.DRAFT: _p("application status", "Draft"),
        ApplicationStatus.SUBMITTED: _p("application status", "Submitted"),
        ApplicationStatus.RETURNED: _p("application status", "Returned for changes"),
        ApplicationStatus.SCREENED: _p("application status", "Eligible"),
        ApplicationStatus.UNDER_REVIEW: _p("application status", "Under review"),
        ApplicationStatus.APPROVED: _p("application status", "Approved"),
        ApplicationStatus.REJECTED: _p("application status", "Rejected"),
    }


APPLICATION_BADGES = {
    ApplicationStatus.DRAFT: "secondary",
    ApplicationStatus.SUBMITTED: "info",
    ApplicationStatus.RETURNED: "warning",
    ApplicationStatus.SCREENED: "primary",
    ApplicationStatus.UNDER_REVIEW: "primary",
    ApplicationStatus.APPROVED: "success",
    ApplicationStatus.REJECTED: "danger",
}


def call_status_labels() -> dict:
    return {
        CallStatus.DRAFT: _p("call status", "Draft"),
        CallStatus.PUBLISHED: _p("call status", "Published"),
        CallStatus.CLOSED: _p("call status", "Closed"),
        CallStatus.ARCHIVED: _p("call status", "Archived"),
    }


def registration_labels() -> dict:
    return {
        "pending": _p("registration", "Waiting for verification"),
        "verified": _p("registration", "Verified"),
    }


def review_labels() -> dict:
    return {
        "pending": _p("review", "Interests not declared"),
        "none": _p("review", "To score"),
        "conflict": _p("review", "Conflict of interest"),
        "scored": _p("review", "Scored"),
    }


def follow_up_status_labels() -> dict:
    return {
        FollowUpStatus.SCHEDULED: _p("follow-up status", "Scheduled"),
        FollowUpStatus.SUBMITTED: _p("follow-up status", "Submitted"),
        FollowUpStatus.RETURNED: _p("follow-up status", "Returned for changes"),
        FollowUpStatus.ACCEPTED: _p("follow-up status", "Accepted"),
        FollowUpStatus.CANCELLED: _p("follow-up status", "Cancelled"),
    }


FOLLOW_UP_BADGES = {
    FollowUpStatus.SCHEDULED: "secondary",
    FollowUpStatus.SUBMITTED: "info",
    FollowUpStatus.RETURNED: "warning",
    FollowUpStatus.ACCEPTED: "success",
    FollowUpStatus.CANCELLED: "light",
}
