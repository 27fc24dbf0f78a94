"""Approving with full information: how far the reviewers have got (and the officer's
confirmation when some have not scored), the preview of what the project gets, which is what
approval creates, and the project's title and summary in the three languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationBudgetLine,
    ApplicationIndicator,
    ApplicationStatus,
    BudgetCategory,
    Project,
    Role,
)
from fundtracker.services import decisions as svc
from fundtracker.services import outcomes
from fundtracker.services import reviews as review_svc
from fundtracker.services.errors import DomainError
from tests import factories

S = ApplicationStatus


@pytest.fixture
def officer():
    return factories.UserFactory(role=Role.OFFICER)


def _approve(officer, application, **kwargs):
    arguments = {
        "awarded_amount": application.requested_amount,
        "agreement_number": f"GA-T-{application.id}",
        "code": f"QH-T-{application.id}",
    }
    arguments.update(kwargs)
    return svc.approve(db.session, officer, application, **arguments)


def _with_reviewers(officer, application, *, pending=0, conflicts=0, declared=0):
    """Reviewers added to `application` (which has one who scored): `pending` who have not
    declared their interests, `conflicts` who declared a conflict, `declared` who declared none
    but have not scored."""
    for _ in range(pending):
        review_svc.assign_reviewer(
            db.session, officer, application, factories.UserFactory(role=Role.REVIEWER)
        )
    for conflict, count in ((True, conflicts), (False, declared)):
        for _ in range(count):
            reviewer = factories.UserFactory(role=Role.REVIEWER)
            assignment = review_svc.assign_reviewer(db.session, officer, application, reviewer)
            review_svc.declare_conflict(
                db.session, reviewer, assignment, conflict, "Related" if conflict else ""
            )
    return application


# Reviewers --------------------------------------------------------------------------------------


def test_the_progress_counts_who_scored_who_declared_a_conflict_and_who_has_not(officer):
    application = _with_reviewers(
        officer, factories.application_in(S.UNDER_REVIEW), pending=1, conflicts=1, declared=1
    )
    progress = svc.review_progress(application)
    assert (progress.assigned, progress.scored, progress.conflicts) == (4, 1, 1)
    assert progress.unscored == 2 and progress.needs_confirmation


def test_a_reviewer_who_declared_a_conflict_needs_no_confirmation(officer):
    application = _with_reviewers(officer, factories.application_in(S.UNDER_REVIEW), conflicts=1)
    progress = svc.review_progress(application)
    assert (progress.assigned, progress.scored, progress.conflicts) == (2, 1, 1)
    assert not progress.needs_confirmation
    project = _approve(officer, application)
    assert application.project is project


@pytest.mark.parametrize("kind", ["pending", "declared"])
def test_approval_is_refused_without_confirmation_while_a_reviewer_has_not_scored(officer, kind):
    application = _with_reviewers(officer, factories.application_in(S.UNDER_REVIEW), **{kind: 1})
    with pytest.raises(DomainError) as error, db.session.begin_nested():  # as a view's rollback
        _approve(officer, application)
    assert error.value.field == "confirm_unscored"
    db.session.expire_all()
    assert application.status == S.UNDER_REVIEW and application.project is None
    assert (
        db.session.scalar(select(Project).where(Project.code == f"QH-T-{application.id}")) is None
    )

    project = _approve(officer, application, confirm_unscored=True)
    assert application.status == S.APPROVED and application.project is project


# The preview ------------------------------------------------------------------------------------


def _varied_application():
    """An application of 75,000,000 ₸ in two budget lines, two milestones (40 + 20 million: the
    officer may award less than the tranches planned) and two indicators, one from a baseline."""
    application = factories.application_in(S.UNDER_REVIEW)
    application.budget_lines.append(
        ApplicationBudgetLine(
            category=BudgetCategory.TRAINING, description="Training", amount=15_000_000_00
        )
    )
    application.indicators.append(
        ApplicationIndicator(name="Specialists trained", unit="people", baseline=12, target=37)
    )
    db.session.flush()
    return application


def _created(project):
    """What the project got, in the preview's terms."""
    return (
        [(t.milestone.title, t.planned_date, t.amount) for t in project.tranches],
        [(b.category, b.description, b.amount) for b in project.budget_lines],
        [
            (i.name, i.unit, i.baseline, i.target)
            for i in outcomes.project_indicators(db.session, project)
        ],
    )


def _previewed(preview):
    return (
        [(m.title, m.due_date, m.tranche) for m in preview.milestones if m.tranche > 0],
        [(b.category, b.description, b.amount) for b in preview.budget_lines],
        [(i.name, i.unit, i.baseline, i.target) for i in preview.indicators],
    )


