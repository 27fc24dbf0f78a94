"""Calls for proposals: drafted, published, closed and archived by officers, each with its
programme area, dates, budget envelope, maximum request and weighted scoring criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import Call, CallCriterion, CallStatus, ProgrammeArea, ReviewScore, User
from fundtracker.services import workflow
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.plan import check_version
from fundtracker.services.search import contains_folded


def next_statuses(call: Call) -> list[CallStatus]:
    """The statuses the call may move to, in a fixed order (for its page's buttons)."""
    return sorted(workflow.targets(call))


@dataclass
class CriterionData:
    """A scoring criterion as typed: its name in each language (one at least) and its weight."""

    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    weight: int = 0

    def names(self) -> tuple[str, str, str]:
        return (self.name_kk.strip(), self.name_ru.strip(), self.name_en.strip())

    @property
    def blank(self) -> bool:
        """Nothing typed: a spare row of the form."""
        return not any(self.names()) and not self.weight


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
    eligibility_kk: str = ""
    eligibility_ru: str = ""
    eligibility_en: str = ""
    required_documents_kk: str = ""
    required_documents_ru: str = ""
    required_documents_en: str = ""
    # blank rows are ignored
    criteria: list[CriterionData] = field(default_factory=list)


# The columns of a call that CallData sets as they are (strings stripped).
CALL_FIELDS = (
    "area_id",
    "title_kk",
    "title_ru",
    "title_en",
    "description_kk",
    "description_ru",
    "description_en",
    "eligibility_kk",
    "eligibility_ru",
    "eligibility_en",
    "opens_at",
    "closes_at",
    "budget_envelope",
    "max_request",
    "required_documents_kk",
    "required_documents_ru",
    "required_documents_en",
)


def _require_staff(actor: User) -> None:
    if not permissions.is_staff(actor):
        raise NotAllowed(_l("Only fund staff can do this."))


def _validate_call(session: Session, data: CallData) -> list[CriterionData]:
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
    criteria = [c for c in data.criteria if not c.blank]
    if not criteria:
        raise DomainError(_l("Give at least one scoring criterion."), field="criteria")
    if any(not any(c.names()) for c in criteria):
        raise DomainError(
            _l("Name each scoring criterion in at least one language."), field="criteria"
        )
    if any(not 0 < c.weight <= 100 for c in criteria):
        raise DomainError(_l("Each weight is a whole number from 1 to 100."), field="criteria")
    return criteria


def _set_fields(call: Call, data: CallData) -> None:
    for name in CALL_FIELDS:
        value = getattr(data, name)
        setattr(call, name, value.strip() if isinstance(value, str) else value)


def _criteria(criteria: list[CriterionData]) -> list[CallCriterion]:
    rows = []
    for i, c in enumerate(criteria):
        kk, ru, en = c.names()
        rows.append(CallCriterion(name_kk=kk, name_ru=ru, name_en=en, weight=c.weight, position=i))
    return rows


def _names(criterion: CallCriterion) -> tuple[str, str, str]:
    return (criterion.name_kk, criterion.name_ru, criterion.name_en)


def _only_names_added(current: list[CallCriterion], criteria: list[CriterionData]) -> bool:
    """The same criteria and weights, with names only added in languages that had none."""
    if len(current) != len(criteria):
        return False
    return all(
        old.weight == new.weight
        and all(
            not before or before == after
            for before, after in zip(_names(old), new.names(), strict=True)
        )
        for old, new in zip(current, criteria, strict=True)
    )


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
    """Changes the call. Once reviewers have scored against its criteria, these stay as they
    are, except that a name may be added in a language that had none."""
    _require_staff(actor)
    check_version(call, expected_version)
    if call.status == CallStatus.ARCHIVED:
        raise DomainError(_l("An archived call cannot be changed."))
    criteria = _validate_call(session, data)
    _set_fields(call, data)
    current = list(call.criteria)
    if [(_names(c), c.weight) for c in current] == [(c.names(), c.weight) for c in criteria]:
        session.flush()
        return call
    scored = session.scalar(
        select(ReviewScore.assignment_id)
        .join(CallCriterion, ReviewScore.criterion_id == CallCriterion.id)
        .where(CallCriterion.call_id == call.id)
        .limit(1)
    )
    if _only_names_added(current, criteria):
        # The same rows, so the scores given stay with them.
        for old, new in zip(current, criteria, strict=True):
            old.name_kk, old.name_ru, old.name_en = new.names()
    elif scored is not None:
        raise DomainError(
            _l(
                "The criteria cannot change once reviewers have scored against them; a name "
                "can still be added in a language that has none."
            ),
            field="criteria",
        )
    else:
        call.criteria = _criteria(criteria)
    session.flush()
    return call


def set_call_status(session: Session, actor: User, call: Call, to: CallStatus) -> Call:
    _require_staff(actor)
    workflow.move_to(session, actor, call, to)
    session.flush()
    return call


def _open_at(now: datetime) -> tuple:
    """Conditions on Call: published and open at `now` (as `Call.is_open`)."""
    return (Call.status == CallStatus.PUBLISHED, Call.opens_at <= now, Call.closes_at > now)


def open_calls(session: Session, now: datetime) -> list[Call]:
    return list(session.scalars(select(Call).where(*_open_at(now)).order_by(Call.closes_at)))


# A search looks for its text in the call's title in each language.
TITLE_COLUMNS = (Call.title_kk, Call.title_ru, Call.title_en)


@dataclass
class CallFilter:
    """What the list of calls is narrowed to; "" or None is no condition."""

    q: str = ""
    status: CallStatus | None = None


def list_query(actor: User, now: datetime, flt: CallFilter | None = None) -> Select:
    """The calls `actor` may see that match `flt`, for `db.paginate`: for staff every call, the
    latest closing first, in `flt.status` if given; for applicants the calls open now, the
    soonest closing first (a status filter changes nothing for them). The text is looked for in
    the title in every language, case-insensitively (Cyrillic included)."""
    flt = flt or CallFilter()
    query = select(Call).options(joinedload(Call.area))
    if permissions.is_staff(actor):
        query = query.order_by(Call.closes_at.desc(), Call.id.desc())
        if flt.status is not None:
            query = query.where(Call.status == flt.status)
    else:
        query = query.where(*_open_at(now)).order_by(Call.closes_at, Call.id)
    text = flt.q.strip()
    if text:
        query = query.where(or_(*(contains_folded(column, text) for column in TITLE_COLUMNS)))
    return query
