"""Every status change of the fund's work, in one table per thing that has a status.

A transition names its action, the states it starts from, the state it leads to, the permission
rule of whoever may take it, its label, and the event it emits. Services change a status only
through `move` (or `move_to`); views and templates ask `allowed`/`actions` which actions a user
has instead of comparing status strings; a refused transition raises `TransitionRefused`, a
DomainError shown as a message, the same everywhere.

An event is emitted once per transition: written to the project's timeline when the thing belongs
to a project, and handed to `notifier`, which decides who is told. A transition that moves
together with another one (a milestone update with its milestone) emits nothing of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from fundtracker import permissions
from fundtracker.core.time import today as fund_today
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
    OrganisationRegistration,
    Project,
    ProjectStatus,
    ResultStatus,
    ReviewAssignment,
    Tranche,
    TrancheStatus,
    UpdateStatus,
    User,
    utcnow,
)
from fundtracker.models.labels import (
    application_status_labels,
    call_status_labels,
    milestone_status_labels,
    registration_labels,
    result_status_labels,
    review_labels,
    status_labels,
    tranche_status_labels,
    update_status_labels,
)
from fundtracker.services import events, notifier
from fundtracker.services.errors import DomainError, NotAllowed

Rule = Callable[[User, Any], bool]


class TransitionRefused(DomainError):
    """The thing is not in a state this action starts from, or a guard holds it back."""


@dataclass(frozen=True)
class Transition:
    action: str
    source: frozenset  # states it starts from; None stands for "not created yet"
    target: Any
    rule: Rule
    label: Any  # lazy string: what the button says
    event: str | None = None
    # What a user whose rule fails is told.
    forbidden: Any = None
    # Why the transition cannot be taken on a day, or None: checked after the state and the rule.
    guard: Callable[[Any, date], Any] | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    refusal: Any  # lazy string with %(old)s and %(new)s
    labels: Callable[[], dict]
    transitions: tuple[Transition, ...]
    # How the state is read and entered; most things have a `status` column.
    state: Callable[[Any], Any] = lambda obj: obj.status
    enter: Callable[[Any, Any, User | None], None] = field(
        default=lambda obj, target, actor: setattr(obj, "status", target)
    )
    project: Callable[[Any], Project | None] = lambda obj: None

    def transition(self, action: str) -> Transition:
        for transition in self.transitions:
            if transition.action == action:
                return transition
        raise KeyError(f"{self.name} has no action {action!r}")


def _t(action, source, target, rule, label, event=None, guard=None, forbidden=None) -> Transition:
    sources = source if isinstance(source, tuple | list | set | frozenset) else (source,)
    return Transition(
        action, frozenset(sources), target, rule, label, event, forbidden=forbidden, guard=guard
    )


# Rules that take the object's project, applied to the object ----------------------------------


def _on_project(rule: Callable[[User, Project], bool], project_of: Callable) -> Rule:
    return lambda user, obj: rule(user, project_of(obj))


def _staff(user, obj) -> bool:
    return permissions.is_staff(user)


def _applicant(user, application) -> bool:
    return permissions.is_grantee(user) and user.organisation_id == application.organisation_id


# Calls ------------------------------------------------------------------------------------------


def _manages_calls(user, call) -> bool:
    return permissions.can_manage_calls(user)


C = CallStatus
CALL = Workflow(
    "call",
    _l("A call that is “%(old)s” cannot become “%(new)s”."),
    call_status_labels,
    (
        _t("publish", C.DRAFT, C.PUBLISHED, _manages_calls, _l("Publish"), "call_published"),
        _t("close", C.PUBLISHED, C.CLOSED, _manages_calls, _l("Close"), "call_closed"),
        _t("reopen", C.CLOSED, C.PUBLISHED, _manages_calls, _l("Publish again"), "call_published"),
        _t("archive", C.CLOSED, C.ARCHIVED, _manages_calls, _l("Archive"), "call_archived"),
    ),
)


# Organisation registration ------------------------------------------------------------------------


def _registration_state(registration: OrganisationRegistration) -> str:
    return "verified" if registration.verified_at is not None else "pending"


def _enter_registration(registration, target, actor) -> None:
    registration.verified_at = utcnow()
    registration.verified_by_id = actor.id if actor is not None else None


REGISTRATION = Workflow(
    "organisation registration",
    _l("This organisation is already verified."),
    registration_labels,
    (
        _t(
            "verify",
            "pending",
            "verified",
            lambda u, r: permissions.can_verify_organisations(u),
            _l("Verify"),
            "organisation_verified",
        ),
    ),
    state=_registration_state,
    enter=_enter_registration,
)


# Applications ---------------------------------------------------------------------------------


def _enter_application(application: Application, target, actor) -> None:
    now = utcnow()
    application.status = target
    if target == ApplicationStatus.SUBMITTED:
        application.submitted_at = now
    if target in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        application.decided_at = now


A = ApplicationStatus
DECIDING = (A.SUBMITTED, A.SCREENED, A.UNDER_REVIEW)
ONLY_APPLICANT = _l("Only the applicant organisation can do this.")
ONLY_STAFF = _l("Only fund staff can do this.")


def _by_applicant(action, source, target, label, event) -> Transition:
    return _t(action, source, target, _applicant, label, event, forbidden=ONLY_APPLICANT)


def _by_staff(action, source, target, label, event) -> Transition:
    return _t(action, source, target, _staff, label, event, forbidden=ONLY_STAFF)


def _application_state(application: Application):
    """None until the application's first step (its creation) is recorded."""
    if application.id is None and not application.transitions:
        return None
    return application.status