@pytest.mark.parametrize("award", [75_000_000_00, 45_000_000_00, 33_333_333_33, 7])
def test_the_preview_is_what_approval_creates(officer, award):
    application = _varied_application()
    preview = svc.approval_plan(application, award, None)
    assert (preview.awarded_amount, preview.requested_amount) == (award, 75_000_000_00)
    assert preview.budget_total == award
    assert [m.requested for m in preview.milestones] == [40_000_000_00, 20_000_000_00]
    assert not db.session.new and not db.session.dirty  # nothing added or changed

    project = _approve(officer, application, awarded_amount=award)
    assert _created(project) == _previewed(preview)
    assert project.milestones[0].title == preview.milestones[0].title


def test_the_preview_scales_the_budget_the_tranches_and_the_planned_change(officer):
    application = _varied_application()
    preview = svc.approval_plan(application, 45_000_000_00, None)
    assert [b.amount for b in preview.budget_lines] == [36_000_000_00, 9_000_000_00]
    assert [m.tranche for m in preview.milestones] == [30_000_000_00, 15_000_000_00]
    # 0 -> 40 and 12 -> 37 planned for 75 M; 60 % of the change for 45 M.
    assert [(i.baseline, i.requested_target, i.target) for i in preview.indicators] == [
        (0, 40, 24),
        (12, 37, 27),
    ]


def test_the_preview_with_the_officers_tranches_is_what_approval_creates(officer):
    application = _varied_application()
    first, second = application.milestones
    tranches = {first.id: 0, second.id: 50_000_000_00}
    preview = svc.approval_plan(application, 50_000_000_00, tranches)
    assert [m.tranche for m in preview.milestones] == [0, 50_000_000_00]
    project = _approve(officer, application, awarded_amount=50_000_000_00, tranche_amounts=tranches)
    assert _created(project) == _previewed(preview)
    assert len(project.milestones) == 2 and len(project.tranches) == 1


@pytest.mark.parametrize(
    ("award", "tranches", "field"),
    [
        (None, None, "awarded_amount"),
        (0, None, "awarded_amount"),
        (75_000_000_01, None, "awarded_amount"),
        (50_000_000_00, "one", "tranches"),
    ],
)
def test_the_preview_refuses_what_approval_refuses(award, tranches, field):
    application = _varied_application()
    if tranches == "one":
        tranches = {application.milestones[0].id: 10_000_000_00}
    with pytest.raises(DomainError) as error:
        svc.approval_plan(application, award, tranches)
    assert error.value.field == field


# The project's texts ----------------------------------------------------------------------------


def test_the_titles_and_summaries_in_three_languages_are_stored(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    texts = svc.ProjectTexts(
        title_kk=" Оңалту орталығы ",
        title_ru="Реабилитационный центр",
        title_en="Rehabilitation centre",
        summary_kk="Балаларға арналған орталық.",
        summary_ru="Центр для детей.",
        summary_en="A centre for children.",
    )
    project = _approve(officer, application, texts=texts)
    assert (project.title_kk, project.title_ru, project.title_en) == (
        "Оңалту орталығы",
        "Реабилитационный центр",
        "Rehabilitation centre",
    )
    assert (project.summary_kk, project.summary_ru, project.summary_en) == (
        "Балаларға арналған орталық.",
        "Центр для детей.",
        "A centre for children.",
    )


def test_the_texts_start_as_the_applications_in_its_authors_language(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    application.created_by.locale = "ru"
    texts = svc.project_texts(application)
    assert (texts.title_kk, texts.title_ru, texts.title_en) == ("", application.title, "")
    assert (texts.summary_kk, texts.summary_ru, texts.summary_en) == ("", application.summary, "")
    project = _approve(officer, application)  # no texts given: these
    assert (project.title_ru, project.summary_ru, project.title_kk) == (
        application.title,
        application.summary,
        "",
    )


def test_a_project_needs_a_title_in_at_least_one_language(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    with pytest.raises(DomainError) as error, db.session.begin_nested():
        _approve(officer, application, texts=svc.ProjectTexts(title_en="  ", summary_en="Text"))
    assert error.value.field == "title_kk"
    db.session.expire_all()
    assert application.status == S.UNDER_REVIEW and application.project is None


def test_the_project_leads_back_to_its_application(officer):
    application = factories.application_in(S.UNDER_REVIEW)
    project = _approve(officer, application)
    assert svc.application_of(db.session, project) is application
    assert svc.application_of(db.session, factories.ProjectFactory()) is None
