"""Everything the project page shows, loaded in a fixed number of queries.

People reached are shown raw to staff and the project's own grantee; anyone else (the board)
sees the project's figure of the latest published period instead (services/publications)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import disclosure, permissions
from fundtracker.models import (
    AgendaItem,
    BudgetLine,
    FileKind,
    Milestone,
    MilestoneComment,
    MilestoneStatus,
    MilestoneUpdate,
    Organisation,
    Project,
    ProjectEvent,
    StoredFile,
    Tranche,
    TrancheStatus,
    UpdateStatus,
    User,
)
from fundtracker.services import publications
from fundtracker.services.status import RiskSignals, reported_spending, risk_signals

STAFF_ONLY_EVENTS = ("file_deleted", "file_restored", "project_edited")


@dataclass
class BudgetRow:
    line: BudgetLine
    spent: int | None

    @property
    def share(self) -> int | None:
        if self.spent is None or not self.line.amount:
            return None
        return round(100 * self.spent / self.line.amount)


@dataclass(frozen=True)
class PublishedFigure:
    """A project's figure as published: its period, when, and how it is printed."""

    period: disclosure.Period
    published_at: datetime
    display: str

    @property
    def printed(self) -> bool:
        """Whether it carries a number (not hidden, not nothing reported)."""
        return disclosure.is_printed(self.display)


@dataclass
class Overview:
    project: Project
    signals: RiskSignals
    budget: list[BudgetRow] = field(default_factory=list)
    budget_total: int = 0
    spent_total: int = 0
    tranche_total: int = 0
    paid_total: int = 0
    documents: list[StoredFile] = field(default_factory=list)
    events: list[ProjectEvent] = field(default_factory=list)
    # Raw people reached (accepted updates): None for a protected reader, who gets `reached`.
    beneficiaries: int | None = 0
    reached: PublishedFigure | None = None  # the latest published figure, for a protected reader
    protected: bool = False
    updates_accepted: int = 0
    milestones_accepted: int = 0


def load(session: Session, project_id: int) -> Project | None:
    return session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.organisation).joinedload(Organisation.region),
            joinedload(Project.area),
            joinedload(Project.officer),
            selectinload(Project.regions),
            selectinload(Project.budget_lines),
            selectinload(Project.tranches)
            .selectinload(Tranche.board_items)
            .options(joinedload(AgendaItem.decision), joinedload(AgendaItem.meeting)),
            selectinload(Project.tranches).selectinload(Tranche.payment_requests),
            selectinload(Project.milestones).selectinload(Milestone.tranche),
            selectinload(Project.milestones)
            .selectinload(Milestone.updates)
            .selectinload(MilestoneUpdate.spending),
        )
    )


def build(session: Session, actor: User, project: Project, today: date) -> Overview:
    spending = reported_spending(project)
    overview = Overview(project=project, signals=risk_signals(project, today))
    overview.budget = [BudgetRow(line, spending.get(line.id)) for line in project.budget_lines]
    overview.budget_total = sum(line.amount for line in project.budget_lines)
    overview.spent_total = sum(spending.values())
    overview.tranche_total = sum(t.amount for t in project.tranches)
    overview.paid_total = sum(t.amount for t in project.tranches if t.status == TrancheStatus.PAID)
    accepted = [
        u for m in project.milestones for u in m.updates if u.status == UpdateStatus.ACCEPTED
    ]
    overview.updates_accepted = len(accepted)
    overview.milestones_accepted = sum(
        1 for m in project.milestones if m.status == MilestoneStatus.ACCEPTED
    )
    overview.protected = disclosure.protected(actor, project)
    if overview.protected:
        overview.beneficiaries = None
        overview.reached = published_reached(session, project.id)
    else:
        overview.beneficiaries = sum(u.beneficiaries or 0 for u in accepted)
    documents = select(StoredFile).where(
        StoredFile.project_id == project.id, StoredFile.kind == FileKind.DOCUMENT
    )
    if not permissions.is_staff(actor):
        documents = documents.where(StoredFile.deleted_at.is_(None))
    overview.documents = list(
        session.scalars(
            documents.options(joinedload(StoredFile.uploaded_by)).order_by(StoredFile.id)
        )
    )
    events = select(ProjectEvent).where(ProjectEvent.project_id == project.id)
    if not permissions.is_staff(actor):
        # Staff's housekeeping stays internal.
        events = events.where(ProjectEvent.kind.not_in(STAFF_ONLY_EVENTS))
    overview.events = list(
        session.scalars(
            events.options(joinedload(ProjectEvent.actor))
            .order_by(ProjectEvent.created_at.desc(), ProjectEvent.id.desc())
            .limit(200)
        )
    )
    return overview


def published_reached(session: Session, project_id: int) -> PublishedFigure | None:
    """The project's people reached in the latest published period that covers it; None when
    nothing of it has been published yet."""
    for publication, figures in publications.project_figures(session, project_id):
        figure = figures.get(publications.REACHED)
        if figure is not None:
            return PublishedFigure(
                disclosure.parse(publication.period), publication.published_at, figure.display
            )
    return None


def load_milestone(session: Session, milestone_id: int) -> Milestone | None:
    return session.scalar(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .options(
            joinedload(Milestone.project).joinedload(Project.organisation),
            joinedload(Milestone.project).selectinload(Project.budget_lines),
            joinedload(Milestone.tranche),
            selectinload(Milestone.updates).selectinload(MilestoneUpdate.spending),
            selectinload(Milestone.updates).selectinload(MilestoneUpdate.files),
            selectinload(Milestone.updates).joinedload(MilestoneUpdate.author),
            selectinload(Milestone.comments).joinedload(MilestoneComment.author),
        )
    )
