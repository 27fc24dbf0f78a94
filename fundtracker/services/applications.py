"""Grant applications, from a call for proposals to a project.

Calls are drafted, published, closed and archived by officers. Organisations register
themselves and are verified by an officer before their first submission. An applicant drafts an
application (summary, beneficiaries, regions, timeline, budget, milestones with tranches,
indicators, attachments) and submits it while the call is open. Officers screen it, return it for
changes or assign reviewers; reviewers declare conflicts of interest and score it; officers
approve it (creating the project in the same transaction), reject it or return it.

Every status change of an application goes through `transition`, which knows the allowed steps
and records each one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import permissions
from fundtracker.core.i18n import LANGUAGES, format_money
from fundtracker.core.time import to_local, to_utc  # noqa: F401  (to_utc: used by callers)
from fundtracker.models import (
    Application,
    ApplicationBeneficiary,
    ApplicationBudgetLine,
    ApplicationIndicator,
    ApplicationMilestone,
    ApplicationStatus,
    ApplicationTransition,
    BeneficiaryCategory,
    BudgetCategory,
    Call,
    CallCriterion,
    CallStatus,
    ConflictDeclaration,
    Organisation,
    OrganisationRegistration,
    ProgrammeArea,
    Project,
    Region,
    ReviewAssignment,
    ReviewScore,
    Role,
    User,
    bin_is_valid,
    utcnow,
)
from fundtracker.services import notifications, outcomes, plan
from fundtracker.services.accounts import check_password_rules, hash_password
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.plan import check_version

# Calls ----------------------------------------------------------------------------------------

CALL_TRANSITIONS: dict[CallStatus, set[CallStatus]] = {
    CallStatus.DRAFT: {CallStatus.PUBLISHED},
    CallStatus.PUBLISHED: {CallStatus.CLOSED},
    CallStatus.CLOSED: {CallStatus.PUBLISHED, CallStatus.ARCHIVED},
    CallStatus.ARCHIVED: set(),
}


def call_status_labels() -> dict:
    return {
        CallStatus.DRAFT: _l("Draft"),
        CallStatus.PUBLISHED: _l("Published"),
        CallStatus.CLOSED: _l("Closed"),
        CallStatus.ARCHIVED: _l("Archived"),
    }


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


def create_call(session: Session, actor: User, data: CallData) -> Call:
    _require_staff(actor)
    criteria = _validate_call(session, data)
    call = Call(status=CallStatus.DRAFT, created_by_id=actor.id)
    for name in CALL_FIELDS:
        value = getattr(data, name)
        setattr(call, name, value.strip() if isinstance(value, str) else value)
    call.criteria = [
        CallCriterion(name=name, weight=weight, position=i)
        for i, (name, weight) in enumerate(criteria)
    ]
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
    for name in CALL_FIELDS:
        value = getattr(data, name)
        setattr(call, name, value.strip() if isinstance(value, str) else value)
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
        call.criteria = [
            CallCriterion(name=name, weight=weight, position=i)
            for i, (name, weight) in enumerate(criteria)
        ]
    session.flush()
    return call


def set_call_status(session: Session, actor: User, call: Call, to: CallStatus) -> Call:
    _require_staff(actor)
    if to not in CALL_TRANSITIONS[call.status]:
        labels = call_status_labels()
        raise DomainError(
            _l(
                "A call that is “%(old)s” cannot become “%(new)s”.",
                old=labels[call.status],
                new=labels[to],
            )
        )
    call.status = to
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


# Organisations that register themselves ---------------------------------------------------------


@dataclass
class RegistrationData:
    name: str
    bin: str
    region_id: int
    contact_name: str
    email: str
    password: str
    locale: str = "kk"
    contact_phone: str = ""
    address: str = ""


def register_organisation(session: Session, data: RegistrationData) -> User:
    """A new organisation and its contact person as its first grantee user. The organisation
    may draft applications at once; it submits once an officer has verified it."""
    bin_ = data.bin.strip().replace(" ", "")
    if not data.name.strip():
        raise DomainError(_l("Enter the organisation's name."), field="name")
    if not bin_is_valid(bin_):
        raise DomainError(_l("A BIN is 12 digits with a valid check digit."), field="bin")
    if session.scalar(select(Organisation.id).where(Organisation.bin == bin_)) is not None:
        raise Conflict(_l("An organisation with this BIN is already registered."), field="bin")
    if session.get(Region, data.region_id) is None:
        raise DomainError(_l("Choose a region."), field="region_id")
    email = User.normalise_email(data.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_l("A user with this email already exists."), field="email")
    if not data.contact_name.strip():
        raise DomainError(_l("Enter the contact person's name."), field="contact_name")
    organisation = Organisation(
        name=data.name.strip(),
        bin=bin_,
        region_id=data.region_id,
        address=data.address.strip(),
        contact_name=data.contact_name.strip(),
        contact_email=email,
        contact_phone=data.contact_phone.strip(),
    )
    session.add(organisation)
    session.flush()
    session.add(OrganisationRegistration(organisation_id=organisation.id))
    user = User(
        email=email,
        name=data.contact_name.strip(),
        role=Role.GRANTEE,
        locale=data.locale if data.locale in LANGUAGES else LANGUAGES[0],
        organisation_id=organisation.id,
        active=True,
    )
    check_password_rules(data.password, user)
    user.password_hash = hash_password(data.password)
    user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    return user


def registration_of(session: Session, organisation_id: int) -> OrganisationRegistration | None:
    return session.get(OrganisationRegistration, organisation_id)


def is_verified(session: Session, organisation_id: int) -> bool:
    """Organisations the fund created need no verification; self-registered ones do."""
    registration = registration_of(session, organisation_id)
    return registration is None or registration.verified_at is not None


def verify_organisation(session: Session, actor: User, organisation: Organisation) -> None:
    if not permissions.can_verify_organisations(actor):
        raise NotAllowed(_l("Only fund staff can verify organisations."))
    registration = registration_of(session, organisation.id)
    if registration is None or registration.verified_at is not None:
        raise DomainError(_l("This organisation is already verified."))
    registration.verified_at = utcnow()
    registration.verified_by_id = actor.id
    session.flush()


def unverified_organisations(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .join(OrganisationRegistration)
            .where(OrganisationRegistration.verified_at.is_(None))
            .order_by(Organisation.name)
        )
    )


# The workflow ---------------------------------------------------------------------------------

S = ApplicationStatus
# (from, to) -> who may make the step
TRANSITIONS: dict[tuple[ApplicationStatus | None, ApplicationStatus], str] = {
    (None, S.DRAFT): "applicant",
    (S.DRAFT, S.SUBMITTED): "applicant",
    (S.RETURNED, S.SUBMITTED): "applicant",
    (S.SUBMITTED, S.SCREENED): "staff",
    (S.SUBMITTED, S.RETURNED): "staff",
    (S.SUBMITTED, S.REJECTED): "staff",
    (S.SCREENED, S.UNDER_REVIEW): "staff",
    (S.SCREENED, S.RETURNED): "staff",
    (S.SCREENED, S.REJECTED): "staff",
    (S.UNDER_REVIEW, S.RETURNED): "staff",
    (S.UNDER_REVIEW, S.REJECTED): "staff",
    (S.UNDER_REVIEW, S.APPROVED): "staff",
}
FINAL = frozenset({S.APPROVED, S.REJECTED})


def application_status_labels() -> dict:
    return {
        S.DRAFT: _l("Draft"),
        S.SUBMITTED: _l("Submitted"),
        S.RETURNED: _l("Returned for changes"),
        S.SCREENED: _l("Eligible"),
        S.UNDER_REVIEW: _l("Under review"),
        S.APPROVED: _l("Approved"),
        S.REJECTED: _l("Rejected"),
    }


APPLICATION_BADGES = {
    S.DRAFT: "secondary",
    S.SUBMITTED: "info",
    S.RETURNED: "warning",
    S.SCREENED: "primary",
    S.UNDER_REVIEW: "primary",
    S.APPROVED: "success",
    S.REJECTED: "danger",
}


def transition(
    session: Session,
    actor: User,
    application: Application,
    to: ApplicationStatus,
    comment: str = "",
) -> ApplicationTransition:
    """The one way an application's status changes: refuses steps the workflow does not allow
    or the actor may not take, and records who, when, from, to and why."""
    frm = None if application.id is None and not application.transitions else application.status
    who = TRANSITIONS.get((frm, to))
    labels = application_status_labels()
    if who is None:
        raise DomainError(
            _l(
                "An application that is “%(old)s” cannot become “%(new)s”.",
                old=labels[frm] if frm else "—",
                new=labels[to],
            )
        )
    if who == "applicant" and not (
        permissions.is_grantee(actor) and actor.organisation_id == application.organisation_id
    ):
        raise NotAllowed(_l("Only the applicant organisation can do this."))
    if who == "staff" and not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    now = utcnow()
    application.status = to
    if to == S.SUBMITTED:
        application.submitted_at = now
    if to in FINAL:
        application.decided_at = now
    step = ApplicationTransition(
        application=application,
        actor_id=actor.id,
        from_status=frm,
        to_status=to,
        comment=comment.strip(),
        created_at=now,
    )
    session.add(step)
    session.flush()
    return step


# Drafting -------------------------------------------------------------------------------------


@dataclass
class BudgetLineData:
    category: BudgetCategory
    amount: int
    description: str = ""


@dataclass
class MilestonePlan:
    title: str
    due_date: date
    tranche_amount: int = 0


@dataclass
class IndicatorPlan:
    name: str
    target: int
    unit: str = ""
    baseline: int = 0


@dataclass
class ApplicationData:
    title: str = ""
    summary: str = ""
    start_date: date | None = None
    end_date: date | None = None
    region_ids: list[int] = field(default_factory=list)
    beneficiaries: dict[BeneficiaryCategory, int] = field(default_factory=dict)
    budget: list[BudgetLineData] = field(default_factory=list)
    milestones: list[MilestonePlan] = field(default_factory=list)
    indicators: list[IndicatorPlan] = field(default_factory=list)


def start_application(session: Session, actor: User, call: Call, now: datetime) -> Application:
    if not permissions.can_apply(actor):
        raise NotAllowed(_l("Only applicant organisations can apply."))
    if not call.is_open(now):
        raise DomainError(_l("This call is not accepting applications."))
    application = Application(
        call=call,
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        status=S.DRAFT,
        screening={},
    )
    session.add(application)
    transition(session, actor, application, S.DRAFT)
    return application


def save_draft(
    session: Session,
    actor: User,
    application: Application,
    data: ApplicationData,
    expected_version: int | None,
) -> Application:
    """Keep whatever was typed: completeness is checked only at submission."""
    if not permissions.can_edit_application(actor, application):
        raise NotAllowed(_l("This application cannot be changed now."))
    check_version(application, expected_version)
    application.title = data.title.strip()[:300]
    application.summary = data.summary.strip()
    application.start_date = data.start_date
    application.end_date = data.end_date
    application.regions = list(
        session.scalars(select(Region).where(Region.id.in_(data.region_ids or [-1])))
    )
    application.beneficiaries = []
    session.flush()  # the old rows go first: (application, category) is unique
    application.beneficiaries = [
        ApplicationBeneficiary(category=category, count=count)
        for category, count in data.beneficiaries.items()
        if count is not None and count > 0
    ]
    application.budget_lines = [
        ApplicationBudgetLine(
            category=line.category, description=line.description.strip()[:300], amount=line.amount
        )
        for line in data.budget
        if line.amount is not None and line.amount >= 0
    ]
    application.milestones = [
        ApplicationMilestone(
            title=m.title.strip()[:300],
            due_date=m.due_date,
            tranche_amount=max(m.tranche_amount, 0),
        )
        for m in data.milestones
        if m.title.strip() and m.due_date is not None
    ]
    application.indicators = [
        ApplicationIndicator(
            name=i.name.strip()[:300],
            unit=i.unit.strip()[:60],
            baseline=i.baseline,
            target=i.target,
        )
        for i in data.indicators
        if i.name.strip() and i.target is not None
    ]
    application.updated_at = utcnow()  # a draft with only child rows changed is still newer
    session.flush()
    return application


def missing_items(session: Session, application: Application) -> list:
    """What a submission still lacks, in the applicant's words."""
    call = application.call
    missing = []
    if not application.title.strip():
        missing.append(_l("the project's title"))
    if not application.summary.strip():
        missing.append(_l("a summary"))
    if application.start_date is None or application.end_date is None:
        missing.append(_l("the start and end dates"))
    elif application.end_date < application.start_date:
        missing.append(_l("an end date that is not before the start date"))
    if not application.beneficiaries:
        missing.append(_l("at least one category of beneficiaries"))
    if not application.regions:
        missing.append(_l("at least one region"))
    total = application.requested_amount
    if not application.budget_lines or total <= 0:
        missing.append(_l("a budget with at least one line"))
    elif total > call.max_request:
        missing.append(
            _l(
                "a budget within the call's maximum request (the total is over it by %(over).2f ₸)",
                over=(total - call.max_request) / 100,
            )
        )
    if not application.milestones:
        missing.append(_l("at least one milestone"))
    else:
        if application.tranches_total != total:
            missing.append(_l("payment tranches that add up to the requested amount"))
        if application.start_date and application.end_date:
            for m in application.milestones:
                if not application.start_date <= m.due_date <= application.end_date:
                    missing.append(
                        _l("a due date within the project's dates for “%(title)s”", title=m.title)
                    )
    if not application.indicators:
        missing.append(_l("at least one outcome indicator"))
    attached = {f.document for f in application.files}
    for document in call.documents:
        if document not in attached:
            missing.append(_l("the attachment “%(document)s”", document=document))
    if not is_verified(session, application.organisation_id):
        missing.append(_l("the fund's verification of your organisation"))
    return missing


