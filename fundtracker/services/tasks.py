"""What waits for a user: the "My tasks" page and the count beside it in the navigation.

Each role has its groups: fund staff review milestone updates, verify results, approve and pay
tranches, screen and decide applications and verify organisations; a reviewer declares interests
and scores; a grantee reports on milestones due or sent back, corrects queried results and
finishes its applications. The board and anyone else have nothing waiting.

A group is one SELECT of plain columns (no objects to load lazily): `tasks_for` runs it once per
group with the group's total beside its first rows (a window COUNT), and `count_for` adds up the
same SELECTs' counts in one statement, so the badge and the page cannot disagree. What a list may
show a user comes from `permissions.scopes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Exists, Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    ConflictDeclaration,
    IndicatorResult,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    Organisation,
    OrganisationRegistration,
    Project,
    ProjectIndicator,
    ProjectStatus,
    ResultStatus,
    ReviewAssignment,
    StandardIndicator,
    Tranche,
    TrancheStatus,
    UpdateStatus,
    User,
    localized,
    utcnow,
)
from fundtracker.permissions import scopes

ROW_LIMIT = 50  # rows shown per group; the rest is counted
DUE_SOON_DAYS = 30
RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.AT_RISK)  # a grantee reports on these
# Nothing is paid on these (services.payments.NO_PAYMENTS, permissions.can_manage_payments).
NO_PAYMENTS = (ProjectStatus.SUSPENDED, ProjectStatus.CLOSED)
S = ApplicationStatus


@dataclass(frozen=True)
class TaskRow:
    """One thing to do, as the page shows it, and where it is done."""

    title: str  # the object's name (a lazy translation when it has none to show)
    context: str  # its project's or call's title, or an organisation's contact person
    endpoint: str  # the page where it is done, with `args` and `anchor`
    args: dict[str, int]
    anchor: str | None = None
    code: str = ""  # the project's code, or an organisation's BIN
    organisation: str = ""
    day: date | None = None  # the date that matters, or
    moment: datetime | None = None  # the time that matters
    amount: int | None = None  # a tranche's, in tiyn
    period: tuple[date, date] | None = None  # a result's
    own: bool = False  # a project the officer is responsible for
    overdue: bool = False


@dataclass
class TaskGroup:
    key: str  # see `group_labels`
    count: int
    rows: list[TaskRow]

    @property
    def more(self) -> int:
        """How many are counted but not shown."""
        return self.count - len(self.rows)


@dataclass
class MyTasks:
    groups: list[TaskGroup] = field(default_factory=list)  # the groups with something in them

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


def group_labels() -> dict[str, tuple[str, str]]:
    """Each group's heading and the heading of its date column."""
    return {
        "review_updates": (_l("Milestone updates to review"), _l("Submitted on")),
        "verify_results": (_l("Indicator results to verify"), _l("Reported")),
        "approve_tranches": (_l("Tranches to approve"), _l("Planned date")),
        "pay_tranches": (_l("Tranches to pay"), _l("Approved")),
        "screen_applications": (_l("Applications to screen"), _l("Submitted on")),
        "assign_reviewers": (_l("Applications waiting for reviewers"), _l("Submitted on")),
        "decide_applications": (_l("Applications to decide"), _l("Submitted on")),
        "verify_organisations": (_l("Organisations waiting for verification"), _l("Registered on")),
        "declare_interests": (_l("Conflicts of interest to declare"), _l("Assigned on")),
        "score_applications": (_l("Applications to score"), _l("Assigned on")),
        "milestones_due": (
            _l("Milestones due within %(days)d days or overdue", days=DUE_SOON_DAYS),
            _l("Due"),
        ),
        "milestones_revise": (_l("The fund asked you to revise"), _l("Due")),
        "results_queried": (_l("Results the fund queried"), _l("Queried on")),
        "applications_returned": (_l("Applications returned for changes"), _l("Closes")),
        "application_drafts": (_l("Application drafts not yet submitted"), _l("Closes")),
    }


# The groups -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ask:
    user: User
    today: date
    now: datetime
    locale: str


@dataclass(frozen=True)
class _Group:
    key: str
    query: Callable[[_Ask], Select]  # the group's rows, in the order shown
    row: Callable[[Row, _Ask], TaskRow]


_PROJECT_COLUMNS = (
    Project.code,
    Project.title_kk,
    Project.title_ru,
    Project.title_en,
    Organisation.name.label("organisation"),
)


def _own_first(ask: _Ask):
    """0 for the officer's own projects, 1 for the others (never NULL, so it sorts alike in
    SQLite and PostgreSQL)."""
    return case((Project.officer_id == ask.user.id, 0), else_=1).label("own_rank")


