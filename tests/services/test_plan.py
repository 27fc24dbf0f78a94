"""Plans, amendments, rescheduling, project status, the risk check and concurrent edits."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    BudgetCategory,
    MilestoneStatus,
    ProjectEvent,
    ProjectStatus,
    TrancheStatus,
)
from fundtracker.services import plan, status
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from tests import factories
from tests.factories import area, region

TODAY = date(2026, 11, 25)


def _events(project, kind):
    return db.session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id, ProjectEvent.kind == kind)
    ).all()


def _data(**overrides):
    data = dict(
        code="QH-2026-900",
        title_kk="Аутизм орталығы",
        title_ru="",
        title_en="",
        organisation_id=factories.OrganisationFactory().id,
        area_id=area("social_protection").id,
        region_ids=[region("KZ-62").id],
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        awarded_amount=300_000_000_00,
    )
    data.update(overrides)
    return plan.ProjectData(**data)


def test_officer_creates_a_project_directly(officer):
    project = plan.create_project(db.session, officer, _data(officer_id=officer.id))
    assert project.status == ProjectStatus.ACTIVE
    assert [r.code for r in project.regions] == ["KZ-62"]
    assert [e.kind for e in _events(project, "project_created")] == ["project_created"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_kk": ""}, "title_kk"),
        ({"region_ids": []}, "region_ids"),
        ({"end_date": date(2025, 1, 1)}, "end_date"),
        ({"awarded_amount": 0}, "awarded_amount"),
    ],
)
def test_project_validation(officer, overrides, field):
    with pytest.raises(DomainError) as error:
        plan.create_project(db.session, officer, _data(**overrides))
    assert error.value.field == field


def test_project_code_is_unique(officer):
    existing = factories.ProjectFactory()
    with pytest.raises(Conflict):
        plan.create_project(db.session, officer, _data(code=existing.code))


def test_grantees_and_board_cannot_plan(grantee):
    with pytest.raises(NotAllowed):
        plan.create_project(db.session, grantee, _data())


def test_amendment_keeps_the_earlier_values_and_the_board_decision(officer):
    project = factories.ProjectFactory(end_date=date(2026, 12, 31), awarded_amount=100_00)
    decision = factories.board_decision("amendment", project=project, amount=120_00)
    with pytest.raises(DomainError):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=date(2027, 6, 30),
            awarded_amount=100_00,
            reason="",
            board_decision=decision.id,
            expected_version=project.version_id,
        )
    plan.amend_project(
        db.session,
        officer,
        project,
        end_date=date(2027, 6, 30),
        awarded_amount=120_00,
        reason="Equipment delivery delayed",
        board_decision=decision.id,
        expected_version=project.version_id,
    )
    (event,) = _events(project, "project_amended")
    assert event.data["end_date"] == ["2026-12-31", "2027-06-30"]
    assert event.data["awarded_amount"] == [100_00, 120_00]
    assert event.data["board_decision"] == decision.number
    assert decision.used_at is not None
    assert event.comment == "Equipment delivery delayed"
    assert project.end_date == date(2027, 6, 30)


def test_amount_cannot_drop_below_what_was_paid(officer):
    project = factories.ProjectFactory(awarded_amount=100_00)
    factories.TrancheFactory(project=project, amount=80_00, status=TrancheStatus.PAID)
    with pytest.raises(DomainError):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=project.end_date,
            awarded_amount=50_00,
            reason="cut",
            board_decision=factories.board_decision("amendment", project=project).id,
            expected_version=None,
        )


def test_reschedule_needs_a_reason_and_is_kept_in_history(officer):
    project = factories.ProjectFactory(start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    milestone = factories.MilestoneFactory(project=project, due_date=date(2026, 12, 1))
    with pytest.raises(DomainError):
        plan.reschedule_milestone(db.session, officer, milestone, date(2027, 1, 15), "", None)
    with pytest.raises(DomainError) as outside:
        plan.reschedule_milestone(db.session, officer, milestone, date(2001, 1, 1), "x", None)
    assert outside.value.field == "due_date"
    plan.reschedule_milestone(
        db.session, officer, milestone, date(2027, 1, 15), "Winter roads closed", None
    )
    (event,) = _events(milestone.project, "milestone_rescheduled")
    assert event.data["due_date"] == ["2026-12-01", "2027-01-15"] and event.comment


def test_a_tranche_cannot_leave_a_milestone_that_is_not_accepted(officer):
    project = factories.ProjectFactory(awarded_amount=100_00)
    milestone = factories.MilestoneFactory(project=project)
    tranche = factories.TrancheFactory(project=project, milestone=milestone, amount=10_00)
    with pytest.raises(DomainError):
        plan.edit_tranche(
            db.session, officer, tranche, plan.TrancheData(10_00, tranche.planned_date, None)
        )
    other = factories.MilestoneFactory(project=project)
    plan.edit_tranche(
        db.session, officer, tranche, plan.TrancheData(10_00, tranche.planned_date, other.id)
    )
    (event,) = _events(project, "tranche_edited")
    assert event.data["milestone"] == [milestone.title, other.title]


def test_closing_waits_for_approved_money_to_be_paid(officer):
    project = factories.ProjectFactory(status=ProjectStatus.COMPLETED)
    factories.TrancheFactory(project=project, status=TrancheStatus.APPROVED)
    with pytest.raises(DomainError):
        status.change_status(db.session, officer, project, ProjectStatus.CLOSED, "Finished")


def test_tranches_cannot_exceed_the_award_and_one_per_milestone(officer):
    project = factories.ProjectFactory(awarded_amount=100_00)
    milestone = factories.MilestoneFactory(project=project)
    plan.add_tranche(
        db.session, officer, project, plan.TrancheData(60_00, date(2026, 1, 1), milestone.id)
    )
    with pytest.raises(DomainError):
        plan.add_tranche(db.session, officer, project, plan.TrancheData(50_00, date(2026, 2, 1)))
    with pytest.raises(DomainError):
        plan.add_tranche(
            db.session, officer, project, plan.TrancheData(10_00, date(2026, 2, 1), milestone.id)
        )
    other = factories.MilestoneFactory()
    with pytest.raises(DomainError):
        plan.add_tranche(
            db.session, officer, project, plan.TrancheData(10_00, date(2026, 2, 1), other.id)
        )


def test_budget_cannot_exceed_the_award(officer):
    project = factories.ProjectFactory(awarded_amount=100_00)
    plan.add_budget_line(
        db.session, officer, project, plan.BudgetLineData(BudgetCategory.MEDICINES, 70_00)
    )
    with pytest.raises(DomainError):
        plan.add_budget_line(
            db.session, officer, project, plan.BudgetLineData(BudgetCategory.TRAVEL, 40_00)
        )


def test_status_workflow(officer):
    project = factories.ProjectFactory()
    with pytest.raises(DomainError):  # active -> closed is not allowed
        status.change_status(db.session, officer, project, ProjectStatus.CLOSED, "done")
    with pytest.raises(DomainError):
        status.change_status(db.session, officer, project, ProjectStatus.SUSPENDED, " ")
    status.change_status(db.session, officer, project, ProjectStatus.SUSPENDED, "Audit")
    status.change_status(db.session, officer, project, ProjectStatus.ACTIVE, "Audit passed")
    (first, second) = _events(project, "status_changed")
    assert first.data["status"] == ["active", "suspended"] and second.comment == "Audit passed"


def test_closing_needs_the_final_milestone_accepted(officer):
    project = factories.ProjectFactory(status=ProjectStatus.COMPLETED)
    factories.MilestoneFactory(
        project=project, due_date=date(2026, 1, 1), status=MilestoneStatus.ACCEPTED
    )
    final = factories.MilestoneFactory(project=project, due_date=date(2026, 6, 1))
    with pytest.raises(DomainError):
        status.change_status(db.session, officer, project, ProjectStatus.CLOSED, "Finished")
    final.status = MilestoneStatus.ACCEPTED
    status.change_status(db.session, officer, project, ProjectStatus.CLOSED, "Finished")
    assert project.status == ProjectStatus.CLOSED


def test_risk_check_flags_overdue_and_lifts_its_own_flag_only(officer):
    late = factories.ProjectFactory()
    milestone = factories.MilestoneFactory(project=late, due_date=TODAY - timedelta(days=2))
    manual = factories.ProjectFactory(status=ProjectStatus.AT_RISK)
    fine = factories.ProjectFactory()
    assert status.refresh_risk(db.session, TODAY) == (1, 0)
    assert late.status == ProjectStatus.AT_RISK and late.status_auto
    assert status.refresh_risk(db.session, TODAY) == (0, 0)  # safe to run twice
    milestone.due_date = TODAY + timedelta(days=30)
    assert status.refresh_risk(db.session, TODAY) == (0, 1)
    assert late.status == ProjectStatus.ACTIVE
    assert manual.status == ProjectStatus.AT_RISK  # set by an officer: left alone
    assert fine.status == ProjectStatus.ACTIVE


def test_risk_check_flags_underspending():
    project = factories.ProjectFactory()
    factories.TrancheFactory(
        project=project,
        amount=100_00,
        status=TrancheStatus.PAID,
        paid_on=TODAY - timedelta(days=120),
    )
    signals = status.risk_signals(project, TODAY)
    assert signals.underspending and not signals.overdue


def test_an_edit_based_on_an_old_version_is_refused(officer):
    project = factories.ProjectFactory()
    seen = project.version_id
    plan.update_project(db.session, officer, project, _edit_data(project, title_en="First"), seen)
    with pytest.raises(Conflict):
        plan.update_project(
            db.session, officer, project, _edit_data(project, title_en="Second"), seen
        )
    assert project.title_en == "First"


def _edit_data(project, **overrides):
    data = dict(
        code=project.code,
        title_kk=project.title_kk,
        title_ru=project.title_ru,
        title_en=project.title_en,
        organisation_id=project.organisation_id,
        area_id=project.area_id,
        region_ids=[r.id for r in project.regions],
        start_date=project.start_date,
    )
    data.update(overrides)
    return plan.ProjectData(**data)


def test_amendment_cannot_go_below_planned_tranches_or_budget(officer):
    project = factories.ProjectFactory(awarded_amount=100_00)
    factories.TrancheFactory(project=project, amount=90_00)
    with pytest.raises(DomainError):
        plan.amend_project(
            db.session,
            officer,
            project,
            end_date=project.end_date,
            awarded_amount=80_00,
            reason="cut",
            board_decision=factories.board_decision("amendment", project=project).id,
            expected_version=None,
        )


def test_closed_projects_are_read_only_and_suspended_ones_are_not_paid(officer):
    from fundtracker.services import payments

    closed = factories.ProjectFactory(status=ProjectStatus.CLOSED)
    with pytest.raises(DomainError):
        plan.add_budget_line(
            db.session, officer, closed, plan.BudgetLineData(BudgetCategory.OTHER, 1_00)
        )
    suspended = factories.ProjectFactory(status=ProjectStatus.SUSPENDED)
    tranche = factories.TrancheFactory(project=suspended, status=TrancheStatus.APPROVED)
    with pytest.raises((DomainError, NotAllowed)):
        payments.record_payment(db.session, officer, tranche, TODAY, "", TODAY)


def test_refresh_flags_underspending_projects():
    project = factories.ProjectFactory()
    factories.TrancheFactory(
        project=project,
        amount=100_00,
        status=TrancheStatus.PAID,
        paid_on=TODAY - timedelta(days=120),
    )
    assert status.refresh_risk(db.session, TODAY) == (1, 0)
    assert project.status == ProjectStatus.AT_RISK
    (event,) = _events(project, "status_changed")
    assert event.data["underspending"] is True and event.actor_id is None


def test_a_tranche_is_planned_within_the_projects_dates(officer):
    project = factories.ProjectFactory(
        awarded_amount=100_00, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    for day in (date(2025, 12, 31), date(2027, 1, 1), date(9999, 12, 31)):
        with pytest.raises(DomainError) as refused:
            plan.add_tranche(db.session, officer, project, plan.TrancheData(10_00, day))
        assert refused.value.field == "planned_date"
    tranche = plan.add_tranche(
        db.session, officer, project, plan.TrancheData(10_00, date(2026, 12, 31))
    )
    with pytest.raises(DomainError):
        plan.edit_tranche(db.session, officer, tranche, plan.TrancheData(10_00, date(2027, 1, 31)))
    # One planned before the rule (e.g. imported) can still have its amount changed.
    tranche.planned_date = date(2027, 1, 15)
    plan.edit_tranche(db.session, officer, tranche, plan.TrancheData(20_00, date(2027, 1, 15)))
    assert tranche.amount == 20_00