class IncompleteApplication(DomainError):
    """Submission refused; the draft was kept. `missing` lists what to add."""

    def __init__(self, missing: list):
        super().__init__(_l("The application was saved as a draft but not submitted."))
        self.missing = missing


def submit(session: Session, actor: User, application: Application, now: datetime) -> None:
    call = application.call
    if now >= call.closes_at or call.status != CallStatus.PUBLISHED:
        closes = to_local(call.closes_at)
        raise DomainError(
            _l(
                "This call closed on %(day)s at %(time)s (Astana time): applications are no "
                "longer accepted.",
                day=closes.strftime("%d.%m.%Y"),
                time=closes.strftime("%H:%M"),
            )
        )
    if now < call.opens_at:
        raise DomainError(_l("This call is not open for submissions yet."))
    missing = missing_items(session, application)
    if missing:
        raise IncompleteApplication(missing)
    transition(session, actor, application, S.SUBMITTED)


# Screening and review ----------------------------------------------------------------------------


def screening_items() -> dict[str, str]:
    return {
        "organisation": _l("The organisation is eligible and verified"),
        "area": _l("The project fits the call's programme area"),
        "budget": _l("The budget is within the maximum request and plausible"),
        "documents": _l("The required documents are attached and readable"),
        "criteria": _l("The call's eligibility criteria are met"),
    }


