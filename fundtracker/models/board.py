"""The board of trustees' register (issue #21): its meetings, their agenda items and the
decisions taken on them, each linked to what it decided; and the fund's thresholds above which
an award or a tranche needs the board (services/board.py holds the rules)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.models.base import Base, TimestampMixin, UTCDateTime, localized, str_enum

if TYPE_CHECKING:
    from fundtracker.models.applications import Application
    from fundtracker.models.delivery import Tranche
    from fundtracker.models.project import Project
    from fundtracker.models.user import User


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"


class AgendaKind(enum.StrEnum):
    APPLICATION = "application"  # approve an application (an award)
    AMENDMENT = "amendment"  # change a project's end date or awarded amount
    TRANCHE = "tranche"  # approve a large tranche for payment
    REPORT = "report"  # accept a project's report
    OTHER = "other"


class DecisionOutcome(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class BoardMeeting(TimestampMixin, Base):
    __tablename__ = "board_meetings"
    __table_args__ = (
        CheckConstraint(
            "members_present IS NULL"
            " OR (members_present >= 0 AND members_present <= members_total)",
            name="present_within_members",
        ),
        CheckConstraint("members_total IS NULL OR members_total > 0", name="members_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    # The planned day while it is planned; the day it was held once it is.
    held_on: Mapped[date] = mapped_column(Date, index=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )
    # The board's size and who attended (set when it is held): the quorum is more than half.
    members_total: Mapped[int | None] = mapped_column(Integer)
    members_present: Mapped[int | None] = mapped_column(Integer)
    attendees: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def quorate(self) -> bool:
        if self.members_total is None or self.members_present is None:
            return False
        return self.members_present * 2 > self.members_total

    def __repr__(self) -> str:
        return f"<BoardMeeting {self.number}>"


class AgendaItem(TimestampMixin, Base):
    __tablename__ = "board_agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint(
            "(kind = 'application' AND application_id IS NOT NULL)"
            " OR (kind IN ('amendment', 'report') AND project_id IS NOT NULL)"
            " OR (kind = 'tranche' AND tranche_id IS NOT NULL)"
            " OR kind = 'other'",
            name="links_what_it_decides",
        ),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("board_meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[AgendaKind] = mapped_column(str_enum(AgendaKind, "agenda_kind"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    tranche_id: Mapped[int | None] = mapped_column(
        ForeignKey("tranches.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    # What is put to the board, in tiyn: the award, the tranche, the amended awarded amount.
    amount: Mapped[int | None] = mapped_column(BigInteger)
    # An amendment's proposed end date.
    end_date: Mapped[date | None] = mapped_column(Date)

    meeting: Mapped[BoardMeeting] = relationship(back_populates="items")
    application: Mapped[Application | None] = relationship()
    project: Mapped[Project | None] = relationship()
    tranche: Mapped[Tranche | None] = relationship(back_populates="board_items")
    decision: Mapped[BoardDecision | None] = relationship(
        back_populates="item", uselist=False, cascade="all, delete-orphan"
    )


class BoardDecision(TimestampMixin, Base):
    __tablename__ = "board_decisions"
    __table_args__ = (CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("board_agenda_items.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str] = mapped_column(String(50), unique=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(str_enum(DecisionOutcome, "decision_outcome"))
    text_kk: Mapped[str] = mapped_column(Text, default="")
    text_ru: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    # The most the board approved, in tiyn (an award, a tranche, an amended awarded amount).
    amount: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When an amendment was made on it: one decision backs one amendment.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[AgendaItem] = relationship(back_populates="decision")
    recorded_by: Mapped[User | None] = relationship()

    def text(self, locale: str) -> str:
        return localized(self, "text", locale)

    @property
    def approved(self) -> bool:
        return self.outcome == DecisionOutcome.APPROVED

    def __repr__(self) -> str:
        return f"<BoardDecision {self.number} {self.outcome}>"


class FundSettings(Base):
    """One row of settings an admin keeps in the application (not in the environment, since
    they are the fund's rules, not the machine's)."""

    __tablename__ = "fund_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "board_award_threshold IS NULL OR board_award_threshold > 0", name="award_positive"
        ),
        CheckConstraint(
            "board_tranche_threshold IS NULL OR board_tranche_threshold > 0",
            name="tranche_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    # An award (approving an application) of this many tiyn or more needs the board; None: none.
    board_award_threshold: Mapped[int | None] = mapped_column(BigInteger)
    # A tranche of this many tiyn or more needs the board before it is approved for payment.
    board_tranche_threshold: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# The one row exists wherever the table is made, from the migration (0030) or from the models.
sa_event.listen(
    FundSettings.__table__, "after_create", DDL("INSERT INTO fund_settings (id) VALUES (1)")
)
