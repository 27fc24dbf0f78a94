"""The board of trustees' register (issue #21): meetings, their agenda and the decisions taken,
and the rules that make the fund wait for the board.

What needs the board: approving an application for an award at or above the award threshold, a
tranche at or above the tranche threshold (both set by an admin, `fund_settings`; none until
then) and every amendment of a project. Each waits for an approved decision linked to it:
`award_refusal`, `tranche_refusal` and `amendment_decision` are asked by the services that take
those steps, so the web, the API and the command line are refused alike.

A decision is recorded on an item of a meeting that was held with a quorum (more than half of
the board present); it is recorded once. The people it concerns are told (the notifier's
"board_decision" audience) and a project's history shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import permissions
from fundtracker.core.i18n import LANGUAGES, format_money
from fundtracker.models import (
    AgendaItem,
    AgendaKind,
    Application,
    ApplicationStatus,
    BoardDecision,
    BoardMeeting,
    DecisionOutcome,
    FundSettings,
    Project,
    ProjectStatus,
    Tranche,
    TrancheStatus,
    User,
    utcnow,
)
from fundtracker.services import audit, events, notifier, workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

NUMBER_MAX = 50
TITLE_MAX = 300
TEXT_MAX = 10_000
NOTES_MAX = 10_000
ATTENDEES_MAX = 5_000
# Applications the board may still decide on.
OPEN_APPLICATIONS = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENED,
    ApplicationStatus.UNDER_REVIEW,
)
# Projects an amendment or a report may concern.
LIVE_PROJECTS = (
    ProjectStatus.ACTIVE,
    ProjectStatus.AT_RISK,
    ProjectStatus.SUSPENDED,
    ProjectStatus.COMPLETED,
)


def _require_keeper(actor: User) -> None:
    if not permissions.can_keep_board_register(actor):
        raise NotAllowed(_l("Only fund staff can do this."))


def _check_version(obj, expected: int | None) -> None:
    if expected is not None and obj.version_id != expected:
        raise Conflict(
            _l("Someone else changed this meeting meanwhile. Reload the page and try again.")
        )


# Settings --------------------------------------------------------------------------------------


def settings(session: Session) -> FundSettings:
    """The fund's settings row (migration 0030 writes it; a database without it reads as "no
    thresholds"). Held in the session's info: the identity map holds objects weakly, and a page
    asks once per tranche; a commit or rollback expires it like any loaded row, so it is read
    again then."""
    row = session.info.get("fund_settings")
    if row is None or inspect(row).session is not session:
        row = session.get(FundSettings, 1)
        if row is None:
            return FundSettings(id=1)
        session.info["fund_settings"] = row
    return row


def set_thresholds(
    session: Session, actor: User, *, award: int | None, tranche: int | None
) -> FundSettings:
    if not permissions.can_set_board_thresholds(actor):
        raise NotAllowed(_l("Only an administrator can do this."))
    for value, field in ((award, "award"), (tranche, "tranche")):
        if value is not None and value <= 0:
            raise DomainError(_l("Leave it empty or give an amount above zero."), field=field)
    row = session.get(FundSettings, 1, with_for_update=True)
    if row is None:
        row = FundSettings(id=1)
        session.add(row)
    before = (row.board_award_threshold, row.board_tranche_threshold)
    row.board_award_threshold = award
    row.board_tranche_threshold = tranche
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    session.flush()
    audit.record(
        session,
        actor,
        "board.thresholds_changed",
        details={
            "award": [before[0], award],
            "tranche": [before[1], tranche],
        },
    )
    return row


# What needs the board -------------------------------------------------------------------------


def _decisions_on(session: Session, **link) -> list[BoardDecision]:
    column, value = next(iter(link.items()))
    with session.no_autoflush:
        return list(
            session.scalars(
                select(BoardDecision)
                .join(AgendaItem, BoardDecision.item_id == AgendaItem.id)
                .join(BoardMeeting, AgendaItem.meeting_id == BoardMeeting.id)
                .where(getattr(AgendaItem, column) == value)
                .options(joinedload(BoardDecision.item).joinedload(AgendaItem.meeting))
                .order_by(BoardMeeting.held_on.desc(), BoardDecision.id.desc())
            ).unique()
        )


def _final(decisions: list[BoardDecision]) -> BoardDecision | None:
    """The latest decision that is not a deferral: it is the board's word."""
    return next((d for d in decisions if d.outcome != DecisionOutcome.DEFERRED), None)