def screen(
    session: Session,
    actor: User,
    application: Application,
    checks: dict[str, bool],
    decision: str,
    comment: str = "",
) -> None:
    """`decision`: "eligible" (every item must be checked), "return" or "reject" (with a
    comment the applicant sees)."""
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    if application.status != S.SUBMITTED:
        raise DomainError(_l("Only a submitted application is screened."))
    application.screening = {key: bool(checks.get(key)) for key in screening_items()}
    if decision == "eligible":
        if not all(application.screening.values()):
            raise DomainError(_l("Tick every item of the checklist to find it eligible."))
        transition(session, actor, application, S.SCREENED, comment)
    elif decision in ("return", "reject"):
        if not comment.strip():
            raise DomainError(_l("Tell the applicant why."), field="comment")
        to = S.RETURNED if decision == "return" else S.REJECTED
        transition(session, actor, application, to, comment)
        notify_applicant(session, application, to, comment)
    else:
        raise DomainError(_l("Choose what to do with the application."))


def return_for_changes(session: Session, actor: User, application: Application, comment: str):
    if not comment.strip():
        raise DomainError(_l("Tell the applicant what to change."), field="comment")
    transition(session, actor, application, S.RETURNED, comment)
    notify_applicant(session, application, S.RETURNED, comment)