APPLICATION = Workflow(
    "application",
    _l("An application that is “%(old)s” cannot become “%(new)s”."),
    application_status_labels,
    (
        _by_applicant("create", None, A.DRAFT, _l("Start an application"), "application_created"),
        _by_applicant(
            "submit", (A.DRAFT, A.RETURNED), A.SUBMITTED, _l("Submit"), "application_submitted"
        ),
        _by_staff("screen", A.SUBMITTED, A.SCREENED, _l("Eligible"), "application_screened"),
        _by_staff(
            "start_review", A.SCREENED, A.UNDER_REVIEW, _l("Send to review"), "review_started"
        ),
        _by_staff("return", DECIDING, A.RETURNED, _l("Return for changes"), "application_returned"),
        _by_staff("reject", DECIDING, A.REJECTED, _l("Reject"), "application_rejected"),
        _by_staff("approve", A.UNDER_REVIEW, A.APPROVED, _l("Approve"), "application_approved"),
    ),
    state=_application_state,
    enter=_enter_application,
)


# Review assignments ---------------------------------------------------------------------------


def _assignment_state(assignment: ReviewAssignment) -> str | None:
    if assignment.conflict is None:
        return None
    if assignment.submitted_at is not None:
        return "scored"
    return assignment.conflict.value


def _enter_assignment(assignment: ReviewAssignment, target, actor) -> None:
    now = utcnow()
    if target == "scored":
        assignment.submitted_at = now
        return
    assignment.conflict = ConflictDeclaration(target)
    if target != "pending":
        assignment.declared_at = now


def _own_review(user, assignment) -> bool:
    return permissions.can_view_assignment(user, assignment)


ASSIGNMENT = Workflow(
    "review",
    _l("This review cannot go from “%(old)s” to “%(new)s”."),
    review_labels,
    (
        _t(
            "assign",
            None,
            "pending",
            lambda u, a: permissions.can_process_applications(u),
            _l("Assign"),
            "reviewer_assigned",
        ),
        _t(
            "declare_none",
            "pending",
            "none",
            _own_review,
            _l("I have no conflict of interest"),
            "interests_declared",
        ),
        _t(
            "declare_conflict",
            "pending",
            "conflict",
            _own_review,
            _l("I have a conflict of interest"),
            "conflict_declared",
        ),
        _t(
            "submit_scores",
            "none",
            "scored",
            lambda u, a: permissions.can_read_as_reviewer(u, a),
            _l("Submit the scores"),
            "review_submitted",
        ),
    ),
    state=_assignment_state,
    enter=_enter_assignment,
)


# Milestones and their updates -------------------------------------------------------------------

M = MilestoneStatus
MILESTONE = Workflow(
    "milestone",
    _l("A milestone that is “%(old)s” cannot become “%(new)s”."),
    milestone_status_labels,
    (
        _t(
            "submit",
            (M.PLANNED, M.REVISION_REQUESTED),
            M.SUBMITTED,
            _on_project(permissions.can_report_on, lambda m: m.project),
            _l("Submit to the fund"),
            "update_submitted",
        ),
        _t(
            "accept",
            M.SUBMITTED,
            M.ACCEPTED,
            _on_project(permissions.can_review_updates, lambda m: m.project),
            _l("Accept"),
            "milestone_accepted",
        ),
        _t(
            "request_revision",
            M.SUBMITTED,
            M.REVISION_REQUESTED,
            _on_project(permissions.can_review_updates, lambda m: m.project),
            _l("Request a revision"),
            "revision_requested",
        ),
    ),
    project=lambda milestone: milestone.project,
)

