"""What the fund publishes (issue #20): the transparency page and the open-data files show the
same projects, chosen here. A project is public once its grant agreement is signed, unless an
admin marked it confidential."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from fundtracker.models import Project


def public_project_clause() -> ColumnElement[bool]:
    """The SQL condition for a public project (for selects over `projects`)."""
    return and_(Project.agreement_signed_on.is_not(None), Project.confidential.is_(False))


def is_public(project: Project) -> bool:
    """The same rule for one loaded project."""
    return project.agreement_signed_on is not None and not project.confidential