def award_refusal(session: Session, application: Application, awarded_amount: int):
    """Why `application` cannot be approved for `awarded_amount` yet, or None."""
    decision = _final(_decisions_on(session, application_id=application.id))
    if decision is not None and decision.outcome == DecisionOutcome.REJECTED:
        return _l(
            "The board of trustees rejected this application (decision %(number)s).",
            number=decision.number,
        )
    threshold = settings(session).board_award_threshold
    if threshold is None or awarded_amount < threshold:
        return None
    if decision is None:
        return _l(
            "An award of %(threshold)s or more needs a decision of the board of trustees. "
            "Put the application on a board meeting's agenda and record the decision first.",
            threshold=format_money(threshold),
        )
    if decision.amount is not None and awarded_amount > decision.amount:
        return _l(
            "The board of trustees approved at most %(amount)s (decision %(number)s).",
            amount=format_money(decision.amount),
            number=decision.number,
        )
    return None


@dataclass(frozen=True)
class BoardStatus:
    """Where an application stands with the board, for the officer who decides it."""

    threshold: int | None  # awards from this amount need the board
    decision: BoardDecision | None  # the board's word (a deferral is not one)
    pending_meeting: str | None  # the meeting whose agenda it is on, waiting


def application_status(session: Session, application: Application) -> BoardStatus:
    pending = _pending_item(session, application_id=application.id)
    return BoardStatus(
        threshold=settings(session).board_award_threshold,
        decision=_final(_decisions_on(session, application_id=application.id)),
        pending_meeting=pending.meeting.number if pending is not None else None,
    )


def tranche_refusal(session: Session, tranche: Tranche):
    """Why `tranche` cannot be approved for payment yet, or None. Reads the tranche's agenda
    items (`Tranche.board_items`, loaded with a page's tranches), not a query per tranche."""
    decided = [i.decision for i in tranche.board_items if i.decision is not None]
    decided.sort(key=lambda d: (d.item.meeting.held_on, d.id), reverse=True)
    decision = _final(decided)
    if decision is not None and decision.outcome == DecisionOutcome.REJECTED:
        return _l(
            "The board of trustees did not approve this tranche (decision %(number)s).",
            number=decision.number,
        )
    threshold = settings(session).board_tranche_threshold
    if threshold is None or tranche.amount < threshold:
        return None
    if decision is None:
        return _l(
            "A tranche of %(threshold)s or more needs a decision of the board of trustees.",
            threshold=format_money(threshold),
        )
    if decision.amount is not None and tranche.amount > decision.amount:
        return _l(
            "The board of trustees approved at most %(amount)s (decision %(number)s).",
            amount=format_money(decision.amount),
            number=decision.number,
        )
    return None


def amendment_decisions(session: Session, project: Project) -> list[BoardDecision]:
    """The approved amendment decisions on `project` that no amendment has used yet."""
    return [
        d
        for d in _decisions_on(session, project_id=project.id)
        if d.item.kind == AgendaKind.AMENDMENT and d.approved and d.used_at is None
    ]


def use_for_amendment(
    session: Session,
    project: Project,
    decision_id: int | None,
    *,
    end_date: date,
    awarded_amount: int,
) -> BoardDecision:
    """The decision an amendment rests on, checked and marked used."""
    decision = next((d for d in amendment_decisions(session, project) if d.id == decision_id), None)
    if decision is None:
        raise DomainError(
            _l(
                "Choose the board of trustees' decision the amendment rests on. An amendment "
                "needs an approved decision on this project that no amendment has used yet."
            ),
            field="board_decision",
        )
    item = decision.item
    limit = decision.amount or item.amount
    if limit is not None and awarded_amount != project.awarded_amount and awarded_amount > limit:
        raise DomainError(
            _l(
                "The board of trustees approved an awarded amount of at most %(amount)s "
                "(decision %(number)s).",
                amount=format_money(limit),
                number=decision.number,
            ),
            field="awarded_amount",
        )
    if item.end_date is not None and end_date > item.end_date:
        raise DomainError(
            _l(
                "The board of trustees approved an end date of %(day)s at the latest "
                "(decision %(number)s).",
                day=item.end_date.isoformat(),
                number=decision.number,
            ),
            field="end_date",
        )
    decision.used_at = utcnow()
    return decision


# Meetings --------------------------------------------------------------------------------------


@dataclass
class MeetingData:
    number: str
    held_on: date
    location: str = ""


