"""Who is told what when something happens in a workflow.

Each kind of event has a message (a subject and a body with named placeholders) and an audience
(who needs to act on it or know it). `announce` writes one in-app notification per recipient, with
the message's key and its parameters, and an email at once or in the digest as each recipient
chose (through `notifications.notify` and the outbox). The text is rendered in the reader's
language when the notification is read, and in the recipient's language for the email.

The messages themselves, and how a stored one is rendered, are in `services/messages.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.i18n import LANGUAGES
from fundtracker.disclosure import grid
from fundtracker.models import (
    AgendaKind,
    Application,
    BoardDecision,
    FollowUp,
    IndicatorResult,
    InKindDelivery,
    Milestone,
    Notification,
    OrganisationRegistration,
    PaymentRequest,
    Project,
    Publication,
    ReviewAssignment,
    Role,
    Tranche,
    User,
)
from fundtracker.models.labels import decision_outcome_labels, status_labels
from fundtracker.services.messages import in_each_language, names, numbered, render
from fundtracker.services.notifications import app_path, notify

# Audiences ------------------------------------------------------------------------------------


def organisation_people(session: Session, organisation_id: int) -> list[User]:
    """The active accounts of a partner organisation."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role == Role.GRANTEE,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def responsible_officers(session: Session, project: Project) -> list[User]:
    """The project's officer; a project without one (or whose officer has left) tells every
    active officer, so that nothing waits unseen."""
    if project.officer is not None and permissions.is_staff(project.officer):
        return [project.officer]
    return list(
        session.scalars(
            select(User).where(User.role == Role.OFFICER, User.active.is_(True)).order_by(User.id)
        )
    )


# What each kind of event is about: (recipients with their link, parameters).
Subject = tuple[list[tuple[User, str]], dict[str, Any]]


def _milestone(session: Session, milestone: Milestone, to_officer: bool) -> Subject:
    project = milestone.project
    link = app_path("milestones.detail", milestone_id=milestone.id)
    people = (
        responsible_officers(session, project)
        if to_officer
        else organisation_people(session, project.organisation_id)
    )
    params = {
        "milestone": milestone.title,
        "project": names(project),
        "organisation": project.organisation.name,
    }
    return [(user, link) for user in people], params


def _tranche(session: Session, tranche: Tranche) -> Subject:
    project = tranche.project
    link = app_path("projects.detail", project_id=project.id)
    people = organisation_people(session, project.organisation_id)
    params = {"amount_tiyn": tranche.amount, "project": names(project)}
    return [(user, link) for user in people], params


def _result(session: Session, result: IndicatorResult, to_officer: bool) -> Subject:
    project = result.indicator.project
    link = app_path("outcomes.project", project_id=project.id)
    people = (
        responsible_officers(session, project)
        if to_officer
        else organisation_people(session, project.organisation_id)
    )
    params = {
        "indicator": {lang: result.indicator.title(lang) for lang in LANGUAGES},
        "project": names(project),
        "organisation": project.organisation.name,
    }
    return [(user, link) for user in people], params


def _assignment(session: Session, assignment: ReviewAssignment) -> Subject:
    application = assignment.application
    link = app_path("applications.review", assignment_id=assignment.id)
    # Not the title: a reviewer reads the application only after declaring no conflict.
    params = {"application": numbered(application), "call": names(application.call)}
    reviewer = assignment.reviewer
    return ([(reviewer, link)] if permissions.is_reviewer(reviewer) else []), params


def _reviewers(session: Session, application: Application) -> Subject:
    """The reviewers who scored an application, told of the decision on it."""
    recipients = [
        (a.reviewer, app_path("applications.review", assignment_id=a.id))
        for a in application.assignments
        if a.submitted_at is not None and permissions.is_reviewer(a.reviewer)
    ]
    return recipients, {"application": application.title or numbered(application)}


def _applicant(session: Session, application: Application) -> Subject:
    """The organisation's people who applied, told of a decision in their application."""
    link = app_path("applications.detail", application_id=application.id)
    people = organisation_people(session, application.organisation_id)
    params = {"title": application.title or numbered(application)}
    if application.awarded_amount:
        params["amount_tiyn"] = application.awarded_amount
    return [(user, link) for user in people], params


def _project_status(session: Session, project: Project) -> Subject:
    link = app_path("projects.detail", project_id=project.id)
    people = organisation_people(session, project.organisation_id)
    labels = status_labels()
    params = {"project": names(project), "status": in_each_language(labels[project.status])}
    return [(user, link) for user in people], params


