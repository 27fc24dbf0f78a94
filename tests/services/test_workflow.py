"""The transition table: every transition emits exactly one event (unless it moves with another
one) and tells exactly the people its audience names, once each, never the actor; refusals are
the same domain error everywhere; no service writes a status except through the workflow."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import Application as ApplicationModel
from fundtracker.models import (
    ApplicationStatus,
    BoardMeeting,
    ConflictDeclaration,
    FollowUp,
    IndicatorResult,
    InKindDelivery,
    InKindItem,
    Milestone,
    MilestoneUpdate,
    Notification,
    OrganisationRegistration,
    PaymentRequest,
    Project,
    ProjectStatus,
    ReviewAssignment,
    Role,
    Tranche,
    User,
    utcnow,
)
from fundtracker.models import Call as CallModel
from fundtracker.services import notifier, workflow
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
ALL = [
    (model, transition)
    for model, flow in workflow.WORKFLOWS.items()
    for transition in flow.transitions
    if None not in transition.source  # creations are covered by their services' tests
]


def _people(organisation, colleagues: int, locales) -> list[User]:
    return [
        factories.UserFactory(
            role=Role.GRANTEE, organisation=organisation, locale=locales[i % len(locales)]
        )
        for i in range(colleagues)
    ]


def _in_state(model, state, colleagues: int, with_officer: bool):
    """An object of `model` in `state`, in a project or application of an organisation with
    `colleagues` people, and the staff and reviewer who may act on it."""
    organisation = factories.OrganisationFactory()
    _people(organisation, colleagues, ["kk", "ru", "en"])
    officer = factories.UserFactory(role=Role.OFFICER) if with_officer else None
    project = factories.ProjectFactory(organisation=organisation, officer=officer)
    if model is Project:
        project.status = state
        return project
    if model is Milestone:
        return factories.MilestoneFactory(project=project, status=state, due_date=date(2099, 1, 1))
    if model is MilestoneUpdate:
        milestone = factories.MilestoneFactory(project=project, due_date=date(2099, 1, 1))
        author = factories.UserFactory(role=Role.GRANTEE, organisation=organisation)
        update = MilestoneUpdate(milestone=milestone, status=state, author_id=author.id)
        db.session.add(update)
        db.session.flush()
        return update
    if model is Tranche:
        return factories.TrancheFactory(project=project, status=state)
    if model is IndicatorResult:
        indicator = factories.ProjectIndicatorFactory(project=project)
        return factories.indicator_result(indicator, date(2025, 1, 1), 10, status=state)
    if model is CallModel:
        return factories.CallFactory(status=state)
    if model is OrganisationRegistration:
        registration = OrganisationRegistration(
            organisation=organisation, verified_at=utcnow() if state == "verified" else None
        )
        db.session.add(registration)
        db.session.flush()
        return registration
    if model is ApplicationModel:
        return factories.ApplicationFactory(organisation=organisation, status=state)
    if model is InKindDelivery:
        item = InKindItem(kind="device", name_ru="Протез", unit="шт", unit_value=100_00)
        delivery = InKindDelivery(
            project=project,
            item=item,
            unit_value=100_00,
            quantity_planned=2,
            planned_on=date(2025, 12, 1),
            facility="Центр",
            region_id=organisation.region_id,
            status=state,
            quantity_delivered=None if state == "planned" else 2,
            quantity_received=2 if state in ("confirmed", "disputed") else None,
            discrepancy="",
            resolution="",
        )
        db.session.add(delivery)
        db.session.flush()
        return delivery
    if model is PaymentRequest:
        tranche = factories.TrancheFactory(
            project=project, status="approved" if state in ("approved", "paid") else "planned"
        )
        request = PaymentRequest(
            tranche=tranche,
            status=state,
            requested_at=utcnow(),
            invoice_number="1",
            invoice_date=date(2025, 12, 1),
            iban="KZ86125KZT5004100100",
            bic="KCJBKZKX",
            kbe="18",
            note="",
            return_reason="",
        )
        db.session.add(request)
        db.session.flush()
        return request
    if model is BoardMeeting:
        meeting = BoardMeeting(
            number=f"W-{organisation.id}",
            held_on=date(2025, 12, 1),
            status=state,
            attendees="",
            location="",
        )
        db.session.add(meeting)
        db.session.flush()
        return meeting
    if model is ReviewAssignment:
        application = factories.ApplicationFactory(
            organisation=organisation, status=ApplicationStatus.UNDER_REVIEW
        )
        assignment = ReviewAssignment(
            application=application,
            reviewer=factories.UserFactory(role=Role.REVIEWER),
            conflict=ConflictDeclaration("none" if state == "scored" else state),
            submitted_at=utcnow() if state == "scored" else None,
        )
        db.session.add(assignment)
        db.session.flush()
        return assignment
    if model is FollowUp:
        project.status = ProjectStatus.CLOSED
        follow_up = FollowUp(
            project=project, months_after=6, due_date=date(2026, 1, 15), status=state
        )
        db.session.add(follow_up)
        db.session.flush()
        return follow_up
    raise AssertionError(model)


def _actor_for(transition, obj) -> User | None:
    """Someone the transition's rule lets act: staff, the obj's own grantee, its reviewer."""
    candidates = [factories.UserFactory(role=Role.ADMIN)]
    if isinstance(obj, ReviewAssignment):
        candidates.insert(0, obj.reviewer)
    project = workflow.workflow_of(obj).project(obj)
    organisation = project.organisation if project is not None else None
    organisation = organisation or getattr(obj, "organisation", None)
    if organisation is not None:
        candidates.insert(0, factories.UserFactory(role=Role.GRANTEE, organisation=organisation))
    return next((user for user in candidates if transition.rule(user, obj)), None)


def _notifications() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pair=st.sampled_from(ALL),
    data=st.data(),
    colleagues=st.integers(min_value=0, max_value=3),
    with_officer=st.booleans(),
)
def test_each_transition_emits_one_event_and_tells_its_audience(
    session, pair, data, colleagues, with_officer
):
    model, transition = pair
    state = data.draw(st.sampled_from(sorted(transition.source, key=str)))
    obj = _in_state(model, state, colleagues, with_officer)
    actor = _actor_for(transition, obj)
    if actor is None:  # e.g. a closed project's status: nobody may move it
        return
    emitted = []
    workflow.listeners.append(lambda kind, o: emitted.append((kind, o)))
    before = _notifications()
    try:
        with db.session.begin_nested():
            audience = notifier.audience(db.session, actor, transition.event, obj)
            workflow.move(db.session, actor, obj, transition.action, today=date(2026, 1, 1))
            db.session.flush()
    finally:
        workflow.listeners.pop()
    assert workflow.workflow_of(obj).state(obj) == transition.target
    if transition.event is None:
        assert emitted == []
    else:
        assert emitted == [(transition.event, obj)]
    told = _notifications() - before
    assert told == len(audience)


@pytest.mark.parametrize(("model", "transition"), ALL, ids=lambda x: getattr(x, "action", None))
def test_a_transition_from_the_wrong_state_is_refused_with_the_same_error(model, transition):
    flow = workflow.WORKFLOWS[model]
    wrong = [s for s in flow.labels() if s not in transition.source]
    if not wrong:
        pytest.skip("every state may take this action")
    obj = _in_state(model, wrong[0], 0, True)
    actor = factories.UserFactory(role=Role.ADMIN)
    with pytest.raises(DomainError) as refused:
        workflow.move(db.session, actor, obj, transition.action)
    assert isinstance(refused.value, workflow.TransitionRefused | NotAllowed)
    assert flow.state(obj) == wrong[0]


def test_allowed_answers_as_move_does(grantee, officer):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    tranche = factories.TrancheFactory(project=project)
    assert "approve" in workflow.actions(officer, tranche)
    assert workflow.actions(grantee, tranche) == frozenset()
    with pytest.raises(NotAllowed):
        workflow.move(db.session, grantee, tranche, "approve")


# Status changes only through the workflow -----------------------------------------------------

# Bookkeeping, not a workflow of the fund's work: the outbox's sending state, and an import
# batch's own state (checked, queued, done; the records it writes carry their statuses as
# imported data, with the project timelines' "imported" event).
EXEMPT = {
    "fundtracker/services/notifications.py",
    "fundtracker/services/imports/batches.py",
    "fundtracker/services/imports/bank.py",
}
WATCHED = {"status", "conflict", "verified_at"}


def test_no_service_writes_a_status_except_through_the_workflow():
    writes = []
    for path in sorted((ROOT / "fundtracker" / "services").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in EXEMPT or "/workflow/" in name:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                for element in elements:
                    if isinstance(element, ast.Attribute) and element.attr in WATCHED:
                        writes.append(f"{name}:{node.lineno}: .{element.attr} = ...")
    assert not writes, "\n".join(writes)


# Templates ask, they do not compare ------------------------------------------------------------

STATE_ATTRIBUTES = {"status", "conflict"}


def _compares_a_state(node) -> bool:
    """`x.status == "…"`, `x.status.value in (…)`, `x.kind.value != "…"`, ..."""
    from jinja2 import nodes

    if not isinstance(node, nodes.Compare):
        return False
    operands = [node.expr, *(op.expr for op in node.ops)]
    for operand in operands:
        getattr_node = operand
        if isinstance(getattr_node, nodes.Getattr) and getattr_node.attr == "value":
            getattr_node = getattr_node.node
        if isinstance(getattr_node, nodes.Getattr) and getattr_node.attr in STATE_ATTRIBUTES:
            return True
    return False


def test_no_template_compares_a_status():
    """Buttons come from `actions(obj)` (the workflow), shown states from model properties."""
    from jinja2 import Environment, nodes

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    found = []
    for path in sorted((ROOT / "fundtracker" / "templates").rglob("*.html")):
        tree = env.parse(path.read_text())
        for node in tree.find_all(nodes.Compare):
            if _compares_a_state(node):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "\n".join(found)
