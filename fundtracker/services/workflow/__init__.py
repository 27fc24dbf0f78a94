"""Every status change of the fund's work, in one table per thing that has a status.

A transition names its action, the states it starts from, the state it leads to, the permission
rule of whoever may take it, its label, and the event it emits. Services change a status only
through `move` (or `move_to`); views and templates ask `allowed`/`actions` which actions a user
has instead of comparing status strings; a refused transition raises `TransitionRefused`, a
DomainError shown as a message, the same everywhere.

An event is emitted once per transition: written to the project's timeline when the thing belongs
to a project, and handed to `notifier`, which decides who is told. A transition that moves
together with another one (a milestone update with its milestone) emits nothing of its own.

The tables are in `tables.py`, the shape of a transition in `engine.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from fundtracker.core.time import today as fund_today
from fundtracker.models import User
from fundtracker.services import events, notifier
from fundtracker.services.errors import NotAllowed
from fundtracker.services.workflow.engine import Transition, TransitionRefused, Workflow
from fundtracker.services.workflow.tables import (
    APPLICATION,
    ASSIGNMENT,
    CALL,
    FOLLOW_UP,
    FOLLOW_UP_OPENS,
    HOLD_MESSAGES,
    MILESTONE,
    PROJECT,
    REGISTRATION,
    RESULT,
    TRANCHE,
    UPDATE,
    WORKFLOWS,
)

__all__ = [
    "APPLICATION",
    "ASSIGNMENT",
    "CALL",
    "FOLLOW_UP",
    "FOLLOW_UP_OPENS",
    "HOLD_MESSAGES",
    "MILESTONE",
    "PROJECT",
    "REGISTRATION",
    "RESULT",
    "TRANCHE",
    "UPDATE",
    "WORKFLOWS",
    "Transition",
    "TransitionRefused",
    "Workflow",
    "actions",
    "allowed",
    "check_to",
    "emit",
    "listeners",
    "move",
    "move_to",
    "targets",
    "workflow_of",
]


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
    *,
    with_another: bool = False,
    **data,
) -> Transition:
    """Take `action` on `obj` for `actor` (None: the system, whose rule is not checked) on the
    day `today` (the fund's today by default) and emit its event; `comment` and `data` go to the
    timeline and the notification. `with_another`: the step is part of another transition that
    emits the event people are told of (a result answered in a resubmitted update), so it emits
    none of its own."""
    workflow = workflow_of(obj)
    transition = workflow.transition(action)
    _check(workflow, transition, actor, obj, workflow.state(obj), today or fund_today())
    workflow.enter(obj, transition.target, actor)
    if transition.event and not with_another:
        emit(session, actor, obj, transition.event, comment, **data)
    return transition


def move_to(
    session,
    actor: User | None,
    obj,
    target,
    comment: str = "",
    today: date | None = None,
    *,
    with_another: bool = False,
    **data,
) -> Transition:
    """The one transition from `obj`'s state to `target`, taken as `move` takes it."""
    workflow = workflow_of(obj)
    state = workflow.state(obj)
    for transition in workflow.transitions:
        if transition.target == target and state in transition.source:
            return move(
                session,
                actor,
                obj,
                transition.action,
                comment,
                today,
                with_another=with_another,
                **data,
            )
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