def _payment_request(session: Session, request: PaymentRequest, to_officer: bool) -> Subject:
    project = request.tranche.project
    link = app_path("payreq.detail", request_id=request.id)
    people = (
        responsible_officers(session, project)
        if to_officer
        else organisation_people(session, project.organisation_id)
    )
    params = {
        "project": names(project),
        "amount_tiyn": request.tranche.amount,
        "invoice": request.invoice_number,
        "organisation": project.organisation.name,
    }
    return [(user, link) for user in people], params


def _delivery(session: Session, delivery: InKindDelivery, to_officer: bool) -> Subject:
    project = delivery.project
    link = app_path("inkind.delivery", delivery_id=delivery.id)
    people = (
        responsible_officers(session, project)
        if to_officer
        else organisation_people(session, project.organisation_id)
    )
    item = delivery.item
    params = {
        "project": names(project),
        "item": names(item, "name"),
        "quantity": str(delivery.quantity_delivered or delivery.quantity_planned),
        "facility": delivery.facility,
        "organisation": project.organisation.name,
    }
    return [(user, link) for user in people], params


def _board_decision(session: Session, decision: BoardDecision) -> Subject:
    """The staff who act on a decision of the board: a project's officer, or for an
    application every officer (they decide applications); the grantee whose report the board
    accepted or not."""
    item = decision.item
    project = item.project or (item.tranche.project if item.tranche is not None else None)
    link = app_path("board.meeting", meeting_id=item.meeting_id)
    if project is not None:
        people = [(u, link) for u in responsible_officers(session, project)]
        if item.kind == AgendaKind.REPORT:
            people += [
                (u, app_path("projects.detail", project_id=project.id))
                for u in organisation_people(session, project.organisation_id)
            ]
    else:
        people = [
            (u, link)
            for u in session.scalars(
                select(User)
                .where(User.role == Role.OFFICER, User.active.is_(True))
                .order_by(User.id)
            )
        ]
    params = {
        "number": decision.number,
        "meeting": item.meeting.number,
        "item": item.title,
        "outcome": in_each_language(decision_outcome_labels()[decision.outcome]),
    }
    return people, params


def _verified(session: Session, registration: OrganisationRegistration) -> Subject:
    organisation = registration.organisation
    link = app_path("applications.index")
    people = organisation_people(session, organisation.id)
    return [(user, link) for user in people], {"organisation": organisation.name}


def _publication(session: Session, publication: Publication) -> Subject:
    """Board members and officers, told that a period's outcome figures are published: the
    board is sent to the figures, officers to the publication's audit."""
    key = publication.period
    people = session.scalars(
        select(User)
        .where(User.role.in_((Role.BOARD, Role.OFFICER)), User.active.is_(True))
        .order_by(User.id)
    )
    recipients = [
        (
            user,
            app_path("outcomes.portfolio", period=key)
            if user.role == Role.BOARD
            else app_path("outcomes.publication", period=key),
        )
        for user in people
    ]
    period = grid.parse(key)
    labels = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            labels[lang] = period.label()
    # The period's name goes in as "title", the name every message's tests render with.
    return recipients, {"title": labels}


def _managers(session: Session, change: Any, with_member: bool = False) -> Subject:
    """The managers of a colleague's organisation, told that a colleague was invited, removed
    or became or stopped being a manager (services.members); `with_member`: the colleague
    concerned too (an invitee reads the invitation instead)."""
    member, by = change.member, change.by
    people = [
        user
        for user in organisation_people(session, member.organisation_id)
        if user.org_manager or (with_member and user.id == member.id)
    ]
    link = app_path("organisations.people")
    organisation = member.organisation.name if member.organisation else ""
    params = {"name": member.name, "email": member.email, "by": by.name}
    return [(user, link) for user in people], {**params, "organisation": organisation}


def _follow_up(session: Session, follow_up: FollowUp, to_officer: bool) -> Subject:
    """A follow-up after closure: the officer reviews a submission, the grantee's people hear
    of the decision."""
    project = follow_up.project
    link = app_path("follow_ups.detail", follow_up_id=follow_up.id)
    people = (
        responsible_officers(session, project)
        if to_officer
        else organisation_people(session, project.organisation_id)
    )
    params = {
        "project": names(project),
        "organisation": project.organisation.name,
        "months": str(follow_up.months_after),
    }
    return [(user, link) for user in people], params