def _project_parts(r: Row, ask: _Ask) -> dict:
    """The project's code and title; for the fund's staff, its organisation and whether the
    project is theirs (a grantee knows its own organisation)."""
    parts = {"code": r.code, "context": localized(r, "title", ask.locale)}
    if permissions.is_staff(ask.user):
        parts.update(organisation=r.organisation, own=r.own_rank == 0)
    return parts


# Fund staff


def _review_updates(ask: _Ask) -> Select:
    submitted = (
        select(func.max(MilestoneUpdate.submitted_at))
        .where(
            MilestoneUpdate.milestone_id == Milestone.id,
            MilestoneUpdate.status == UpdateStatus.SUBMITTED,
        )
        .correlate(Milestone)
        .scalar_subquery()
        .label("moment")
    )
    rank = _own_first(ask)
    return (
        select(Milestone.id, Milestone.title, submitted, rank, *_PROJECT_COLUMNS)
        .join(Milestone.project)
        .join(Project.organisation)
        .where(
            Milestone.status == MilestoneStatus.SUBMITTED,
            Project.status != ProjectStatus.CLOSED,
            *scopes.projects(ask.user),
        )
        .order_by(rank, submitted, Milestone.id)
    )


def _review_update_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.title,
        endpoint="milestones.detail",
        args={"milestone_id": r.id},
        anchor="review",
        moment=r.moment,
        **_project_parts(r, ask),
    )


def _verify_results(ask: _Ask) -> Select:
    rank = _own_first(ask)
    return (
        select(
            IndicatorResult.id,
            IndicatorResult.period_start,
            IndicatorResult.period_end,
            IndicatorResult.reported_at,
            Project.id.label("project_id"),
            ProjectIndicator.standard_id,
            ProjectIndicator.name.label("indicator_name"),
            StandardIndicator.name_kk.label("standard_name_kk"),
            StandardIndicator.name_ru.label("standard_name_ru"),
            StandardIndicator.name_en.label("standard_name_en"),
            rank,
            *_PROJECT_COLUMNS,
        )
        .join(IndicatorResult.indicator)
        .outerjoin(ProjectIndicator.standard)
        .join(ProjectIndicator.project)
        .join(Project.organisation)
        .where(
            IndicatorResult.status == ResultStatus.REPORTED,
            IndicatorResult.locked.is_(False),
            Project.status != ProjectStatus.CLOSED,
            *scopes.projects(ask.user),
        )
        .order_by(rank, IndicatorResult.reported_at, IndicatorResult.id)
    )


def _indicator_name(r: Row, ask: _Ask) -> str:
    """As ProjectIndicator.title: the standard indicator's name, else its own."""
    if r.standard_id is not None:
        return localized(r, "standard_name", ask.locale)
    return r.indicator_name


def _verify_result_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_indicator_name(r, ask),
        endpoint="outcomes.project",
        args={"project_id": r.project_id},
        anchor=f"result-{r.id}",
        moment=r.reported_at,
        period=(r.period_start, r.period_end),
        **_project_parts(r, ask),
    )


def _tranche_columns(rank) -> tuple:
    return (
        Tranche.id,
        Tranche.amount,
        Tranche.planned_date,
        Tranche.approved_at,
        Project.id.label("project_id"),
        Milestone.title.label("milestone_title"),
        rank,
        *_PROJECT_COLUMNS,
    )


def _approve_tranches(ask: _Ask) -> Select:
    """Planned tranches not on hold (Tranche.hold_reason): with no milestone, or with an
    accepted one."""
    rank = _own_first(ask)
    return (
        select(*_tranche_columns(rank))
        .join(Tranche.project)
        .join(Project.organisation)
        .outerjoin(Tranche.milestone)
        .where(
            Tranche.status == TrancheStatus.PLANNED,
            or_(Tranche.milestone_id.is_(None), Milestone.status == MilestoneStatus.ACCEPTED),
            Project.status.not_in(NO_PAYMENTS),
            *scopes.projects(ask.user),
        )
        .order_by(rank, Tranche.planned_date, Tranche.id)
    )


def _tranche_title(r: Row) -> str:
    return r.milestone_title or _l("Tranche")


def _approve_tranche_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_tranche_title(r),
        endpoint="projects.detail",
        args={"project_id": r.project_id},
        anchor="tranches",
        day=r.planned_date,
        amount=r.amount,
        **_project_parts(r, ask),
    )


def _pay_tranches(ask: _Ask) -> Select:
    rank = _own_first(ask)
    return (
        select(*_tranche_columns(rank))
        .join(Tranche.project)
        .join(Project.organisation)
        .outerjoin(Tranche.milestone)
        .where(
            Tranche.status == TrancheStatus.APPROVED,
            Project.status.not_in(NO_PAYMENTS),
            *scopes.projects(ask.user),
        )
        .order_by(rank, Tranche.approved_at, Tranche.id)
    )