def _check_number(session: Session, model, number: str, own_id: int | None = None) -> str:
    number = " ".join(number.split())
    if not number:
        raise DomainError(_l("Give the number."), field="number")
    if len(number) > NUMBER_MAX:
        raise DomainError(_l("The number is too long."), field="number")
    taken = session.scalar(
        select(model.id).where(
            func.lower(model.number) == number.lower(), model.id != (own_id or 0)
        )
    )
    if taken is not None:
        raise DomainError(_l("This number is already used in the register."), field="number")
    return number


def create_meeting(session: Session, actor: User, data: MeetingData) -> BoardMeeting:
    _require_keeper(actor)
    meeting = BoardMeeting(
        number=_check_number(session, BoardMeeting, data.number),
        held_on=data.held_on,
        location=data.location.strip()[:300],
        created_by_id=actor.id,
        attendees="",
    )
    session.add(meeting)
    session.flush()
    audit.record(
        session, actor, "board.meeting_created", target=meeting, details={"number": meeting.number}
    )
    return meeting


def update_meeting(
    session: Session,
    actor: User,
    meeting: BoardMeeting,
    data: MeetingData,
    expected_version: int | None,
) -> BoardMeeting:
    _require_keeper(actor)
    _check_version(meeting, expected_version)
    if meeting.held:
        raise DomainError(_l("The meeting has been held: its details no longer change."))
    meeting.number = _check_number(session, BoardMeeting, data.number, meeting.id)
    meeting.held_on = data.held_on
    meeting.location = data.location.strip()[:300]
    session.flush()
    return meeting


def hold_meeting(
    session: Session,
    actor: User,
    meeting: BoardMeeting,
    *,
    held_on: date,
    members_total: int,
    members_present: int,
    attendees: str,
    today: date,
    expected_version: int | None,
) -> BoardMeeting:
    """Record that the meeting took place, and who attended: its decisions may then be
    recorded if it had a quorum."""
    _require_keeper(actor)
    _check_version(meeting, expected_version)
    if meeting.held:
        raise DomainError(_l("The meeting has already been recorded as held."))
    if not meeting.items:
        raise DomainError(_l("The meeting has no agenda: add what the board decides first."))
    if held_on > today:
        raise DomainError(_l("A meeting cannot be held in the future."), field="held_on")
    if members_total < 1:
        raise DomainError(_l("Give the number of the board's members."), field="members_total")
    if not 0 <= members_present <= members_total:
        raise DomainError(
            _l("Those present cannot be more than the board's members."), field="members_present"
        )
    if len(attendees) > ATTENDEES_MAX:
        raise DomainError(_l("The list of those present is too long."), field="attendees")
    meeting.held_on = held_on
    meeting.members_total = members_total
    meeting.members_present = members_present
    meeting.attendees = attendees.strip()
    workflow.move(session, actor, meeting, "hold", today=today)
    session.flush()
    audit.record(
        session,
        actor,
        "board.meeting_held",
        target=meeting,
        details={"present": members_present, "members": members_total, "quorum": meeting.quorate},
    )
    return meeting


def delete_meeting(session: Session, actor: User, meeting: BoardMeeting) -> None:
    _require_keeper(actor)
    if meeting.held:
        raise DomainError(_l("A meeting that was held stays in the register."))
    audit.record(
        session, actor, "board.meeting_deleted", target=meeting, details={"number": meeting.number}
    )
    session.delete(meeting)
    session.flush()


# The agenda ------------------------------------------------------------------------------------


@dataclass
class ItemData:
    kind: AgendaKind
    application: Application | None = None
    project: Project | None = None
    tranche: Tranche | None = None
    title: str = ""
    notes: str = ""
    amount: int | None = None
    end_date: date | None = None


def _pending_item(session: Session, **link) -> AgendaItem | None:
    """An item on the same thing waiting for its decision (at any meeting)."""
    column, value = next(iter(link.items()))
    return session.scalar(
        select(AgendaItem)
        .outerjoin(BoardDecision, BoardDecision.item_id == AgendaItem.id)
        .where(getattr(AgendaItem, column) == value, BoardDecision.id.is_(None))
        .options(joinedload(AgendaItem.meeting))
        .limit(1)
    )


def _already_on_agenda(item: AgendaItem | None) -> None:
    if item is not None:
        raise DomainError(
            _l(
                "This is already on the agenda of meeting %(number)s and waits for its decision.",
                number=item.meeting.number,
            )
        )


