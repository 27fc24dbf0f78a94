"""All models, imported here so that the metadata is complete for Alembic."""

from fundtracker.models.base import Base, localized, utcnow
from fundtracker.models.organisation import Organisation, bin_is_valid
from fundtracker.models.project import Project, ProjectStatus, project_regions
from fundtracker.models.reference import ProgrammeArea, Region, RegionKind
from fundtracker.models.security import LoginAttempt
from fundtracker.models.user import Role, User

__all__ = [
    "Base",
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