U = UpdateStatus
_update_project = lambda update: update.milestone.project  # noqa: E731
UPDATE = Workflow(
    "milestone update",
    _l("An update that is “%(old)s” cannot become “%(new)s”."),
    update_status_labels,
    (
        # These move with their milestone, whose transition emits the event.
        _t(
            "submit",
            U.DRAFT,
            U.SUBMITTED,
            _on_project(permissions.can_report_on, _update_project),
            _l("Submit to the fund"),
        ),
        _t(
            "accept",
            U.SUBMITTED,
            U.ACCEPTED,
            _on_project(permissions.can_review_updates, _update_project),
            _l("Accept"),
        ),
        _t(
            "request_revision",
            U.SUBMITTED,
            U.REVISION_REQUESTED,
            _on_project(permissions.can_review_updates, _update_project),
            _l("Request a revision"),
        ),
    ),
    project=_update_project,
)


# Tranches ---------------------------------------------------------------------------------------

HOLD_MESSAGES = {
    "milestone_overdue": _l("On hold: the milestone it rests on is overdue."),
    "milestone_not_accepted": _l("Waiting for the milestone it rests on to be accepted."),
}


def _hold(tranche: Tranche, day: date):
    reason = tranche.hold_reason(day)
    return HOLD_MESSAGES[reason] if reason else None


T = TrancheStatus
TRANCHE = Workflow(
    "tranche",
    _l("A tranche that is “%(old)s” cannot become “%(new)s”."),
    tranche_status_labels,
    (
        _t(
            "approve",
            T.PLANNED,
            T.APPROVED,
            _on_project(permissions.can_manage_payments, lambda t: t.project),
            _l("Approve for payment"),
            "tranche_approved",
            _hold,
        ),
        _t(
            "pay",
            T.APPROVED,
            T.PAID,
            _on_project(permissions.can_manage_payments, lambda t: t.project),
            _l("Record payment"),
            "tranche_paid",
        ),
    ),
    project=lambda tranche: tranche.project,
)


# Indicator results ----------------------------------------------------------------------------


def _unlocked(result: IndicatorResult, day: date):
    return _l("This period is locked: its results can no longer change.") if result.locked else None


_result_project = lambda result: result.indicator.project  # noqa: E731
R = ResultStatus
RESULT = Workflow(
    "result",
    _l("A result that is “%(old)s” cannot become “%(new)s”."),
    result_status_labels,
    (
        _t(
            "report",
            R.DRAFT,
            R.REPORTED,
            lambda u, r: (
                permissions.can_report_on(u, _result_project(r)) or permissions.is_staff(u)
            ),
            _l("Report"),
            None,
            _unlocked,
        ),
        _t(
            "verify",
            (R.REPORTED, R.QUERIED),
            R.VERIFIED,
            _on_project(permissions.can_verify_results, _result_project),
            _l("Verify"),
            "result_verified",
            _unlocked,
        ),
        _t(
            "query",
            R.REPORTED,
            R.QUERIED,
            _on_project(permissions.can_verify_results, _result_project),
            _l("Query"),
            "result_queried",
            _unlocked,
        ),
        _t(
            "correct",
            R.QUERIED,
            R.REPORTED,
            lambda u, r: permissions.can_correct_result(u, r),
            _l("Correct"),
            "result_corrected",
            _unlocked,
        ),
    ),
    project=_result_project,
)


# Project status ---------------------------------------------------------------------------------

P = ProjectStatus


def _edits(user, project) -> bool:
    return permissions.can_edit_project(user, project)


PROJECT = Workflow(
    "project",
    _l("A project that is “%(old)s” cannot become “%(new)s”."),
    status_labels,
    (
        _t(
            "mark_at_risk",
            (P.ACTIVE, P.SUSPENDED),
            P.AT_RISK,
            _edits,
            _l("Mark at risk"),
            "status_changed",
        ),
        _t(
            "reactivate",
            (P.AT_RISK, P.SUSPENDED, P.COMPLETED),
            P.ACTIVE,
            _edits,
            _l("Make active"),
            "status_changed",
        ),
        _t("suspend", (P.ACTIVE, P.AT_RISK), P.SUSPENDED, _edits, _l("Suspend"), "status_changed"),
        _t(
            "complete", (P.ACTIVE, P.AT_RISK), P.COMPLETED, _edits, _l("Complete"), "status_changed"
        ),
        _t("close", P.COMPLETED, P.CLOSED, _edits, _l("Close"), "status_changed"),
    ),
    project=lambda project: project,
)


