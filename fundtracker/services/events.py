"""Recording what happened to a project, for its activity timeline and history."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from fundtracker.models import Project, ProjectEvent, User


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def record(
    session: Session,
    project: Project,
    actor: User | None,
    kind: str,
    comment: str = "",
    **data: Any,
) -> ProjectEvent:
    """Add an event. Values that change are given as (old, new) pairs."""
    plain = {
        key: [_plain(v) for v in value] if isinstance(value, tuple | list) else _plain(value)
        for key, value in data.items()
    }
    event = ProjectEvent(
        project_id=project.id,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        data=plain,
        comment=comment.strip(),
    )
    session.add(event)
    return event
