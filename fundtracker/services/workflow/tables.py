"""The transition tables, one per thing that has a status: who may take each step, what the
button says, the event it emits. Keep an action's name once used: pages and tests name it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from fundtracker import permissions
from fundtracker.core.i18n import format_d
from fundtracker.core.time import local_day
from fundtracker.disclosure import grid
from fundtracker.models import (
    Application,
    ApplicationStatus,
    BoardMeeting,
    Call,
    CallStatus,
    ConflictDeclaration,
    DeliveryStatus,
    FollowUp,
    FollowUpStatus,
    IndicatorResult,
    InKindDelivery,
    MeetingStatus,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    OrganisationRegistration,
    PaymentRequest,
    Project,
    ProjectStatus,
    Publication,
    RequestStatus,
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
    delivery_status_labels,
    follow_up_status_labels,
    meeting_status_labels,
    milestone_status_labels,
    registration_labels,
    request_status_labels,
    result_status_labels,
    review_labels,
    status_labels,
    tranche_status_labels,
    update_status_labels,
)
from fundtracker.services import board
from fundtracker.services.workflow.engine import Rule, Transition, Workflow, _t

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
    if reason:
        return HOLD_MESSAGES[reason]
    session = object_session(tranche)
    return board.tranche_refusal(session, tranche) if session is not None else None


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


def published_period(session: Session, day: date) -> Publication | None:
    """The publication of the smallest published period that holds `day`, or None: a result
    whose period ends that day is in the published figures (and locked)."""
    with session.no_autoflush:
        return session.scalar(
            select(Publication)
            .where(Publication.period_start <= day, Publication.period_end >= day)
            .order_by(Publication.period_start.desc(), Publication.period_end)
            .limit(1)
        )


def published_refusal(publication: Publication):
    """Why a result of a published period cannot be created or changed any more."""
    return _l(
        "The outcome figures of %(period)s were published on %(day)s: its results can no longer "
        "be added or changed. If one is wrong, contact the fund.",
        period=grid.parse(publication.period).label(),
        day=format_d(local_day(publication.published_at)),
    )


def _unlocked(result: IndicatorResult, day: date):
    """A result of a published period, or of a locked one, changes no more."""
    session = object_session(result)
    publication = published_period(session, result.period_end) if session is not None else None
    if publication is not None:
        return published_refusal(publication)
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


def _enter_project(project: Project, target, actor) -> None:
    """Enter the status; closing schedules the project's follow-ups, leaving "closed" cancels
    those not answered yet (services/follow_ups.py), whoever or whatever moves it."""
    from fundtracker.services import follow_ups  # it moves follow-ups through this module

    before = project.status
    project.status = target
    follow_ups.project_moved(object_session(project), project, before, target, actor)


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
    enter=_enter_project,
    project=lambda project: project,
)


# In-kind deliveries (issue #21) ----------------------------------------------------------------

D = DeliveryStatus
_delivery_staff = lambda u, d: permissions.can_manage_inkind_for(u, d.project)  # noqa: E731
INKIND = Workflow(
    "in-kind delivery",
    _l("An in-kind delivery that is “%(old)s” cannot become “%(new)s”."),
    delivery_status_labels,
    (
        _t(
            "deliver",
            D.PLANNED,
            D.DELIVERED,
            _delivery_staff,
            _l("Record the delivery"),
            "inkind_delivered",
        ),
        _t("cancel", D.PLANNED, D.CANCELLED, _delivery_staff, _l("Cancel"), "inkind_cancelled"),
        _t(
            "confirm",
            D.DELIVERED,
            D.CONFIRMED,
            lambda u, d: permissions.can_confirm_delivery(u, d),
            _l("Confirm receipt"),
            "inkind_confirmed",
        ),
        _t(
            "dispute",
            D.DELIVERED,
            D.DISPUTED,
            lambda u, d: permissions.can_confirm_delivery(u, d),
            _l("Report a discrepancy"),
            "inkind_disputed",
        ),
        _t("resolve", D.DISPUTED, D.CONFIRMED, _delivery_staff, _l("Settle"), "inkind_resolved"),
    ),
    project=lambda delivery: delivery.project,
)


# Payment requests (issue #21) ------------------------------------------------------------------

PR = RequestStatus
_requester = lambda u, r: permissions.can_request_payment(u, r.tranche)  # noqa: E731
_payer = lambda u, r: permissions.can_manage_payments(u, r.tranche.project)  # noqa: E731
PAYMENT_REQUEST = Workflow(
    "payment request",
    _l("A payment request that is “%(old)s” cannot become “%(new)s”."),
    request_status_labels,
    (
        _t(
            "resubmit", PR.RETURNED, PR.SUBMITTED, _requester, _l("Send again"), "payment_requested"
        ),
        _t(
            "return",
            PR.SUBMITTED,
            PR.RETURNED,
            _payer,
            _l("Return for changes"),
            "payment_request_returned",
        ),
        _t("approve", PR.SUBMITTED, PR.APPROVED, _payer, _l("Approve"), "payment_request_approved"),
        _t(
            "withdraw",
            (PR.SUBMITTED, PR.RETURNED),
            PR.WITHDRAWN,
            _requester,
            _l("Withdraw"),
            "payment_request_withdrawn",
        ),
        # With the tranche's payment, whose event tells the grantee (services/payments.py).
        _t("mark_paid", PR.APPROVED, PR.PAID, _payer, _l("Paid")),
    ),
    project=lambda request: request.tranche.project,
)


# Board meetings (issue #21) -----------------------------------------------------------------------

BOARD_MEETING = Workflow(
    "board meeting",
    _l("A board meeting that is “%(old)s” cannot become “%(new)s”."),
    meeting_status_labels,
    (
        _t(
            "hold",
            MeetingStatus.PLANNED,
            MeetingStatus.HELD,
            lambda u, m: permissions.can_keep_board_register(u),
            _l("Record that it was held"),
        ),
    ),
)


# Follow-ups after closure (issue #21) ---------------------------------------------------------

# A follow-up opens to its grantee this long before its due date.
FOLLOW_UP_OPENS = timedelta(days=30)


def _follow_up_opens(follow_up: FollowUp, day: date):
    opens = follow_up.due_date - FOLLOW_UP_OPENS
    if day < opens:
        return _l("This follow-up opens on %(day)s.", day=format_d(opens))
    return None


def _enter_follow_up(follow_up: FollowUp, target, actor) -> None:
    now = utcnow()
    follow_up.status = target
    if target == FollowUpStatus.SUBMITTED:
        follow_up.submitted_at = now
        follow_up.submitted_by_id = actor.id if actor is not None else None
    if target in (FollowUpStatus.ACCEPTED, FollowUpStatus.RETURNED):
        follow_up.reviewed_at = now
        follow_up.reviewed_by_id = actor.id if actor is not None else None


F = FollowUpStatus
FOLLOW_UP = Workflow(
    "follow-up",
    _l("A follow-up that is “%(old)s” cannot become “%(new)s”."),
    follow_up_status_labels,
    (
        _t(
            "submit",
            (F.SCHEDULED, F.RETURNED),
            F.SUBMITTED,
            lambda u, f: permissions.can_answer_follow_up(u, f),
            _l("Submit to the fund"),
            "follow_up_submitted",
            _follow_up_opens,
        ),
        _t(
            "accept",
            F.SUBMITTED,
            F.ACCEPTED,
            lambda u, f: permissions.can_review_follow_up(u, f),
            _l("Accept"),
            "follow_up_accepted",
        ),
        _t(
            "return",
            F.SUBMITTED,
            F.RETURNED,
            lambda u, f: permissions.can_review_follow_up(u, f),
            _l("Return for changes"),
            "follow_up_returned",
        ),
        # Moves with its project leaving "closed": the project's own event tells its people.
        _t("cancel", (F.SCHEDULED, F.RETURNED), F.CANCELLED, _staff, _l("Cancel")),
    ),
    enter=_enter_follow_up,
    project=lambda follow_up: follow_up.project,
)


WORKFLOWS: dict[type, Workflow] = {
    BoardMeeting: BOARD_MEETING,
    InKindDelivery: INKIND,
    PaymentRequest: PAYMENT_REQUEST,
    Call: CALL,
    OrganisationRegistration: REGISTRATION,
    Application: APPLICATION,
    ReviewAssignment: ASSIGNMENT,
    Milestone: MILESTONE,
    MilestoneUpdate: UPDATE,
    Tranche: TRANCHE,
    IndicatorResult: RESULT,
    Project: PROJECT,
    FollowUp: FOLLOW_UP,
}
