"""Calls for proposals: drafted, published, closed and archived by officers, each with its
programme area, dates, budget envelope, maximum request and weighted scoring criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import Call, CallCriterion, CallStatus, ProgrammeArea, ReviewScore, User
from fundtracker.services import workflow
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.plan import check_version


def next_statuses(call: Call) -> list[CallStatus]:
    """The statuses the call may move to, in a fixed order (for its page's buttons)."""
    return sorted(workflow.targets(call))


@dataclass
class CallData:
    area_id: int
    title_kk: str
    title_ru: str
    title_en: str
    opens_at: datetime
    closes_at: datetime
    budget_envelope: int
    max_request: int
    description_kk: str = ""
    description_ru: str = ""
    description_en: str = ""
    eligibility: str = ""
    required_documents: str = ""
    # (name, weight) pairs; empty names are ignored
    criteria: list[tuple[str, int]] = field(default_factory=list)


# The columns of a call that CallData sets as they are (strings stripped).
CALL_FIELDS = (
    "area_id",
    "title_kk",
    "title_ru",
    "title_en",
    "description_kk",
    "description_ru",
    "description_en",
    "eligibility",
    "opens_at",
    "closes_at",
    "budget_envelope",
    "max_request",
    "required_documents",
)


def _require_staff(actor: User) -> None:
    if not permissions.is_staff(actor):
        raise NotAllowed(_l("Only fund staff can do this."))


def _validate_call(session: Session, data: CallData) -> list[tuple[str, int]]:
    if not (data.title_kk.strip() or data.title_ru.strip() or data.title_en.strip()):
        raise DomainError(_l("Enter the title in at least one language."), field="title_kk")
    if session.get(ProgrammeArea, data.area_id) is None:
        raise DomainError(_l("Choose a programme area."), field="area_id")
    if data.closes_at <= data.opens_at:
        raise DomainError(_l("The call must close after it opens."), field="closes_on")
    if data.budget_envelope <= 0:
        raise DomainError(
            _l("The budget envelope must be more than zero."), field="budget_envelope"
        )
    if not 0 < data.max_request <= data.budget_envelope:
        raise DomainError(
            _l("The maximum request must be more than zero and within the envelope."),
            field="max_request",
        )
    criteria = [(name.strip(), weight) for name, weight in data.criteria if name.strip()]
    if not criteria:
        raise DomainError(_l("Give at least one scoring criterion."), field="criteria")
    if any(not 0 < weight <= 100 for _, weight in criteria):
        raise DomainError(_l("Each weight is a whole number from 1 to 100."), field="criteria")
    return criteria


def _set_fields(call: Call, data: CallData) -> None:
    for name in CALL_FIELDS:
        value = getattr(data, name)
        setattr(call, name, value.strip() if isinstance(value, str) else value)


def _criteria(criteria: list[tuple[str, int]]) -> list[CallCriterion]:
    return [
        CallCriterion(name=name, weight=weight, position=i)
        for i, (name, weight) in enumerate(criteria)
    ]


def create_call(session: Session, actor: User, data: CallData) -> Call:
    _require_staff(actor)
    criteria = _validate_call(session, data)
    call = Call(status=CallStatus.DRAFT, created_by_id=actor.id)
    _set_fields(call, data)
    call.criteria = _criteria(criteria)
    session.add(call)
    session.flush()
    return call


def update_call(
    session: Session, actor: User, call: Call, data: CallData, expected_version: int | None
) -> Call:
    _require_staff(actor)
    check_version(call, expected_version)
    if call.status == CallStatus.ARCHIVED:
        raise DomainError(_l("An archived call cannot be changed."))
    criteria = _validate_call(session, data)
    _set_fields(call, data)
    scored = session.scalar(
        select(ReviewScore.assignment_id)
        .join(CallCriterion, ReviewScore.criterion_id == CallCriterion.id)
        .where(CallCriterion.call_id == call.id)
        .limit(1)
    )
    current = [(c.name, c.weight) for c in call.criteria]
    if current != criteria:
        if scored is not None:
            raise DomainError(
                _l("The criteria cannot change once reviewers have scored against them."),
                field="criteria",
            )
        call.criteria = _criteria(criteria)
    session.flush()
    return call


def set_call_status(session: Session, actor: User, call: Call, to: CallStatus) -> Call:
    _require_staff(actor)
    workflow.move_to(session, actor, call, to)
    session.flush()
    return call


def open_calls(session: Session, now: datetime) -> list[Call]:
    return list(
        session.scalars(
            select(Call)
            .where(Call.status == CallStatus.PUBLISHED, Call.opens_at <= now, Call.closes_at > now)
            .order_by(Call.closes_at)
        )
    )
