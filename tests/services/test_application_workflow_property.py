"""Property-based test of the application workflow: random sequences of everyone's actions
(applicant, officer, reviewer) never reach a state the workflow does not allow, never record a
step it does not allow, and never lose a budget line. A refused action is rolled back as the
views roll it back (`attempt`), and the next action goes on from there."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, BudgetCategory, ConflictDeclaration, Role
from fundtracker.services import applications as svc
from fundtracker.services import decisions as decision_svc
from fundtracker.services import reviews as review_svc
from fundtracker.services import workflow
from fundtracker.services.errors import DomainError
from tests import factories

S = ApplicationStatus
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
EDITABLE = {S.DRAFT, S.RETURNED}

budget_lines = st.lists(
    st.tuples(
        st.sampled_from(list(BudgetCategory)),
        st.integers(min_value=0, max_value=120_000_000_00),
        st.text(alphabet="абвгдӘҒҚҢӨҰҮҺІ xyz", max_size=20),
    ),
    max_size=5,
)


class ApplicationWorkflow(RuleBasedStateMachine):
    @initialize(start=st.sampled_from([S.DRAFT, S.SUBMITTED, S.SCREENED, S.UNDER_REVIEW]))
    def start(self, start):
        """Begin anywhere the workflow can be before a decision, reached by the workflow
        itself (from under review on, another reviewer has scored it)."""
        self.officer = factories.UserFactory(role=Role.OFFICER)
        self.reviewer = factories.UserFactory(role=Role.REVIEWER)
        self.application = factories.application_in(start)
        if start == S.DRAFT:
            factories.attach_charter(self.application)
        self.applicant = self.application.created_by
        self.assignment = None
        self.budget = self._stored_budget()

    # helpers -----------------------------------------------------------------------------

    def _stored_budget(self):
        return sorted(
            (line.category, line.amount, line.description) for line in self.application.budget_lines
        )

    def _attempt(self, action) -> bool:
        """One action in a savepoint, as a view's single commit: all or nothing."""
        before = self.application.status
        try:
            with db.session.begin_nested():
                action()
        except DomainError:
            db.session.expire_all()
            assert self.application.status == before
            return False
        return True

    # the applicant -----------------------------------------------------------------------

    @rule(lines=budget_lines, balanced=st.booleans())
    def save_draft(self, lines, balanced):
        total = sum(amount for _, amount, _ in lines)
        data = svc.ApplicationData(
            title="Оңалту орталығы",
            summary="Summary",
            start_date=date(2099, 1, 1),
            end_date=date(2099, 12, 31),
            region_ids=[factories.region().id],
            beneficiaries={factories.BeneficiaryCategory.CHILDREN: 12},
            budget=[svc.BudgetLineData(c, amount, text) for c, amount, text in lines],
            milestones=[
                svc.MilestonePlan("Centre opened", date(2099, 6, 30), total if balanced else 1)
            ],
            indicators=[svc.IndicatorPlan("Children", 12)],
        )
        editable = self.application.status in EDITABLE
        ok = self._attempt(
            lambda: svc.save_draft(db.session, self.applicant, self.application, data, None)
        )
        assert ok == editable
        if ok:
            self.budget = sorted((c, amount, text.strip()) for c, amount, text in lines)

    @rule()
    def submit(self):
        status = self.application.status
        ok = self._attempt(lambda: svc.submit(db.session, self.applicant, self.application, NOW))
        if ok:
            assert status in EDITABLE
            assert 0 < self.application.requested_amount <= self.application.call.max_request

    # the officer -------------------------------------------------------------------------

    @rule(decision=st.sampled_from(["eligible", "return", "reject", "nonsense"]))
    def screen(self, decision):
        checks = dict.fromkeys(review_svc.screening_items(), True)
        status = self.application.status
        ok = self._attempt(
            lambda: review_svc.screen(
                db.session, self.officer, self.application, checks, decision, "Comment"
            )
        )
        if ok:
            assert status == S.SUBMITTED and decision != "nonsense"

    @rule()
    def assign(self):
        status = self.application.status
        if self.assignment is not None:
            return
        result = []
        ok = self._attempt(
            lambda: result.append(
                review_svc.assign_reviewer(
                    db.session, self.officer, self.application, self.reviewer
                )
            )
        )
        if ok:
            assert status in (S.SCREENED, S.UNDER_REVIEW)
            self.assignment = result[0]

    @rule(conflict=st.booleans())
    def declare(self, conflict):
        if self.assignment is None:
            return
        self._attempt(
            lambda: review_svc.declare_conflict(
                db.session, self.reviewer, self.assignment, conflict, "Related" if conflict else ""
            )
        )

    @rule(score=st.integers(min_value=0, max_value=6))
    def score(self, score):
        if self.assignment is None:
            return
        criteria = self.application.call.criteria
        ok = self._attempt(
            lambda: review_svc.submit_scores(
                db.session, self.reviewer, self.assignment, {c.id: (score, "") for c in criteria}
            )
        )
        if ok:
            assert 1 <= score <= 5
            assert self.assignment.conflict == ConflictDeclaration.NONE

    @rule(share=st.integers(min_value=0, max_value=120))
    def approve(self, share):
        status = self.application.status
        award = self.application.requested_amount * share // 100
        number = f"GA-P-{self.application.id}"
        ok = self._attempt(
            lambda: decision_svc.approve(
                db.session,
                self.officer,
                self.application,
                awarded_amount=award,
                agreement_number=number,
                code=f"QH-P-{self.application.id}",
            )
        )
        if ok:
            assert status == S.UNDER_REVIEW
            assert 0 < award <= self.application.requested_amount

    @rule()
    def reject(self):
        self._attempt(lambda: decision_svc.reject(db.session, self.officer, self.application, "No"))

    @rule()
    def send_back(self):
        self._attempt(
            lambda: decision_svc.return_for_changes(
                db.session, self.officer, self.application, "Fix"
            )
        )

    # what must always hold ---------------------------------------------------------------

    @invariant()
    def transitions_are_a_legal_chain_ending_in_the_status(self):
        steps = self.application.transitions
        assert steps[0].from_status is None
        for previous, step in zip(steps, steps[1:], strict=False):
            assert step.from_status == previous.to_status
        legal = {
            (source, t.target) for t in workflow.APPLICATION.transitions for source in t.source
        }
        for step in steps:
            assert (step.from_status, step.to_status) in legal
        assert steps[-1].to_status == self.application.status

    @invariant()
    def no_budget_line_is_lost(self):
        assert self._stored_budget() == self.budget

    @invariant()
    def an_approved_application_has_its_project_and_money_adds_up(self):
        project = self.application.project
        if self.application.status != S.APPROVED:
            assert project is None
            return
        assert project.awarded_amount == self.application.awarded_amount
        assert sum(t.amount for t in project.tranches) <= project.awarded_amount
        assert sum(b.amount for b in project.budget_lines) == project.awarded_amount
        assert len(project.milestones) == len(self.application.milestones)


def test_random_action_sequences_keep_the_workflow_legal():
    run_state_machine_as_test(
        ApplicationWorkflow,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