def reviewers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.REVIEWER, User.active.is_(True))
            .order_by(User.name)
        )
    )


def assign_reviewer(
    session: Session, actor: User, application: Application, reviewer: User | None
) -> ReviewAssignment:
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    if reviewer is None or reviewer.role != Role.REVIEWER or not reviewer.active:
        raise DomainError(_l("Choose a reviewer."), field="reviewer_id")
    if application.status not in (S.SCREENED, S.UNDER_REVIEW):
        raise DomainError(_l("Reviewers are assigned once the application is found eligible."))
    if any(a.reviewer_id == reviewer.id for a in application.assignments):
        raise Conflict(_l("This reviewer is already assigned."), field="reviewer_id")
    assignment = ReviewAssignment(
        application=application, reviewer_id=reviewer.id, assigned_by_id=actor.id
    )
    session.add(assignment)
    if application.status == S.SCREENED:
        transition(
            session,
            actor,
            application,
            S.UNDER_REVIEW,
            _("Reviewer assigned: %(name)s", name=reviewer.name),
        )
    session.flush()
    return assignment


def declare_conflict(
    session: Session, actor: User, assignment: ReviewAssignment, has_conflict: bool, note: str = ""
) -> None:
    if not permissions.can_view_assignment(actor, assignment):
        raise NotAllowed(_l("This review is not yours."))
    if assignment.conflict != ConflictDeclaration.PENDING:
        raise DomainError(_l("You have already declared your interests for this application."))
    if has_conflict and not note.strip():
        raise DomainError(_l("Describe the conflict of interest."), field="note")
    assignment.conflict = ConflictDeclaration.CONFLICT if has_conflict else ConflictDeclaration.NONE
    assignment.conflict_note = note.strip()
    assignment.declared_at = utcnow()
    session.flush()


