"""All models, imported here so that the metadata is complete for Alembic."""

from fundtracker.models.api_tokens import ApiToken  # noqa: F401
from fundtracker.models.applications import (
    Application,
    ApplicationBeneficiary,
    ApplicationBudgetLine,
    ApplicationFile,
    ApplicationIndicator,
    ApplicationMilestone,
    ApplicationStatus,
    ApplicationTransition,
    BeneficiaryCategory,
    Call,
    CallCriterion,
    CallStatus,
    ConflictDeclaration,
    OrganisationRegistration,
    ReviewAssignment,
    ReviewScore,
    application_regions,
)
from fundtracker.models.audit import AuditEvent  # noqa: F401
from fundtracker.models.base import Base, localized, utcnow
from fundtracker.models.board import (
    AgendaItem,
    AgendaKind,
    BoardDecision,
    BoardMeeting,
    DecisionOutcome,
    FundSettings,
    MeetingStatus,
)
from fundtracker.models.delivery import (
    BudgetCategory,
    BudgetLine,
    Milestone,
    MilestoneComment,
    MilestoneStatus,
    MilestoneUpdate,
    Tranche,
    TrancheStatus,
    UpdateSpending,
    UpdateStatus,
)
from fundtracker.models.events import ProjectEvent
from fundtracker.models.files import FileKind, StoredFile
from fundtracker.models.follow_ups import FollowUp, FollowUpCell, FollowUpStatus
from fundtracker.models.imports import ImportBatch, ImportKind, ImportStatus
from fundtracker.models.inkind import DeliveryStatus, InKindDelivery, InKindItem, InKindKind
from fundtracker.models.organisation import Organisation, bin_is_valid, iban_is_valid
from fundtracker.models.outcomes import (
    AGE_GROUPS,
    SEXES,
    Dimension,
    Direction,
    Frequency,
    ImpactStory,
    IndicatorResult,
    IndicatorType,
    ProjectIndicator,
    ResultCell,
    ResultRevision,
    ResultStatus,
    StandardIndicator,
    UpdateResult,
)
from fundtracker.models.payments import PaymentRequest, RequestStatus
from fundtracker.models.project import Project, ProjectStatus, project_regions
from fundtracker.models.publications import CellStatus, Publication, PublishedCell
from fundtracker.models.reference import ProgrammeArea, Region, RegionKind
from fundtracker.models.reminders import (
    EmailDelivery,
    EmailStatus,
    Notification,
    OutboxEmail,
    Reminder,
    ReminderKind,
    ReminderRule,
    ReminderStatus,
)
from fundtracker.models.reports import ReportKind, ReportStatus, StoredReport
from fundtracker.models.security import AccountMailRequest, LoginAttempt
from fundtracker.models.sessions import UserSession  # noqa: F401
from fundtracker.models.system import DataVersion, SchedulerHeartbeat, StoredBlob, TableVersion
from fundtracker.models.two_factor import Passkey, RecoveryCode, TotpSecret  # noqa: F401
from fundtracker.models.user import Role, User
from fundtracker.models.wellbeing import WellbeingDomain, standard_indicator_domains

__all__ = [
    "AccountMailRequest",
    "Application",
    "ApplicationBeneficiary",
    "ApplicationBudgetLine",
    "ApplicationFile",
    "ApplicationIndicator",
    "ApplicationMilestone",
    "ApplicationStatus",
    "ApplicationTransition",
    "BeneficiaryCategory",
    "Call",
    "CallCriterion",
    "CallStatus",
    "ConflictDeclaration",
    "OrganisationRegistration",
    "ReviewAssignment",
    "ReviewScore",
    "application_regions",
    "Base",
    # The board of trustees' register
    "AgendaItem",
    "AgendaKind",
    "BoardDecision",
    "BoardMeeting",
    "DecisionOutcome",
    "FundSettings",
    "MeetingStatus",
    "BudgetCategory",
    "BudgetLine",
    "FileKind",
    "FollowUp",
    "FollowUpCell",
    "FollowUpStatus",
    "ImportBatch",
    # In-kind support
    "DeliveryStatus",
    "InKindDelivery",
    "InKindItem",
    "InKindKind",
    "ImportKind",
    "ImportStatus",
    "Milestone",
    "MilestoneComment",
    "MilestoneStatus",
    "MilestoneUpdate",
    "ProjectEvent",
    "StoredFile",
    "Tranche",
    "TrancheStatus",
    "UpdateSpending",
    "UpdateStatus",
    "LoginAttempt",
    "Organisation",
    "ProgrammeArea",
    "Project",
    "ProjectStatus",
    "Region",
    "RegionKind",
    "CellStatus",
    "Publication",
    "PublishedCell",
    "ReportKind",
    "ReportStatus",
    "StoredReport",
    "DataVersion",
    "SchedulerHeartbeat",
    "StoredBlob",
    "TableVersion",
    "Role",
    "User",
    "bin_is_valid",
    "iban_is_valid",
    "WellbeingDomain",
    "standard_indicator_domains",
    "PaymentRequest",
    "RequestStatus",
    # Reminders and notifications
    "EmailDelivery",
    "EmailStatus",
    "Notification",
    "OutboxEmail",
    "Reminder",
    "ReminderKind",
    "ReminderRule",
    "ReminderStatus",
    "localized",
    "project_regions",
    "utcnow",
    # Outcomes
    "AGE_GROUPS",
    "SEXES",
    "Dimension",
    "Direction",
    "Frequency",
    "ImpactStory",
    "IndicatorResult",
    "IndicatorType",
    "ProjectIndicator",
    "ResultCell",
    "ResultRevision",
    "ResultStatus",
    "StandardIndicator",
    "UpdateResult",
]