def _pay_tranche_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_tranche_title(r),
        endpoint="finance.tranche_pay",
        args={"tranche_id": r.id},
        moment=r.approved_at,
        amount=r.amount,
        **_project_parts(r, ask),
    )


_APPLICATION_COLUMNS = (
    Application.id,
    Application.title,
    Application.submitted_at,
    Call.title_kk,
    Call.title_ru,
    Call.title_en,
    Call.closes_at,
    Organisation.name.label("organisation"),
)


def _applications(ask: _Ask, *where) -> Select:
    return (
        select(*_APPLICATION_COLUMNS)
        .join(Application.call)
        .join(Application.organisation)
        .where(*where, *scopes.applications(ask.user))
    )


def _any_assignment(*where) -> Exists:
    """An assignment of the application (correlated) that matches `where`."""
    return (
        select(ReviewAssignment.id)
        .where(ReviewAssignment.application_id == Application.id, *where)
        .correlate(Application)
        .exists()
    )


_STILL_REVIEWING = or_(
    ReviewAssignment.conflict == ConflictDeclaration.PENDING,
    and_(
        ReviewAssignment.conflict == ConflictDeclaration.NONE,
        ReviewAssignment.submitted_at.is_(None),
    ),
)
_SCORED = and_(
    ReviewAssignment.conflict == ConflictDeclaration.NONE,
    ReviewAssignment.submitted_at.is_not(None),
)
_ACTIVE_REVIEWER = ReviewAssignment.conflict != ConflictDeclaration.CONFLICT


def _screen_applications(ask: _Ask) -> Select:
    return _applications(ask, Application.status == S.SUBMITTED).order_by(
        Application.submitted_at, Application.id
    )


def _assign_reviewers(ask: _Ask) -> Select:
    """Found eligible and no reviewer yet, or every reviewer declared a conflict."""
    return _applications(
        ask,
        or_(
            Application.status == S.SCREENED,
            and_(Application.status == S.UNDER_REVIEW, ~_any_assignment(_ACTIVE_REVIEWER)),
        ),
    ).order_by(Application.submitted_at, Application.id)


def _decide_applications(ask: _Ask) -> Select:
    """Under review with every reviewer's scores in (those with a conflict are off it)."""
    return _applications(
        ask,
        Application.status == S.UNDER_REVIEW,
        _any_assignment(_SCORED),
        ~_any_assignment(_STILL_REVIEWING),
    ).order_by(Application.submitted_at, Application.id)


def _application_title(title: str, number: int) -> str:
    return title or _l("Application no. %(id)d", id=number)


def _staff_application_row(anchor: str) -> Callable[[Row, _Ask], TaskRow]:
    def row(r: Row, ask: _Ask) -> TaskRow:
        return TaskRow(
            title=_application_title(r.title, r.id),
            context=localized(r, "title", ask.locale),
            organisation=r.organisation,
            endpoint="applications.detail",
            args={"application_id": r.id},
            anchor=anchor,
            moment=r.submitted_at,
        )

    return row


def _verify_organisations(ask: _Ask) -> Select:
    return (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.bin,
            Organisation.contact_name,
            OrganisationRegistration.registered_at,
        )
        .select_from(OrganisationRegistration)
        .join(OrganisationRegistration.organisation)
        .where(OrganisationRegistration.verified_at.is_(None))
        .order_by(OrganisationRegistration.registered_at, Organisation.id)
    )


def _verify_organisation_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.name,
        context=r.contact_name,
        code=r.bin,
        endpoint="applications.index",
        args={},
        anchor="unverified",
        moment=r.registered_at,
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


# Grantees


def _grantee_milestones(ask: _Ask, *where) -> Select:
    return (
        select(Milestone.id, Milestone.title, Milestone.due_date, *_PROJECT_COLUMNS)
        .join(Milestone.project)
        .join(Project.organisation)
        .where(Project.status.in_(RUNNING), *where, *scopes.projects(ask.user))
        .order_by(Milestone.due_date, Milestone.id)
    )


def _milestones_due(ask: _Ask) -> Select:
    return _grantee_milestones(
        ask,
        Milestone.status == MilestoneStatus.PLANNED,
        Milestone.due_date <= ask.today + timedelta(days=DUE_SOON_DAYS),
    )


def _milestones_revise(ask: _Ask) -> Select:
    return _grantee_milestones(ask, Milestone.status == MilestoneStatus.REVISION_REQUESTED)


def _grantee_milestone_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=r.title,
        endpoint="milestones.detail",
        args={"milestone_id": r.id},
        anchor="update",
        day=r.due_date,
        overdue=r.due_date < ask.today,
        **_project_parts(r, ask),
    )


