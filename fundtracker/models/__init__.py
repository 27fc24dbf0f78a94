"""All models, imported here so that the metadata is complete for Alembic."""

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
from fundtracker.models.base import Base, localized, utcnow
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
from fundtracker.models.organisation import Organisation, bin_is_valid
from fundtracker.models.project import Project, ProjectStatus, project_regions
from fundtracker.models.reference import ProgrammeArea, Region, RegionKind
from fundtracker.models.security import LoginAttempt
from fundtracker.models.user import Role, User

__all__ = [
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
    "BudgetCategory",
    "BudgetLine",
    "FileKind",
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
    "Role",
    "User",
    "bin_is_valid",
    "localized",
    "project_regions",
    "utcnow",
]