def _application_item(session: Session, actor: User, item: AgendaItem, data: ItemData) -> str:
    application = data.application
    if application is None or not permissions.can_view_application(actor, application):
        raise DomainError(_l("Choose the application."), field="application_id")
    if application.status not in OPEN_APPLICATIONS:
        raise DomainError(
            _l("This application has been decided or is not submitted."), field="application_id"
        )
    _already_on_agenda(_pending_item(session, application_id=application.id))
    item.application = application
    item.amount = data.amount or application.requested_amount or None
    item.end_date = None
    return f"{application.organisation.name} · {application.title}"


def _tranche_item(session: Session, actor: User, item: AgendaItem, data: ItemData) -> str:
    tranche = data.tranche
    if tranche is None or not permissions.can_view_project(actor, tranche.project):
        raise DomainError(_l("Choose the tranche."), field="tranche_id")
    if tranche.status != TrancheStatus.PLANNED:
        raise DomainError(
            _l("This tranche has already been approved for payment."), field="tranche_id"
        )
    _already_on_agenda(_pending_item(session, tranche_id=tranche.id))
    item.tranche = tranche
    item.project = tranche.project
    item.amount = tranche.amount
    item.end_date = None
    return tranche.project.code


def _project_item(session: Session, actor: User, item: AgendaItem, data: ItemData) -> str:
    project = data.project
    if project is None or not permissions.can_view_project(actor, project):
        raise DomainError(_l("Choose the project."), field="project_id")
    if project.status not in LIVE_PROJECTS:
        raise DomainError(_l("This project is closed."), field="project_id")
    if data.kind == AgendaKind.AMENDMENT:
        if data.amount is None and data.end_date is None:
            raise DomainError(
                _l("Give the awarded amount or the end date the amendment proposes."),
                field="amount",
            )
        if data.end_date is not None and data.end_date < project.start_date:
            raise DomainError(
                _l("The end date must not be before the start date."), field="end_date"
            )
    else:
        item.amount = item.end_date = None
    item.project = project
    return project.code


def _other_item(session: Session, actor: User, item: AgendaItem, data: ItemData) -> str:
    item.amount = item.end_date = None
    return ""


ITEM_BUILDERS = {
    AgendaKind.APPLICATION: _application_item,
    AgendaKind.TRANCHE: _tranche_item,
    AgendaKind.AMENDMENT: _project_item,
    AgendaKind.REPORT: _project_item,
    AgendaKind.OTHER: _other_item,
}


def add_item(session: Session, actor: User, meeting: BoardMeeting, data: ItemData) -> AgendaItem:
    """Put something to the board at a planned meeting: the item links to what it decides
    (one waiting item per thing), with the amount it proposes."""
    _require_keeper(actor)
    if meeting.held:
        raise DomainError(_l("The meeting has been held: its agenda no longer changes."))
    notes = data.notes.strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(_l("The notes are too long."), field="notes")
    if data.amount is not None and data.amount <= 0:
        raise DomainError(_l("Give an amount above zero."), field="amount")
    item = AgendaItem(kind=data.kind, notes=notes, amount=data.amount, end_date=data.end_date)
    default_title = ITEM_BUILDERS[data.kind](session, actor, item, data)
    title = " ".join(data.title.split()) or default_title
    if not title:
        raise DomainError(_l("Give the item's title."), field="title")
    item.title = title[:TITLE_MAX]
    item.position = max((i.position for i in meeting.items), default=0) + 1
    meeting.items.append(item)
    session.flush()
    audit.record(
        session,
        actor,
        "board.item_added",
        target=meeting,
        details={"kind": item.kind.value, "position": item.position, "amount": item.amount},
    )
    return item


def remove_item(session: Session, actor: User, item: AgendaItem) -> None:
    _require_keeper(actor)
    if item.meeting.held:
        raise DomainError(_l("The meeting has been held: its agenda no longer changes."))
    audit.record(
        session,
        actor,
        "board.item_removed",
        target=item.meeting,
        details={"kind": item.kind.value, "position": item.position},
    )
    item.meeting.items.remove(item)
    session.flush()


# Decisions -------------------------------------------------------------------------------------


@dataclass
class DecisionData:
    number: str
    outcome: DecisionOutcome
    texts: dict[str, str]
    amount: int | None = None


def suggested_number(item: AgendaItem) -> str:
    return f"{item.meeting.number}/{item.position}"