def _results_queried(ask: _Ask) -> Select:
    return (
        select(
            IndicatorResult.id,
            IndicatorResult.period_start,
            IndicatorResult.period_end,
            IndicatorResult.reviewed_at,
            ProjectIndicator.standard_id,
            ProjectIndicator.name.label("indicator_name"),
            StandardIndicator.name_kk.label("standard_name_kk"),
            StandardIndicator.name_ru.label("standard_name_ru"),
            StandardIndicator.name_en.label("standard_name_en"),
            *_PROJECT_COLUMNS,
        )
        .join(IndicatorResult.indicator)
        .outerjoin(ProjectIndicator.standard)
        .join(ProjectIndicator.project)
        .join(Project.organisation)
        .where(
            IndicatorResult.status == ResultStatus.QUERIED,
            IndicatorResult.locked.is_(False),
            Project.status.in_(RUNNING),
            *scopes.projects(ask.user),
        )
        .order_by(IndicatorResult.reviewed_at, IndicatorResult.id)
    )


def _queried_result_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_indicator_name(r, ask),
        endpoint="outcomes.result_correct",
        args={"result_id": r.id},
        moment=r.reviewed_at,
        period=(r.period_start, r.period_end),
        **_project_parts(r, ask),
    )


def _own_applications(ask: _Ask, status: ApplicationStatus) -> Select:
    """The organisation's applications in `status` to calls still open: only these can be
    submitted (services.applications.submit)."""
    return _applications(
        ask,
        Application.status == status,
        Call.status == CallStatus.PUBLISHED,
        Call.closes_at > ask.now,
    ).order_by(Call.closes_at, Application.id)


def _applications_returned(ask: _Ask) -> Select:
    return _own_applications(ask, S.RETURNED)


def _application_drafts(ask: _Ask) -> Select:
    return _own_applications(ask, S.DRAFT)


def _own_application_row(r: Row, ask: _Ask) -> TaskRow:
    return TaskRow(
        title=_application_title(r.title, r.id),
        context=localized(r, "title", ask.locale),
        endpoint="applications.edit",
        args={"application_id": r.id},
        moment=r.closes_at,
    )


STAFF_GROUPS = (
    _Group("review_updates", _review_updates, _review_update_row),
    _Group("verify_results", _verify_results, _verify_result_row),
    _Group("approve_tranches", _approve_tranches, _approve_tranche_row),
    _Group("pay_tranches", _pay_tranches, _pay_tranche_row),
    _Group("screen_applications", _screen_applications, _staff_application_row("screen")),
    _Group("assign_reviewers", _assign_reviewers, _staff_application_row("assign")),
    _Group("decide_applications", _decide_applications, _staff_application_row("decide")),
    _Group("verify_organisations", _verify_organisations, _verify_organisation_row),
)
REVIEWER_GROUPS = (
    _Group("declare_interests", _declare_interests, _assignment_row(readable=False)),
    _Group("score_applications", _score_applications, _assignment_row(readable=True)),
)
GRANTEE_GROUPS = (
    _Group("milestones_due", _milestones_due, _grantee_milestone_row),
    _Group("milestones_revise", _milestones_revise, _grantee_milestone_row),
    _Group("results_queried", _results_queried, _queried_result_row),
    _Group("applications_returned", _applications_returned, _own_application_row),
    _Group("application_drafts", _application_drafts, _own_application_row),
)


def _groups_for(user: User) -> tuple[_Group, ...]:
    if permissions.is_staff(user):
        return STAFF_GROUPS
    if permissions.is_reviewer(user):
        return REVIEWER_GROUPS
    if permissions.is_grantee(user):
        return GRANTEE_GROUPS
    return ()


def _ask(user: User, today: date) -> _Ask:
    return _Ask(user=user, today=today, now=utcnow(), locale=user.locale)


# What the page and the navigation ask ----------------------------------------------------------


def tasks_for(session: Session, user: User, today: date) -> MyTasks:
    """The user's groups with something in them, each with its total and its first ROW_LIMIT
    rows: one query per group."""
    ask = _ask(user, today)
    tasks = MyTasks()
    for group in _groups_for(user):
        rows = session.execute(
            group.query(ask).add_columns(func.count().over().label("total")).limit(ROW_LIMIT)
        ).all()
        if rows:
            tasks.groups.append(
                TaskGroup(group.key, rows[0].total, [group.row(r, ask) for r in rows])
            )
    return tasks


def count_for(session: Session, user: User, today: date) -> int:
    """How many things wait for the user, in all: the groups' COUNTs added up in one query."""
    groups = _groups_for(user)
    if not groups:
        return 0
    ask = _ask(user, today)
    counts = [
        select(func.count())
        .select_from(group.query(ask).order_by(None).subquery())
        .scalar_subquery()
        for group in groups
    ]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return int(session.scalar(select(total)) or 0)
