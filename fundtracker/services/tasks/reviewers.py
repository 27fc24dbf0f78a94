"""Reviewers: interests to declare, applications to score."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Row, Select, select

from fundtracker.models import (
    Application,
    Call,
    ConflictDeclaration,
    Organisation,
    ReviewAssignment,
    localized,
)
from fundtracker.permissions import scopes
from fundtracker.services.tasks.common import (
    S,
    TaskRow,
    _application_title,
    _Ask,
)

# Reviewers


def _assignments(ask: _Ask, *where) -> Select:
    return (
        select(
            ReviewAssignment.id,
            ReviewAssignment.assigned_at,
            Application.id.label("application_id"),
            Application.title,
            Call.title_kk,
            Call.title_ru,
            Call.title_en,
            Organisation.name.label("organisation"),
        )
        .join(ReviewAssignment.application)
        .join(Application.call)
        .join(Application.organisation)
        .where(
            Application.status == S.UNDER_REVIEW,
            *where,
            *scopes.assignments(ask.user),
        )
        .order_by(ReviewAssignment.assigned_at, ReviewAssignment.id)
    )


def _declare_interests(ask: _Ask) -> Select:
    return _assignments(ask, ReviewAssignment.conflict == ConflictDeclaration.PENDING)


def _score_applications(ask: _Ask) -> Select:
    return _assignments(
        ask,
        ReviewAssignment.conflict == ConflictDeclaration.NONE,
        ReviewAssignment.submitted_at.is_(None),
    )


def _assignment_row(readable: bool) -> Callable[[Row, _Ask], TaskRow]:
    """A reviewer reads the application's title only once they have declared no conflict
    (permissions.can_read_as_reviewer); before that, its number."""

    def row(r: Row, ask: _Ask) -> TaskRow:
        return TaskRow(
            title=_application_title(r.title if readable else "", r.application_id),
            context=localized(r, "title", ask.locale),
            organisation=r.organisation,
            endpoint="applications.review",
            args={"assignment_id": r.id},
            moment=r.assigned_at,
        )

    return row