def submit_scores(
    session: Session,
    actor: User,
    assignment: ReviewAssignment,
    scores: dict[int, tuple[int | None, str]],
) -> None:
    """Scores 1-5 with a comment for every criterion of the call; final once submitted."""
    if not permissions.can_read_as_reviewer(actor, assignment):
        raise NotAllowed(_l("Declare that you have no conflict of interest first."))
    if assignment.submitted_at is not None:
        raise DomainError(_l("Your scores have already been submitted."))
    if assignment.application.status != S.UNDER_REVIEW:
        raise DomainError(_l("This application is no longer under review."))
    rows = []
    for criterion in assignment.application.call.criteria:
        score, comment = scores.get(criterion.id, (None, ""))
        if score is None or not 1 <= score <= 5:
            raise DomainError(
                _l("Score every criterion from 1 to 5: “%(name)s”.", name=criterion.name),
                field=f"score_{criterion.id}",
            )
        rows.append(ReviewScore(criterion_id=criterion.id, score=score, comment=comment.strip()))
    assignment.scores = rows
    assignment.submitted_at = utcnow()
    session.flush()


def assignments_of(session: Session, reviewer: User) -> list[ReviewAssignment]:
    return list(
        session.scalars(
            select(ReviewAssignment)
            .where(ReviewAssignment.reviewer_id == reviewer.id)
            .options(joinedload(ReviewAssignment.application).joinedload(Application.call))
            .order_by(ReviewAssignment.assigned_at.desc())
        )
    )