def record_decision(
    session: Session, actor: User, item: AgendaItem, data: DecisionData
) -> BoardDecision:
    _require_keeper(actor)
    meeting = item.meeting
    if not meeting.held:
        raise DomainError(
            _l("Record that the meeting was held, and who attended, before its decisions.")
        )
    if not meeting.quorate:
        raise DomainError(
            _l(
                "The meeting had no quorum (more than half of the board's members present): it "
                "could take no decision."
            )
        )
    if item.decision is not None:
        raise Conflict(_l("This item's decision is already recorded."))
    texts = {lang: (data.texts.get(lang) or "").strip() for lang in LANGUAGES}
    if not any(texts.values()):
        raise DomainError(_l("Give the decision's text in at least one language."), field="text")
    if any(len(t) > TEXT_MAX for t in texts.values()):
        raise DomainError(_l("The decision's text is too long."), field="text")
    amount = data.amount
    if data.outcome != DecisionOutcome.APPROVED or item.kind in (
        AgendaKind.REPORT,
        AgendaKind.OTHER,
    ):
        amount = None
    elif amount is None:
        amount = item.amount
    elif amount <= 0:
        raise DomainError(_l("Give an amount above zero."), field="amount")
    elif item.kind == AgendaKind.TRANCHE and amount < item.tranche.amount:
        raise DomainError(
            _l("Approve the whole tranche, or change the tranche first."), field="amount"
        )
    decision = BoardDecision(
        number=_check_number(session, BoardDecision, data.number),
        outcome=data.outcome,
        text_kk=texts["kk"],
        text_ru=texts["ru"],
        text_en=texts["en"],
        amount=amount,
        recorded_by_id=actor.id,
    )
    item.decision = decision
    session.flush()
    if item.tranche is not None:
        session.expire(item.tranche, ["board_items"])
    project = item.project or (item.tranche.project if item.tranche is not None else None)
    if project is not None:
        events.record(
            session,
            project,
            actor,
            "board_decision",
            board_decision=decision.number,
            outcome=decision.outcome,
            amount=decision.amount,
        )
    audit.record(
        session,
        actor,
        "board.decision_recorded",
        target=decision,
        details={
            "number": decision.number,
            "kind": item.kind.value,
            "outcome": decision.outcome.value,
            "amount": decision.amount,
        },
    )
    notifier.announce(session, actor, "board_decision", decision)
    return decision


# Reading ---------------------------------------------------------------------------------------


def meetings(session: Session) -> list[BoardMeeting]:
    return list(
        session.scalars(
            select(BoardMeeting)
            .options(selectinload(BoardMeeting.items).selectinload(AgendaItem.decision))
            .order_by(BoardMeeting.held_on.desc(), BoardMeeting.id.desc())
        )
    )


def load_meeting(session: Session, meeting_id: int) -> BoardMeeting | None:
    return session.scalar(
        select(BoardMeeting)
        .where(BoardMeeting.id == meeting_id)
        .options(
            selectinload(BoardMeeting.items).options(
                joinedload(AgendaItem.decision),
                joinedload(AgendaItem.application),
                joinedload(AgendaItem.project),
                joinedload(AgendaItem.tranche),
            )
        )
    )


def decisions(session: Session, q: str = "") -> list[BoardDecision]:
    query = (
        select(BoardDecision)
        .join(AgendaItem, BoardDecision.item_id == AgendaItem.id)
        .join(BoardMeeting, AgendaItem.meeting_id == BoardMeeting.id)
        .options(joinedload(BoardDecision.item).joinedload(AgendaItem.meeting))
        .order_by(BoardMeeting.held_on.desc(), BoardDecision.id.desc())
    )
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            func.lower(BoardDecision.number).like(like) | func.lower(AgendaItem.title).like(like)
        )
    return list(session.scalars(query).unique())


def open_applications(session: Session) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(Application.status.in_(OPEN_APPLICATIONS))
            .options(joinedload(Application.organisation))  # the chooser names each one's
            .order_by(Application.id)
        )
    )


def live_projects(session: Session) -> list[Project]:
    return list(
        session.scalars(
            select(Project).where(Project.status.in_(LIVE_PROJECTS)).order_by(Project.code)
        )
    )


def tranches_for_board(session: Session) -> list[Tranche]:
    """Planned tranches of live projects that need the board (all of them without a
    threshold, so that any may be put to it)."""
    threshold = settings(session).board_tranche_threshold
    query = (
        select(Tranche)
        .join(Project, Tranche.project_id == Project.id)
        .where(Tranche.status == TrancheStatus.PLANNED, Project.status.in_(LIVE_PROJECTS))
        .options(joinedload(Tranche.project))
        .order_by(Project.code, Tranche.planned_date)
    )
    if threshold is not None:
        query = query.where(Tranche.amount >= threshold)
    return list(session.scalars(query))
