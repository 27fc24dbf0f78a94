"""The milestone workflow at service level: drafts, submission, review, money following evidence."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundtracker.core.extensions import db
from fundtracker.models import (
    MilestoneStatus,
    ProjectEvent,
    Role,
    TrancheStatus,
    UpdateStatus,
)
from fundtracker.services import milestones, payments
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories

TODAY = date(2026, 11, 25)


@pytest.fixture
def setup(grantee, officer):
    project = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    milestone = factories.MilestoneFactory(project=project, due_date=TODAY + timedelta(days=10))
    tranche = factories.TrancheFactory(project=project, milestone=milestone)
    line = factories.BudgetLineFactory(project=project)
    return project, milestone, tranche, line


def complete(line, **overrides):
    data = dict(
        narrative="Equipment installed in Ulytau.",
        progress=60,
        beneficiaries=42,
        spending={line.id: 10_000_000_00},
    )
    data.update(overrides)
    return milestones.UpdateData(**data)


def _evidence(project, grantee, milestone):
    draft = milestones.draft_for(db.session, grantee, milestone)
    factories.stored_file(project, grantee, kind="evidence", update=draft)


def test_a_draft_is_kept_and_shared_by_the_organisation(setup, grantee):
    project, milestone, _, line = setup
    colleague = factories.UserFactory(role=Role.GRANTEE, organisation=grantee.organisation)
    draft = milestones.save_draft(db.session, grantee, milestone, complete(line, progress=None))
    again = milestones.save_draft(db.session, colleague, milestone, complete(line, narrative="x"))
    assert again.id == draft.id and again.narrative == "x"
    assert milestone.status == MilestoneStatus.PLANNED


def test_incomplete_submission_keeps_the_draft_and_lists_what_is_missing(setup, grantee):
    _, milestone, _, line = setup
    with pytest.raises(milestones.IncompleteUpdate) as error:
        milestones.submit_update(
            db.session, grantee, milestone, milestones.UpdateData(narrative="Started.")
        )
    missing = [str(m) for m in error.value.missing]
    assert "the progress in percent" in missing
    assert "at least one evidence file" in missing
    assert "spending to date on every budget line" in missing
    assert milestones.current_draft(milestone).narrative == "Started."
    assert milestone.status == MilestoneStatus.PLANNED


def test_full_cycle_revision_then_acceptance_approves_the_tranche(setup, grantee, officer):
    project, milestone, tranche, line = setup
    _evidence(project, grantee, milestone)
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    assert milestone.status == MilestoneStatus.SUBMITTED

    with pytest.raises(DomainError):  # a revision needs a comment
        milestones.review(
            db.session,
            officer,
            milestone,
            accept=False,
            comment=" ",
            approve_tranche=False,
            today=TODAY,
        )
    milestones.review(
        db.session,
        officer,
        milestone,
        accept=False,
        comment="Attach the signed acts.",
        approve_tranche=False,
        today=TODAY,
    )
    assert milestone.status == MilestoneStatus.REVISION_REQUESTED
    assert milestone.comments[-1].body == "Attach the signed acts."

    # The new draft starts from the last submission: nothing to retype.
    draft = milestones.draft_for(db.session, grantee, milestone)
    assert draft.narrative == "Equipment installed in Ulytau." and draft.progress == 60
    assert {s.budget_line_id: s.amount for s in draft.spending} == {line.id: 10_000_000_00}
    milestones.submit_update(db.session, grantee, milestone, complete(line, progress=100))

    milestones.review(
        db.session, officer, milestone, accept=True, comment="", approve_tranche=True, today=TODAY
    )
    assert milestone.status == MilestoneStatus.ACCEPTED
    assert tranche.status == TrancheStatus.APPROVED
    kinds = [
        e.kind
        for e in db.session.scalars(
            db.select(ProjectEvent)
            .where(ProjectEvent.project_id == project.id)
            .order_by(ProjectEvent.id)
        )
    ]
    assert kinds == [
        "update_submitted",
        "revision_requested",
        "update_submitted",
        "milestone_accepted",
        "tranche_approved",
    ]


def test_only_the_own_organisation_reports_and_only_staff_review(setup, officer):
    project, milestone, _, line = setup
    stranger = factories.UserFactory(grantee=True)
    with pytest.raises(NotAllowed):
        milestones.save_draft(db.session, stranger, milestone, complete(line))
    with pytest.raises(NotAllowed):
        milestones.save_draft(db.session, officer, milestone, complete(line))
    board = factories.UserFactory(role=Role.BOARD)
    with pytest.raises(NotAllowed):
        milestones.review(
            db.session,
            board,
            milestone,
            accept=True,
            comment="",
            approve_tranche=False,
            today=TODAY,
        )


def test_tranche_cannot_be_approved_before_acceptance_and_is_held_while_overdue(setup, officer):
    project, milestone, tranche, _ = setup
    assert tranche.hold_reason(TODAY) == "milestone_not_accepted"
    with pytest.raises(DomainError):
        payments.approve(db.session, officer, tranche, TODAY)
    late = TODAY + timedelta(days=11)
    assert milestone.is_overdue(late)
    assert tranche.hold_reason(late) == "milestone_overdue"


def test_payment_only_after_approval_and_not_in_the_future(setup, grantee, officer):
    project, milestone, tranche, line = setup
    with pytest.raises(DomainError):
        payments.record_payment(db.session, officer, tranche, TODAY, "PP-1", TODAY)
    _evidence(project, grantee, milestone)
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    milestones.review(
        db.session, officer, milestone, accept=True, comment="", approve_tranche=True, today=TODAY
    )
    with pytest.raises(DomainError):
        payments.record_payment(db.session, officer, tranche, TODAY + timedelta(days=1), "", TODAY)
    payments.record_payment(db.session, officer, tranche, TODAY, "PP-1", TODAY)
    assert tranche.status == TrancheStatus.PAID and tranche.payment_reference == "PP-1"


def test_overdue_is_derived_and_a_submitted_milestone_is_not_overdue(setup, grantee):
    project, milestone, _, line = setup
    after = milestone.due_date + timedelta(days=3)
    assert milestone.is_overdue(after) and milestone.days_overdue(after) == 3
    _evidence(project, grantee, milestone)
    milestones.submit_update(db.session, grantee, milestone, complete(line))
    assert not milestone.is_overdue(after)


def test_comments(setup, grantee):
    _, milestone, _, _ = setup
    with pytest.raises(DomainError):
        milestones.add_comment(db.session, grantee, milestone, "  ")
    comment = milestones.add_comment(db.session, grantee, milestone, "When is the next visit?")
    assert comment.author_id == grantee.id
    with pytest.raises(NotAllowed):
        milestones.add_comment(db.session, factories.UserFactory(role=Role.BOARD), milestone, "x")


ACTIONS = st.lists(
    st.sampled_from(["save", "submit", "accept", "revise", "approve", "pay", "comment"]),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_random_sequences_never_reach_an_illegal_state(setup, grantee, officer, actions):
    """Whatever order people click in, the milestone, its update and its tranche stay consistent:
    money is approved only for accepted work, and a refused action changes nothing."""
    project, milestone, tranche, line = setup
    nested = db.session.begin_nested()
    _evidence(project, grantee, milestone)
    for action in actions:
        before = (milestone.status, tranche.status)
        try:
            with db.session.begin_nested():
                if action == "save":
                    milestones.save_draft(db.session, grantee, milestone, complete(line))
                elif action == "submit":
                    milestones.submit_update(db.session, grantee, milestone, complete(line))
                elif action in ("accept", "revise"):
                    milestones.review(
                        db.session,
                        officer,
                        milestone,
                        accept=action == "accept",
                        comment="Please fix.",
                        approve_tranche=True,
                        today=TODAY,
                    )
                elif action == "approve":
                    payments.approve(db.session, officer, tranche, TODAY)
                elif action == "pay":
                    payments.record_payment(db.session, officer, tranche, TODAY, "P", TODAY)
                else:
                    milestones.add_comment(db.session, grantee, milestone, "Note")
        except DomainError:
            db.session.expire_all()
            assert (milestone.status, tranche.status) == before
        if tranche.status != TrancheStatus.PLANNED:
            assert milestone.status == MilestoneStatus.ACCEPTED
        drafts = [u for u in milestone.updates if u.status == UpdateStatus.DRAFT]
        assert len(drafts) <= 1
        submitted = [u for u in milestone.updates if u.status == UpdateStatus.SUBMITTED]
        assert len(submitted) == (1 if milestone.status == MilestoneStatus.SUBMITTED else 0)
        assert {s.budget_line_id for u in milestone.updates for s in u.spending} <= {line.id}
    nested.rollback()
    db.session.expire_all()