Audience = Callable[[Session, Any], Subject]
# Event kind -> the messages it sends, each to its audience. An event kind not listed tells
# nobody (the timeline still shows it).
AUDIENCES: dict[str, tuple[tuple[str, Audience], ...]] = {
    "revision_requested": (("revision_requested", lambda s, m: _milestone(s, m, False)),),
    "milestone_accepted": (("milestone_accepted", lambda s, m: _milestone(s, m, False)),),
    "update_submitted": (("update_submitted", lambda s, m: _milestone(s, m, True)),),
    "tranche_approved": (("tranche_approved", _tranche),),
    "tranche_paid": (("tranche_paid", _tranche),),
    "result_queried": (("result_queried", lambda s, r: _result(s, r, False)),),
    "result_corrected": (("result_corrected", lambda s, r: _result(s, r, True)),),
    "reviewer_assigned": (("reviewer_assigned", _assignment),),
    "organisation_verified": (("organisation_verified", _verified),),
    "status_changed": (("project_status_changed", _project_status),),
    "application_approved": (
        ("application_approved", _applicant),
        ("reviewed_application_approved", _reviewers),
    ),
    "application_rejected": (
        ("application_rejected", _applicant),
        ("reviewed_application_rejected", _reviewers),
    ),
    "application_returned": (("application_returned", _applicant),),
    "outcomes_published": (("outcomes_published", _publication),),
    "board_decision": (("board_decision", _board_decision),),
    "payment_requested": (("payment_requested", lambda s, r: _payment_request(s, r, True)),),
    "payment_request_returned": (
        ("payment_request_returned", lambda s, r: _payment_request(s, r, False)),
    ),
    "payment_request_approved": (
        ("payment_request_approved", lambda s, r: _payment_request(s, r, False)),
    ),
    "payment_request_withdrawn": (
        ("payment_request_withdrawn", lambda s, r: _payment_request(s, r, True)),
    ),
    "inkind_delivered": (("inkind_delivered", lambda s, d: _delivery(s, d, False)),),
    "inkind_cancelled": (("inkind_cancelled", lambda s, d: _delivery(s, d, False)),),
    "inkind_confirmed": (("inkind_confirmed", lambda s, d: _delivery(s, d, True)),),
    "inkind_disputed": (("inkind_disputed", lambda s, d: _delivery(s, d, True)),),
    "inkind_resolved": (("inkind_resolved", lambda s, d: _delivery(s, d, False)),),
    "member_invited": (("member_invited", _managers),),
    "member_removed": (("member_removed", _managers),),
    "manager_granted": (("manager_granted", lambda s, c: _managers(s, c, True)),),
    "manager_given_up": (("manager_given_up", lambda s, c: _managers(s, c, True)),),
    "follow_up_submitted": (("follow_up_submitted", lambda s, f: _follow_up(s, f, True)),),
    "follow_up_accepted": (("follow_up_accepted", lambda s, f: _follow_up(s, f, False)),),
    "follow_up_returned": (("follow_up_returned", lambda s, f: _follow_up(s, f, False)),),
}


# Told only when a person acts: the daily risk check's own flags show on the timeline and the
# dashboard, not in every grantee's inbox each morning.
PEOPLE_ONLY = frozenset({"status_changed"})


def _recipients(session: Session, actor: User | None, kind: str, obj):
    """(message key, user, link, params) for everyone `kind` tells about `obj`: once each, never
    the actor, nobody inactive."""
    if actor is None and kind in PEOPLE_ONLY:
        return
    told: set[int] = set()
    for key, find in AUDIENCES.get(kind, ()):
        people, params = find(session, obj)
        for user, link in people:
            if (actor is not None and user.id == actor.id) or user.id in told or not user.active:
                continue
            told.add(user.id)
            yield key, user, link, params


def audience(session: Session, actor: User | None, kind: str, obj) -> list[User]:
    """Everyone `kind` tells about `obj`, once each, the actor left out."""
    return [user for _key, user, _link, _params in _recipients(session, actor, kind, obj)]


def announce(
    session: Session, actor: User | None, kind: str, obj, comment: str = "", *, email: bool = True
) -> list[Notification]:
    """Tell the people `kind` concerns about `obj`, each once and in their language (the actor
    is not told of their own act). The emails leave after the caller's transaction commits;
    `email=False` keeps it to the in-app list (the demo data sends no email)."""
    written = []
    for key, user, link, params in _recipients(session, actor, kind, obj):
        if comment.strip():
            params = {**params, "comment": comment.strip()}
        subject, body = render(key, params, user.locale)
        notification = notify(session, user, subject=subject, body=body, url=link, email=email)
        if notification is not None:
            notification.message_key = key
            notification.params = params
            written.append(notification)
    return written
