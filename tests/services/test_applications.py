"""The application workflow at service level: calls, registration and verification, drafting
and submission, screening, conflicts of interest, scoring, ranking, decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import to_utc
from fundtracker.models import (
    ApplicationStatus,
    CallStatus,
    ConflictDeclaration,
    OrganisationRegistration,
    ProjectEvent,
    Role,
    User,
)
from fundtracker.services import applications as svc
from fundtracker.services import calls as call_svc
from fundtracker.services import decisions as decision_svc
from fundtracker.services import notifier, outcomes
from fundtracker.services import registration as registration_svc
from fundtracker.services import reviews as review_svc
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories

S = ApplicationStatus


@pytest.fixture
def officer():
    return factories.UserFactory(role=Role.OFFICER)


def _call_data(**overrides) -> call_svc.CallData:
    data = call_svc.CallData(
        area_id=factories.area().id,
        title_kk="Конкурс",
        title_ru="Конкурс",
        title_en="Call",
        opens_at=datetime(2026, 1, 1, 4, tzinfo=UTC),
        closes_at=datetime(2026, 3, 1, 13, tzinfo=UTC),
        budget_envelope=100_000_00,
        max_request=50_000_00,
        criteria=[
            call_svc.CriterionData(name_en="Relevance", weight=60),
            call_svc.CriterionData(name_ru="Реалистичность", name_en="Feasibility", weight=40),
            call_svc.CriterionData(),
        ],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


# Calls ----------------------------------------------------------------------------------------


def test_a_call_is_created_as_a_draft_with_its_weighted_criteria(officer):
    call = call_svc.create_call(db.session, officer, _call_data())
    assert call.status == CallStatus.DRAFT
    assert [(c.name_ru, c.name_en, c.weight) for c in call.criteria] == [
        ("", "Relevance", 60),
        ("Реалистичность", "Feasibility", 40),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": datetime(2025, 12, 1, tzinfo=UTC)}, "closes_on"),
        ({"max_request": 200_000_00}, "max_request"),
        ({"criteria": []}, "criteria"),
        ({"title_kk": "", "title_ru": "", "title_en": " "}, "title_kk"),
    ],
)
def test_a_call_with_bad_data_is_refused_on_the_field(officer, overrides, field):
    with pytest.raises(DomainError) as error:
        call_svc.create_call(db.session, officer, _call_data(**overrides))
    assert error.value.field == field


def test_call_statuses_follow_their_workflow(officer):
    call = call_svc.create_call(db.session, officer, _call_data())
    with pytest.raises(DomainError, match="cannot become"):
        call_svc.set_call_status(db.session, officer, call, CallStatus.ARCHIVED)
    for status in (CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.ARCHIVED):
        call_svc.set_call_status(db.session, officer, call, status)
    assert call.status == CallStatus.ARCHIVED


def test_a_grantee_cannot_create_a_call(grantee):
    with pytest.raises(NotAllowed):
        call_svc.create_call(db.session, grantee, _call_data())


# Closing time in Asia/Almaty ----------------------------------------------------------------------


def test_almaty_times_are_stored_in_utc():
    assert to_utc(date(2026, 3, 1), time(18, 0)) == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)
    # Midnight in Almaty is still the previous day in UTC.
    assert to_utc(date(2026, 3, 1), time(0, 0)) == datetime(2026, 2, 28, 19, 0, tzinfo=UTC)


def _ready_application(closes_at):
    call = factories.CallFactory(closes_at=closes_at)
    application = factories.ApplicationFactory(call=call)
    factories.attach_charter(application)
    return application


def test_a_submission_one_second_before_the_closing_time_is_accepted():
    closes = to_utc(date(2026, 3, 1), time(18, 0))
    application = _ready_application(closes)
    svc.submit(
        db.session,
        application.created_by,
        application,
        closes.replace(second=0, minute=59, hour=12, microsecond=0),
    )
    assert application.status == S.SUBMITTED


def test_a_submission_at_the_closing_time_is_refused_with_the_almaty_time():
    closes = to_utc(date(2026, 3, 1), time(18, 0))
    application = _ready_application(closes)
    with pytest.raises(DomainError) as error:
        svc.submit(db.session, application.created_by, application, closes)
    assert "Mar 1, 2026 at 6:00\u202fPM" in str(error.value.message)
    assert application.status == S.DRAFT


def test_a_call_closing_at_almaty_midnight_is_closed_late_the_previous_utc_day():
    closes = to_utc(date(2026, 3, 1), time(0, 0))  # 28 Feb, 19:00 UTC
    application = _ready_application(closes)
    with pytest.raises(DomainError, match="Mar 1, 2026 at 12:00\u202fAM"):
        svc.submit(
            db.session,
            application.created_by,
            application,
            datetime(2026, 2, 28, 19, 30, tzinfo=UTC),
        )
    assert not application.call.is_open(datetime(2026, 2, 28, 19, 0, tzinfo=UTC))
    assert application.call.is_open(datetime(2026, 2, 28, 18, 59, 59, tzinfo=UTC))


# Registration and verification --------------------------------------------------------------------


def _registration(**overrides) -> registration_svc.RegistrationData:
    data = registration_svc.RegistrationData(
        name="«Мейірім» қоғамдық қоры",
        bin=factories.valid_bin(90_001),
        region_id=factories.region("KZ-75").id,
        contact_name="Әлия Нұрланқызы",
        email="aliya@meirim.kz",
        password="a long enough password",
        locale="kk",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def test_a_registered_organisation_gets_its_first_grantee_and_awaits_verification(officer):
    user = registration_svc.register_organisation(db.session, _registration())
    assert user.role == Role.GRANTEE and user.locale == "kk"
    assert user.organisation.name == "«Мейірім» қоғамдық қоры"
    assert not registration_svc.is_verified(db.session, user.organisation_id)
    assert user.organisation in registration_svc.unverified_organisations(db.session)
    registration_svc.verify_organisation(db.session, officer, user.organisation)
    assert registration_svc.is_verified(db.session, user.organisation_id)
    registration = db.session.get(OrganisationRegistration, user.organisation_id)
    assert registration.verified_by_id == officer.id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bin": "123456789012"}, "bin"),
        ({"bin": "12345"}, "bin"),
        ({"password": "short"}, "password"),
    ],
)
def test_registration_checks_the_bin_and_the_password(overrides, field):
    with pytest.raises(DomainError) as error:
        registration_svc.register_organisation(db.session, _registration(**overrides))
    assert error.value.field == field


def test_a_bin_or_email_registered_already_is_refused():
    existing = factories.OrganisationFactory()
    with pytest.raises(DomainError) as error:
        registration_svc.register_organisation(db.session, _registration(bin=existing.bin))
    assert error.value.field == "bin"
    factories.UserFactory(email="taken@example.kz")
    with pytest.raises(DomainError) as error:
        registration_svc.register_organisation(db.session, _registration(email="Taken@example.kz"))
    assert error.value.field == "email"


def test_an_unverified_organisation_can_draft_but_not_submit(officer):
    user = registration_svc.register_organisation(db.session, _registration())
    user.email_confirmed = True  # the contact opened the emailed link
    call = factories.CallFactory()
    application = factories.ApplicationFactory(
        call=call, organisation=user.organisation, created_by=user
    )
    factories.attach_charter(application)
    with pytest.raises(svc.IncompleteApplication) as error:
        svc.submit(db.session, user, application, datetime.now(UTC))
    assert [str(m) for m in error.value.missing] == ["the fund's verification of your organisation"]
    registration_svc.verify_organisation(db.session, officer, user.organisation)
    svc.submit(db.session, user, application, datetime.now(UTC))
    assert application.status == S.SUBMITTED


# Drafting and submission ----------------------------------------------------------------------


def test_an_incomplete_submission_lists_what_is_missing():
    application = factories.ApplicationFactory(contents=False, title="", summary="")
    with pytest.raises(svc.IncompleteApplication) as error:
        svc.submit(db.session, application.created_by, application, datetime.now(UTC))
    missing = [str(m) for m in error.value.missing]
    assert "the project's title" in missing
    assert "a budget with at least one line" in missing
    assert "at least one milestone" in missing
    assert "the attachment “Charter”" in missing
    assert application.status == S.DRAFT


def test_the_budget_must_stay_within_the_maximum_and_the_tranches_add_up():
    application = factories.ApplicationFactory()
    factories.attach_charter(application)
    data = svc.ApplicationData(
        title="t",
        summary="s",
        start_date=date(2099, 1, 1),
        end_date=date(2099, 12, 31),
        region_ids=[factories.region().id],
        beneficiaries={factories.BeneficiaryCategory.FAMILIES: 10},
        budget=[
            svc.BudgetLineData(factories.BudgetCategory.EQUIPMENT, 90_000_000_00),
            svc.BudgetLineData(factories.BudgetCategory.TRAINING, 20_000_000_00),
        ],
        milestones=[svc.MilestonePlan("m", date(2099, 5, 1), 100_000_000_00)],
        indicators=[svc.IndicatorPlan("Children", 10)],
    )
    svc.save_draft(db.session, application.created_by, application, data, None)
    assert application.requested_amount == 110_000_000_00
    missing = [str(m) for m in svc.missing_items(db.session, application)]
    assert any("within the call's maximum request" in m for m in missing)
    assert "payment tranches that add up to the requested amount" in missing


def test_a_draft_of_another_organisation_cannot_be_saved(grantee):
    application = factories.ApplicationFactory()
    with pytest.raises(NotAllowed):
        svc.save_draft(db.session, grantee, application, svc.ApplicationData(), None)


# Workflow ---------------------------------------------------------------------------------------


def test_an_illegal_transition_is_a_domain_error_with_a_message(officer):
    application = factories.application_in(S.SUBMITTED)
    with pytest.raises(DomainError, match="cannot become “Approved”"):
        svc.transition(db.session, officer, application, S.APPROVED)
    assert application.status == S.SUBMITTED


def test_an_applicant_cannot_take_staff_steps():
    application = factories.application_in(S.SUBMITTED)
    with pytest.raises(NotAllowed):
        svc.transition(db.session, application.created_by, application, S.SCREENED)


def test_every_transition_is_recorded_in_order(officer):
    application = factories.application_in(S.SUBMITTED)
    decision_svc.return_for_changes(db.session, officer, application, "Attach the signed budget.")
    steps = [(t.from_status, t.to_status, t.comment) for t in application.transitions]
    assert steps == [
        (None, S.DRAFT, ""),
        (S.DRAFT, S.SUBMITTED, ""),
        (S.SUBMITTED, S.RETURNED, "Attach the signed budget."),
    ]
    assert application.transitions[-1].actor_id == officer.id


def test_screening_as_eligible_needs_every_checklist_item(officer):
    application = factories.application_in(S.SUBMITTED)
    with pytest.raises(DomainError, match="Tick every item"):
        review_svc.screen(db.session, officer, application, {"organisation": True}, "eligible")
    review_svc.screen(
        db.session,
        officer,
        application,
        dict.fromkeys(review_svc.screening_items(), True),
        "eligible",
    )
    assert application.status == S.SCREENED


def test_returning_or_rejecting_at_screening_needs_a_comment(officer):
    application = factories.application_in(S.SUBMITTED)
    with pytest.raises(DomainError) as error:
        review_svc.screen(db.session, officer, application, {}, "reject", "  ")
    assert error.value.field == "comment"


# Reviews ----------------------------------------------------------------------------------------


def test_a_reviewer_who_declares_a_conflict_is_taken_off(officer):
    application = factories.application_in(S.SCREENED)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
    assert application.status == S.UNDER_REVIEW
    from fundtracker import permissions

    assert not permissions.can_read_as_reviewer(reviewer, assignment)
    with pytest.raises(DomainError):
        review_svc.declare_conflict(db.session, reviewer, assignment, True, "")
    review_svc.declare_conflict(db.session, reviewer, assignment, True, "I chair its board.")
    assert assignment.conflict == ConflictDeclaration.CONFLICT
    assert not permissions.can_read_as_reviewer(reviewer, assignment)
    with pytest.raises(NotAllowed):
        review_svc.submit_scores(db.session, reviewer, assignment, {})


def test_only_the_assigned_reviewer_declares_and_scores(officer):
    application = factories.application_in(S.SCREENED)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    other = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
    with pytest.raises(NotAllowed):
        review_svc.declare_conflict(db.session, other, assignment, False)
    with pytest.raises(DomainError):
        review_svc.assign_reviewer(db.session, officer, application, reviewer)  # twice
    with pytest.raises(DomainError):
        review_svc.assign_reviewer(db.session, officer, application, officer)  # not a reviewer


def test_scores_are_weighted_and_every_criterion_is_needed(officer):
    application = factories.application_in(S.SCREENED)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
    review_svc.declare_conflict(db.session, reviewer, assignment, False)
    relevance, feasibility, value = application.call.criteria  # weights 40, 30, 30
    with pytest.raises(DomainError, match="Value for money"):
        review_svc.submit_scores(
            db.session, reviewer, assignment, {relevance.id: (5, ""), feasibility.id: (3, "")}
        )
    with pytest.raises(DomainError):
        review_svc.submit_scores(
            db.session,
            reviewer,
            assignment,
            {relevance.id: (6, ""), feasibility.id: (3, ""), value.id: (1, "")},
        )
    review_svc.submit_scores(
        db.session,
        reviewer,
        assignment,
        {relevance.id: (5, "Strong"), feasibility.id: (3, ""), value.id: (1, "Costly")},
    )
    assert assignment.weighted_score() == pytest.approx((5 * 40 + 3 * 30 + 1 * 30) / 100)
    with pytest.raises(DomainError, match="already been submitted"):
        review_svc.submit_scores(db.session, reviewer, assignment, {})


def test_the_ranking_shows_each_score_the_spread_and_the_envelope(officer):
    call = factories.CallFactory(budget_envelope=100_000_000_00)
    strong = factories.application_in(S.UNDER_REVIEW, call=call)  # one reviewer, all 4s
    second = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_svc.assign_reviewer(db.session, officer, strong, second)
    review_svc.declare_conflict(db.session, second, assignment, False)
    review_svc.submit_scores(db.session, second, assignment, {c.id: (5, "") for c in call.criteria})
    weak = factories.application_in(S.SUBMITTED, call=call)
    ranking = review_svc.ranking(db.session, call)
    assert [r.application for r in ranking.rows] == [strong, weak]
    assert ranking.rows[0].average == pytest.approx(4.5)
    assert ranking.rows[0].spread == pytest.approx(1.0)
    assert sorted(s for _, s in ranking.rows[0].scores) == [4.0, 5.0]
    assert ranking.rows[1].average is None
    assert ranking.requested_total == 120_000_000_00
    assert ranking.requested_total > ranking.envelope


def test_the_ranking_weighs_each_review_as_the_review_itself_does(officer):
    call = factories.CallFactory()
    relevance, feasibility, value = call.criteria  # weights 40, 30, 30
    application = factories.application_in(S.UNDER_REVIEW, call=call)  # a reviewer's 4s
    scored, pending, conflicted = (factories.UserFactory(role=Role.REVIEWER) for _ in range(3))
    scored_assignment = review_svc.assign_reviewer(db.session, officer, application, scored)
    review_svc.declare_conflict(db.session, scored, scored_assignment, False)
    review_svc.submit_scores(
        db.session,
        scored,
        scored_assignment,
        {relevance.id: (5, ""), feasibility.id: (3, ""), value.id: (1, "")},
    )
    review_svc.assign_reviewer(db.session, officer, application, pending)
    conflict = review_svc.assign_reviewer(db.session, officer, application, conflicted)
    review_svc.declare_conflict(db.session, conflicted, conflict, True, "My sister's charity")
    (row,) = review_svc.ranking(db.session, call).rows
    by_reviewer = dict(row.scores)
    assert set(by_reviewer) == {application.assignments[0].reviewer, scored, pending}
    assert by_reviewer[scored] == pytest.approx(scored_assignment.weighted_score())
    assert by_reviewer[scored] == pytest.approx(3.2)
    assert by_reviewer[pending] is None
    assert row.average == pytest.approx((4 + 3.2) / 2)
    assert row.spread == pytest.approx(0.8)


def test_the_ranking_is_paged_with_ranks_and_totals_of_the_whole_call(officer):
    call = factories.CallFactory(budget_envelope=100_000_000_00)
    two, five, three, four = (factories.application_scored(call, s) for s in (2, 5, 3, 4))
    unscored = factories.application_in(S.SUBMITTED, call=call)
    rejected = factories.application_in(S.REJECTED, call=call)
    factories.application_in(S.DRAFT, call=call)
    order = [five, four, three, two, unscored, rejected]

    whole = review_svc.ranking(db.session, call)
    assert [r.application for r in whole.rows] == order
    assert [r.rank for r in whole.rows] == [1, 2, 3, 4, 5, 6]
    assert (whole.count, whole.page, whole.pages) == (6, 1, 1)
    # Each application asks for 60,000,000 ₸; a rejected one no longer counts.
    assert whole.requested_total == 5 * 60_000_000_00

    middle = review_svc.ranking(db.session, call, page=2, per_page=2)
    assert [(r.rank, r.application) for r in middle.rows] == [(3, three), (4, two)]
    assert middle.rows[0].average == pytest.approx(3.0)
    assert [r.requested for r in middle.rows] == [60_000_000_00, 60_000_000_00]
    assert (middle.count, middle.page, middle.pages) == (6, 2, 3)
    assert (middle.requested_total, middle.envelope) == (whole.requested_total, whole.envelope)

    last = review_svc.ranking(db.session, call, page=2, per_page=4)
    assert [(r.rank, r.application) for r in last.rows] == [(5, unscored), (6, rejected)]
    assert last.rows[1].average is None and last.rows[1].scores == []
    # Out of range: the nearest page.
    assert review_svc.ranking(db.session, call, page=99, per_page=4).page == 2
    assert review_svc.ranking(db.session, call, page=0, per_page=4).rows[0].rank == 1
    assert review_svc.ranking(db.session, call, page=-5, per_page=4).page == 1


def test_an_empty_ranking_has_one_empty_page():
    call = factories.CallFactory()
    factories.application_in(S.DRAFT, call=call)
    ranking = review_svc.ranking(db.session, call, page=3, per_page=100)
    assert (ranking.rows, ranking.count, ranking.page, ranking.pages) == ([], 0, 1, 1)
    assert ranking.requested_total == 0


def test_the_ranking_runs_the_same_queries_for_a_small_or_a_large_call(sql_log):
    def count_for(n):
        call = factories.CallFactory()
        for i in range(n):
            factories.application_scored(call, 1 + i % 5, 5 - i % 5)
        db.session.expire_all()
        start = len(sql_log)
        for row in review_svc.ranking(db.session, call, page=1, per_page=3).rows:
            _ = (row.application.title, row.application.organisation.name, row.application.status)
            _ = [reviewer.name for reviewer, _ in row.scores]
        return len(sql_log) - start

    assert count_for(2) == count_for(7)


# Decisions --------------------------------------------------------------------------------------


def test_scaling_keeps_the_total_exact():
    assert decision_svc.scale([40, 20], 45) == [30, 15]
    assert sum(decision_svc.scale([1, 1, 1], 100)) == 100
    assert decision_svc.scale([0, 0], 10) == [0, 0]


def test_approval_with_a_lower_award_creates_the_project_with_scaled_tranches(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    project = decision_svc.approve(
        db.session,
        officer,
        application,
        awarded_amount=45_000_000_00,
        agreement_number="GA-2026-0001",
        code="QH-2026-901",
    )
    assert application.status == S.APPROVED and application.project is project
    assert project.agreement_number == "GA-2026-0001"
    assert project.awarded_amount == 45_000_000_00
    assert project.organisation_id == application.organisation_id
    assert [m.title for m in project.milestones] == ["Equipment installed", "Centre opened"]
    assert [t.amount for t in project.tranches] == [30_000_000_00, 15_000_000_00]
    assert [t.milestone.title for t in project.tranches] == [m.title for m in project.milestones]
    assert [b.amount for b in project.budget_lines] == [45_000_000_00]
    kinds = db.session.scalars(
        select(ProjectEvent.kind).where(ProjectEvent.project_id == project.id)
    ).all()
    assert kinds.count("milestone_added") == 2 and kinds.count("tranche_added") == 2
    assert "project_created" in kinds
    # The planned indicator (0 -> 40 children for 60 M requested) scales with the award.
    indicators = outcomes.project_indicators(db.session, project)
    assert [(i.name, i.unit, i.baseline, i.target) for i in indicators] == [
        ("Children treated", "children", 0, 30)
    ]


def test_approval_with_tranches_edited_by_the_officer(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    first, second = application.milestones
    project = decision_svc.approve(
        db.session,
        officer,
        application,
        awarded_amount=50_000_000_00,
        agreement_number="GA-1",
        code="QH-2026-902",
        tranche_amounts={first.id: 10_000_000_00, second.id: 40_000_000_00},
    )
    assert [t.amount for t in project.tranches] == [10_000_000_00, 40_000_000_00]


def test_approval_is_refused_above_the_request_or_with_tranches_off_the_award(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    first, _second = application.milestones
    attempts = [
        ({"awarded_amount": 70_000_000_00}, "awarded_amount"),
        (
            {"awarded_amount": 50_000_000_00, "tranche_amounts": {first.id: 10_000_000_00}},
            "tranches",
        ),
    ]
    for kwargs, field in attempts:
        with pytest.raises(DomainError) as error, db.session.begin_nested():  # as a view's rollback
            decision_svc.approve(
                db.session,
                officer,
                application,
                agreement_number="GA-1",
                code="QH-2026-903",
                **kwargs,
            )
        assert error.value.field == field
        db.session.expire_all()
        assert application.status == S.UNDER_REVIEW and application.project is None


def test_approval_needs_a_review(officer):
    application = factories.application_in(S.SCREENED)
    with pytest.raises(DomainError):
        decision_svc.approve(
            db.session,
            officer,
            application,
            awarded_amount=1_00,
            agreement_number="GA-1",
            code="QH-2026-904",
        )


def test_a_rejection_needs_a_reason_and_is_final(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    with pytest.raises(DomainError):
        decision_svc.reject(db.session, officer, application, "")
    decision_svc.reject(db.session, officer, application, "Outside the call's priorities.")
    assert application.status == S.REJECTED and application.decided_at is not None
    with pytest.raises(DomainError):
        decision_svc.return_for_changes(db.session, officer, application, "More")
    assert application in decision_svc.decisions(db.session)


# Attachments ------------------------------------------------------------------------------------


def test_the_notification_stub_is_called_in_the_applicants_language(monkeypatch, officer):
    sent = []
    monkeypatch.setattr(
        notifier, "notify", lambda session, recipient, **kw: sent.append((recipient, kw))
    )
    application = factories.application_in(S.UNDER_REVIEW)
    application.created_by.locale = "ru"
    decision_svc.reject(db.session, officer, application, "Не соответствует приоритетам.")
    # the applicant, and the reviewer who scored it (told of the decision)
    assert {r.id for r, _ in sent} == {
        application.created_by.id,
        *(a.reviewer_id for a in application.assignments),
    }
    ((recipient, kw),) = [(r, kw) for r, kw in sent if r == application.created_by]
    assert recipient == application.created_by
    assert kw["url"] == f"/applications/{application.id}"
    assert "Не соответствует приоритетам." in kw["body"]
    assert isinstance(recipient, User)