@dataclass
class RankingRow:
    rank: int  # 1 for the best average of the whole call, whatever the page
    application: Application
    scores: list[tuple[User, float | None]]
    average: float | None
    spread: float | None
    requested: int = 0  # the budget's total


@dataclass
class Ranking:
    rows: list[RankingRow]  # the page's rows
    requested_total: int  # the whole call's, as is everything below
    envelope: int
    count: int  # applications in the ranking
    page: int = 1
    per_page: int | None = None  # None: one page with every row

    @property
    def pages(self) -> int:
        if not self.per_page:
            return 1
        return max(1, math.ceil(self.count / self.per_page))


# A reviewer's score of an application: the criteria's scores weighted by the call's weights, as
# ReviewAssignment.weighted_score, summed over the scores joined to the call's criteria and grouped
# by assignment (None until submitted).
_WEIGHTED = cast(func.sum(ReviewScore.score * CallCriterion.weight), Float) / func.sum(
    CallCriterion.weight
)


def ranking(session: Session, call: Call, page: int = 1, per_page: int | None = None) -> Ranking:
    """Submitted applications of a call by their reviewers' average weighted score, with each
    reviewer's score and the spread between them; `per_page` rows from `page` (out of range: the
    nearest page), ranked and totalled over the whole call.

    A call may have a thousand applications and several thousand scores: each application's
    average, spread and budget total are worked out in SQL (one query, one row per application),
    sorted here, and only the page's applications, organisations and reviewers' scores are
    loaded, so the page runs the same few queries and renders at most `per_page` rows whatever
    the call's size."""
    scored = (
        select(ReviewAssignment.application_id, _WEIGHTED.label("score"))
        .select_from(CallCriterion)
        .join(ReviewScore, ReviewScore.criterion_id == CallCriterion.id)
        .join(ReviewAssignment, ReviewAssignment.id == ReviewScore.assignment_id)
        .where(
            CallCriterion.call_id == call.id,
            ReviewAssignment.submitted_at.is_not(None),
            ReviewAssignment.conflict != ConflictDeclaration.CONFLICT,
        )
        .group_by(ReviewAssignment.id, ReviewAssignment.application_id)
        .subquery()
    )
    averages = (
        select(
            Application.id,
            Application.status,
            func.avg(scored.c.score).label("average"),
            (func.max(scored.c.score) - func.min(scored.c.score)).label("spread"),
        )
        .outerjoin(scored, scored.c.application_id == Application.id)
        .where(Application.call_id == call.id, Application.status != S.DRAFT)
        .group_by(Application.id, Application.status)
        .subquery()
    )
    requested = (
        select(func.sum(ApplicationBudgetLine.amount))
        .where(ApplicationBudgetLine.application_id == averages.c.id)
        .scalar_subquery()
    )
    order = session.execute(
        select(averages.c.id, averages.c.status, averages.c.average, averages.c.spread, requested)
    ).all()
    # Rounded, so that equal averages added up in another order tie (and go by id).
    order.sort(key=lambda r: (r[2] is None, -round(r[2] or 0, 9), r[0]))
    result = Ranking(
        rows=[],
        requested_total=sum(
            int(amount or 0)
            for _id, status, _average, _spread, amount in order
            if status not in (S.REJECTED, S.RETURNED)
        ),
        envelope=call.budget_envelope,
        count=len(order),
        per_page=per_page,
    )
    result.page = min(max(page, 1), result.pages)
    first = (result.page - 1) * per_page if per_page else 0
    shown = order[first : first + per_page] if per_page else order
    if not shown:
        return result
    ids = [r[0] for r in shown]
    applications = {
        a.id: a
        for a in session.scalars(
            select(Application)
            .where(Application.id.in_(ids))
            .options(joinedload(Application.organisation))
        )
    }
    assignments = session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id, _WEIGHTED)
        .outerjoin(
            ReviewScore,
            (ReviewScore.assignment_id == ReviewAssignment.id)
            & ReviewAssignment.submitted_at.is_not(None),
        )
        .outerjoin(
            CallCriterion,
            (CallCriterion.id == ReviewScore.criterion_id) & (CallCriterion.call_id == call.id),
        )
        .where(
            ReviewAssignment.application_id.in_(ids),
            ReviewAssignment.conflict != ConflictDeclaration.CONFLICT,
        )
        .group_by(
            ReviewAssignment.id, ReviewAssignment.application_id, ReviewAssignment.reviewer_id
        )
        .order_by(ReviewAssignment.id)
    ).all()
    reviewers = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({reviewer for _, reviewer, _ in assignments}))
        )
    }
    scores: dict[int, list[tuple[User, float | None]]] = {}
    for application_id, reviewer_id, score in assignments:
        scores.setdefault(application_id, []).append((reviewers[reviewer_id], score))
    result.rows = [
        RankingRow(
            rank=first + i,
            application=applications[application_id],
            scores=scores.get(application_id, []),
            average=average,
            spread=spread,
            requested=int(amount or 0),
        )
        for i, (application_id, _status, average, spread, amount) in enumerate(shown, start=1)
    ]
    return result


