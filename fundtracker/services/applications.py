"""Grant applications: their workflow, drafting and submission.

An applicant organisation drafts an application to an open call (summary, beneficiaries,
regions, timeline, budget, milestones with tranches, indicators, attachments) and submits it
while the call is open. What happens next is in `reviews` (screening, reviewers, scores,
ranking) and `decisions` (approval, which creates the project, rejection, return).

Every status change of an application goes through `transition`, which knows the allowed steps
and records each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import permissions
from fundtracker.core.i18n import current_locale, format_d
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
    CallStatus,
    Organisation,
    Project,
    Region,
    User,
    utcnow,
)
from fundtracker.permissions import scopes
from fundtracker.services import application_files, audit, files, workflow
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.files import Storage
from fundtracker.services.plan import check_version
from fundtracker.services.registration import is_verified
from fundtracker.services.search import contains_folded

# The workflow ---------------------------------------------------------------------------------

S = ApplicationStatus
# The steps that are the fund's decision on an application (audited as "application.decided").
DECIDED = frozenset({S.APPROVED, S.REJECTED, S.RETURNED})


def transition(
    session: Session,
    actor: User,
    application: Application,
    to: ApplicationStatus,
    comment: str = "",
) -> ApplicationTransition:
    """The one way an application's status changes (through the workflow, which refuses steps
    it does not allow or the actor may not take), recorded with who, when, from, to and why:
    the application's timeline."""
    frm = workflow.APPLICATION.state(application)
    workflow.move_to(session, actor, application, to, comment)
    step = ApplicationTransition(
        application=application,
        actor_id=actor.id,
        from_status=frm,
        to_status=to,
        comment=comment.strip(),
        created_at=utcnow(),
    )
    session.add(step)
    session.flush()
    audit.record(
        session,
        actor,
        "application.decided" if to in DECIDED else "application.status_changed",
        target=application,
        details={"from": frm.value if frm else None, "to": to.value},
    )
    return step


# Lists ----------------------------------------------------------------------------------------

# What a list of applications shows on each row (organisation, call, requested total), loaded
# in a fixed number of queries.
LIST_LOADS = (
    joinedload(Application.organisation),
    joinedload(Application.call),
    selectinload(Application.budget_lines),
)

# A search for an application's number: "123", "#123" or "№ 123".
_NUMBER = re.compile(r"^[#№]?\s*(\d{1,9})$")


@dataclass
class ApplicationFilter:
    """What a list of applications is narrowed to; None or "" is no condition."""

    q: str = ""
    call_id: int | None = None
    status: ApplicationStatus | None = None
    organisation_id: int | None = None


def _text_matches(text: str) -> ColumnElement[bool]:
    """Title, organisation name, the application's number or the code of the project it
    became; case-insensitive, Cyrillic included. The names and codes are looked up once, in
    subqueries: no join multiplies the rows to count."""
    found = [
        contains_folded(Application.title, text),
        Application.organisation_id.in_(
            select(Organisation.id).where(contains_folded(Organisation.name, text))
        ),
        Application.project_id.in_(select(Project.id).where(contains_folded(Project.code, text))),
    ]
    number = _NUMBER.match(text)
    if number:
        found.append(Application.id == int(number.group(1)))
    return or_(*found)


def list_query(actor: User, flt: ApplicationFilter | None = None) -> Select:
    """The applications `actor` may see that match `flt`, the newest first (ids are given in
    the order applications are made, so the newest has the highest: read backwards along the
    primary key, a page stops after its rows), with what a row shows loaded: a select for
    `db.paginate`. The filters narrow the actor's scope, never widen it: a grantee naming
    another organisation or its call gets nothing."""
    flt = flt or ApplicationFilter()
    query = (
        select(Application)
        .where(*scopes.applications(actor))
        .options(*LIST_LOADS)
        .order_by(Application.id.desc())
    )
    if flt.status is not None:
        query = query.where(Application.status == flt.status)
    if flt.call_id is not None:
        query = query.where(Application.call_id == flt.call_id)
    if flt.organisation_id is not None:
        query = query.where(Application.organisation_id == flt.organisation_id)
    text = flt.q.strip()
    if text:
        query = query.where(_text_matches(text))
    return query


def listed(
    session: Session, actor: User, flt: ApplicationFilter | None = None
) -> list[Application]:
    """Every application `list_query` finds (no paging)."""
    return list(session.scalars(list_query(actor, flt)))