WORKFLOWS: dict[type, Workflow] = {
    Call: CALL,
    OrganisationRegistration: REGISTRATION,
    Application: APPLICATION,
    ReviewAssignment: ASSIGNMENT,
    Milestone: MILESTONE,
    MilestoneUpdate: UPDATE,
    Tranche: TRANCHE,
    IndicatorResult: RESULT,
    Project: PROJECT,
}


def workflow_of(obj) -> Workflow:
    return WORKFLOWS[type(obj)]


def _label(workflow: Workflow, state) -> Any:
    return workflow.labels().get(state, "—") if state is not None else "—"


def allowed(user, obj, day: date | None = None) -> list[Transition]:
    """The transitions `user` may take on `obj` on `day` (today): its state, the rule and the
    guard agree."""
    workflow = workflow_of(obj)
    state = workflow.state(obj)
    day = day or fund_today()
    return [
        t
        for t in workflow.transitions
        if state in t.source
        and t.rule(user, obj)
        and (t.guard is None or t.guard(obj, day) is None)
    ]


def targets(obj) -> frozenset:
    """The states `obj` may go to from where it is, whoever asks."""
    workflow = workflow_of(obj)
    state = workflow.state(obj)
    return frozenset(t.target for t in workflow.transitions if state in t.source)


def actions(user, obj, day: date | None = None) -> frozenset[str]:
    """The names of the actions `user` has on `obj`: what a page shows buttons for."""
    return frozenset(t.action for t in allowed(user, obj, day))


def _check(workflow: Workflow, transition: Transition, actor, obj, state, day: date) -> None:
    if state not in transition.source:
        raise TransitionRefused(
            workflow.refusal
            % {"old": _label(workflow, state), "new": _label(workflow, transition.target)}
        )
    if actor is not None and not transition.rule(actor, obj):
        raise NotAllowed(transition.forbidden or _l("You may not do this."))
    reason = transition.guard(obj, day) if transition.guard else None
    if reason:
        raise TransitionRefused(reason)


def check_to(actor: User | None, obj, target, today: date | None = None) -> Transition:
    """Refuse now, as `move_to` would, a step to `target` that is not allowed; move nothing."""
    workflow = workflow_of(obj)
    state = workflow.state(obj)
    for transition in workflow.transitions:
        if transition.target == target and state in transition.source:
            _check(workflow, transition, actor, obj, state, today or fund_today())
            return transition
    raise TransitionRefused(
        workflow.refusal % {"old": _label(workflow, state), "new": _label(workflow, target)}
    )


def move(
    session,
    actor: User | None,
    obj,
    action: str,
    comment: str = "",
    today: date | None = None,
    **data,
) -> Transition:
    """Take `action` on `obj` for `actor` (None: the system, whose rule is not checked) on the
    day `today` (the fund's today by default) and emit its event; `comment` and `data` go to the
    timeline and the notification."""
    workflow = workflow_of(obj)
    transition = workflow.transition(action)
    _check(workflow, transition, actor, obj, workflow.state(obj), today or fund_today())
    workflow.enter(obj, transition.target, actor)
    if transition.event:
        emit(session, actor, obj, transition.event, comment, **data)
    return transition


def move_to(
    session, actor: User | None, obj, target, comment: str = "", today: date | None = None, **data
) -> Transition:
    """The one transition from `obj`'s state to `target`, taken as `move` takes it."""
    workflow = workflow_of(obj)
    state = workflow.state(obj)
    for transition in workflow.transitions:
        if transition.target == target and state in transition.source:
            return move(session, actor, obj, transition.action, comment, today, **data)
    raise TransitionRefused(
        workflow.refusal % {"old": _label(workflow, state), "new": _label(workflow, target)}
    )


# Events -----------------------------------------------------------------------------------------

# Called with every event emitted (tests count them; nothing else should need it).
listeners: list[Callable[..., None]] = []


def emit(session, actor: User | None, obj, kind: str, comment: str = "", **data) -> None:
    """One event: a row on the project's timeline when `obj` belongs to a project, and the
    notifications its audience gets."""
    if inspect(obj).transient or inspect(obj).pending:
        session.flush()  # a new thing gets its id, for the timeline and the links
    project = workflow_of(obj).project(obj)
    if project is not None:
        events.record(session, project, actor, kind, comment=comment, **data)
    if kind in notifier.AUDIENCES:
        notifier.announce(session, actor, kind, obj, comment)
    for listener in listeners:
        listener(kind, obj)