# Decisions -------------------------------------------------------------------------------------


def scale(amounts: list[int], total: int) -> list[int]:
    """Amounts scaled to add up to `total`, in proportion, by largest remainders (in tiyn)."""
    whole = sum(amounts)
    if whole == 0:
        return [0 for _ in amounts]
    shares = [a * total // whole for a in amounts]
    rest = total - sum(shares)
    order = sorted(range(len(amounts)), key=lambda i: -((amounts[i] * total) % whole))
    for i in order[:rest]:
        shares[i] += 1
    return shares


def suggested_agreement_number(application: Application, year: int) -> str:
    return f"GA-{year}-{application.id:04d}"


def approve(
    session: Session,
    actor: User,
    application: Application,
    *,
    awarded_amount: int,
    agreement_number: str,
    code: str,
    tranche_amounts: dict[int, int] | None = None,
    comment: str = "",
) -> Project:
    """Approve and create the project in the same transaction, through the plan services so
    that its history records everything. A lower award scales the tranches and the budget in
    proportion unless the officer gives the tranches' amounts."""
    if not permissions.can_process_applications(actor):
        raise NotAllowed(_l("Only fund staff can do this."))
    transition(session, actor, application, S.APPROVED, comment)  # refuses an illegal step first
    requested = application.requested_amount
    if awarded_amount is None or awarded_amount <= 0:
        raise DomainError(_l("The awarded amount must be more than zero."), field="awarded_amount")
    if awarded_amount > requested:
        raise DomainError(
            _l("The award cannot be more than the amount requested."), field="awarded_amount"
        )
    agreement_number = agreement_number.strip()
    if not agreement_number:
        raise DomainError(_l("Enter the agreement number."), field="agreement_number")
    if session.scalar(select(Project.id).where(Project.agreement_number == agreement_number)):
        raise Conflict(
            _l("Another project already has this agreement number."), field="agreement_number"
        )
    if not any(a.submitted_at for a in application.assignments):
        raise DomainError(_l("An application is approved only after at least one review."))

    milestones = list(application.milestones)
    if tranche_amounts:
        amounts = [tranche_amounts.get(m.id, 0) or 0 for m in milestones]
        if any(a < 0 for a in amounts) or sum(amounts) != awarded_amount:
            raise DomainError(
                _l("The tranches must add up to the awarded amount."), field="tranches"
            )
    else:
        amounts = scale([m.tranche_amount for m in milestones], awarded_amount)
    budget = scale([b.amount for b in application.budget_lines], awarded_amount)

    title_field = f"title_{application.created_by.locale}"
    summary_field = f"summary_{application.created_by.locale}"
    data = plan.ProjectData(
        code=code,
        title_kk="",
        title_ru="",
        title_en="",
        organisation_id=application.organisation_id,
        area_id=application.call.area_id,
        region_ids=[r.id for r in application.regions],
        start_date=application.start_date,
        end_date=application.end_date,
        officer_id=actor.id,
        awarded_amount=awarded_amount,
    )
    setattr(data, title_field, application.title)
    setattr(data, summary_field, application.summary)
    project = plan.create_project(session, actor, data)
    project.agreement_number = agreement_number
    session.flush()  # the plan services refresh the project to lock it
    for line, amount in zip(application.budget_lines, budget, strict=True):
        plan.add_budget_line(
            session,
            actor,
            project,
            plan.BudgetLineData(
                category=line.category, amount=amount, description=line.description
            ),
        )
    for planned, amount in zip(milestones, amounts, strict=True):
        milestone = plan.add_milestone(
            session,
            actor,
            project,
            plan.MilestoneData(title=planned.title, due_date=planned.due_date),
        )
        if amount > 0:
            plan.add_tranche(
                session,
                actor,
                project,
                plan.TrancheData(
                    amount=amount, planned_date=planned.due_date, milestone_id=milestone.id
                ),
            )
    _indicators_for_project(session, actor, application, project, awarded_amount / requested)
    application.awarded_amount = awarded_amount
    application.project = project
    session.flush()
    notify_applicant(session, application, S.APPROVED, comment)
    return project


def _indicators_for_project(
    session: Session, actor: User, application: Application, project: Project, share: float
) -> None:
    """The application's planned indicators become the project's outcome indicators, counted
    quarterly with no breakdowns until the officer sets them on the project's outcomes page.
    A lower award scales the planned change (target less baseline) in the same proportion."""
    for planned in application.indicators:
        target = planned.baseline + round((planned.target - planned.baseline) * share)
        outcomes.add_indicator(
            session,
            actor,
            project,
            outcomes.IndicatorData(
                name=planned.name,
                unit=planned.unit,
                baseline=planned.baseline,
                target=target,
            ),
        )


def reject(session: Session, actor: User, application: Application, reason: str) -> None:
    if not reason.strip():
        raise DomainError(_l("Give the reason for the rejection."), field="comment")
    transition(session, actor, application, S.REJECTED, reason)
    notify_applicant(session, application, S.REJECTED, reason)


# What a list of applications shows on each row (organisation, call, requested total), loaded
# in a fixed number of queries.
LIST_LOADS = (
    joinedload(Application.organisation),
    joinedload(Application.call),
    selectinload(Application.budget_lines),
)


def decisions(session: Session) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(Application.status.in_([S.APPROVED, S.REJECTED]))
            .options(*LIST_LOADS, joinedload(Application.project))
            .order_by(Application.decided_at.desc())
        )
    )