def filter_calls(session: Session, actor: User) -> list[Call]:
    """The calls a list of applications may be narrowed to: every call for staff, the calls
    of the actor's own applications for a grantee (a draft call stays unseen)."""
    query = select(Call).order_by(Call.closes_at.desc(), Call.id.desc())
    if not permissions.is_staff(actor):
        query = query.where(
            Call.id.in_(select(Application.call_id).where(*scopes.applications(actor)))
        )
    return list(session.scalars(query))


def in_call(session: Session, actor: User, call: Call) -> list[Application]:
    """The applications to `call` that `actor` may see."""
    return list(
        session.scalars(
            select(Application).where(Application.call_id == call.id, *scopes.applications(actor))
        )
    )


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


# Submission -----------------------------------------------------------------------------------


def _missing_budget(application: Application) -> list:
    total = application.requested_amount
    max_request = application.call.max_request
    if not application.budget_lines or total <= 0:
        return [_l("a budget with at least one line")]
    if total > max_request:
        return [
            _l(
                "a budget within the call's maximum request (the total is over it by %(over).2f ₸)",
                over=(total - max_request) / 100,
            )
        ]
    return []


def _missing_milestones(application: Application) -> list:
    if not application.milestones:
        return [_l("at least one milestone")]
    missing = []
    if application.tranches_total != application.requested_amount:
        missing.append(_l("payment tranches that add up to the requested amount"))
    start, end = application.start_date, application.end_date
    if start and end:
        missing += [
            _l("a due date within the project's dates for “%(title)s”", title=m.title)
            for m in application.milestones
            if not start <= m.due_date <= end
        ]
    return missing


def missing_items(session: Session, application: Application) -> list:
    """What a submission still lacks, in the applicant's words."""
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
    missing += _missing_budget(application)
    missing += _missing_milestones(application)
    if not application.indicators:
        missing.append(_l("at least one outcome indicator"))
    attached = {f.document for f in application.files}
    missing += [
        _l("the attachment “%(document)s”", document=document)
        for document in application.call.missing_documents(attached, current_locale())
    ]
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
        raise DomainError(
            _l(
                "This call closed on %(day)s at %(time)s (Astana time): applications are no "
                "longer accepted.",
                day=format_d(call.closes_at),
                time=format_time(call.closes_at, "short"),
            )
        )
    if now < call.opens_at:
        raise DomainError(_l("This call is not open for submissions yet."))
    missing = missing_items(session, application)
    if missing:
        raise IncompleteApplication(missing)
    transition(session, actor, application, S.SUBMITTED)


# The applicant's save: the draft, a file, and the submission when asked ------------------------


@dataclass
class Upload(files.Upload):
    document: str = ""  # which of the call's required documents it is, if any


@dataclass
class Saved:
    """What became of an applicant's save, the draft itself having been saved."""

    stored: list[str] = field(default_factory=list)  # files written: discard them on rollback
    rejected: list = field(default_factory=list)  # why uploads were refused
    submitted: bool = False
    missing: list = field(default_factory=list)  # what a refused submission lacks
    refused: str | None = None  # why the call refused the submission (e.g. it has closed)


def save_and_submit(
    session: Session,
    storage: Storage,
    actor: User,
    application: Application,
    data: ApplicationData,
    expected_version: int | None,
    *,
    upload: Upload | None = None,
    submit_at: datetime | None = None,
) -> Saved:
    """Save the draft, attach `upload`, and submit at `submit_at` when it is given and the
    upload was not refused. A refused upload or submission keeps the saved draft; only a
    refused draft (e.g. an edit that lost a race) raises."""
    save_draft(session, actor, application, data, expected_version)
    saved = Saved()
    saved.stored, saved.rejected = files.store_each(
        storage,
        [upload] if upload is not None else [],
        lambda u: application_files.attach(
            session, storage, actor, application, u.stream, u.filename, u.document
        ),
    )
    if submit_at is None or saved.rejected:
        return saved
    try:
        with session.begin_nested():  # a refused submission keeps the draft
            submit(session, actor, application, submit_at)
        saved.submitted = True
    except IncompleteApplication as error:
        saved.missing = error.missing
    except DomainError as error:
        saved.refused = error.message
    return saved
