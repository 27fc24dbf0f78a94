"""The project's history: everything that happened, with earlier values kept."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from fundtracker.models.user import User


class ProjectEvent(Base):
    """One entry of a project's activity timeline. `kind` names what happened (see
    fundtracker.models.labels.EVENT_LABELS); `data` keeps the details, e.g.
    {"end_date": [old, new]}."""

    __tablename__ = "project_events"
    __table_args__ = (Index("ix_project_events_project_id_created_at", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