# Telling the applicant -------------------------------------------------------------------------


def decision_texts(application: Application, to: ApplicationStatus) -> tuple[str, str]:
    """Subject and first line of the message to the applicant, in the current locale."""
    title = application.title or _("your application")
    if to == S.APPROVED:
        return (
            _("Your application has been approved: %(title)s", title=title),
            _("The fund approved your application “%(title)s”.", title=title),
        )
    if to == S.REJECTED:
        return (
            _("Decision on your application: %(title)s", title=title),
            _("The fund did not approve your application “%(title)s”.", title=title),
        )
    return (
        _("Your application was returned for changes: %(title)s", title=title),
        _("The fund returned your application “%(title)s” for changes.", title=title),
    )


def notify_applicant(
    session: Session, application: Application, to: ApplicationStatus, comment: str
) -> None:
    """In the app and by email (at once or in the daily digest, as the applicant chose), in the
    applicant's language; the email leaves through the outbox once the decision is committed."""
    recipient = application.created_by
    with force_locale(recipient.locale):
        subject, body = decision_texts(application, to)
        if to == S.APPROVED and application.awarded_amount:
            amount = format_money(application.awarded_amount, recipient.locale)
            body = f"{body}\n{_('Awarded amount: %(amount)s.', amount=amount)}"
        if comment.strip():
            body = f"{body}\n\n{comment.strip()}"
    notifications.notify(
        session,
        recipient,
        subject=subject,
        body=body,
        url=f"/applications/{application.id}",
    )
