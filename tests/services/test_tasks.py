"""What waits for each role ("My tasks"): what each sees and does not see, the badge's count
agreeing with the page, the items going once they are done, and a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest.mock import patch

import pytest

from fundtracker.core.extensions import db
from fundtracker.models import (
    ApplicationStatus,
    ConflictDeclaration,
    MilestoneStatus,
    MilestoneUpdate,
    OrganisationRegistration,
    ProjectStatus,
    ResultStatus,
    ReviewAssignment,
    Role,
    TrancheStatus,
    UpdateStatus,
    utcnow,
)
from fundtracker.services import applications as application_service
from fundtracker.services import milestones, payments, registration, tasks
from fundtracker.services import reviews as review_service
from tests import factories
from tests.conftest import login_as

TODAY = date(2026, 11, 25)
S = ApplicationStatus


def titles(my_tasks) -> dict[str, list[str]]:
    return {g.key: [str(r.title) for r in g.rows] for g in my_tasks.groups}


def submitted_milestone(project, author, title, submitted_at, **kw):
    """A milestone whose update waits for the fund's review."""
    milestone = factories.MilestoneFactory(
        project=project, title=title, status=MilestoneStatus.SUBMITTED, **kw
    )
    db.session.add(
        MilestoneUpdate(
            milestone=milestone,
            author_id=author.id,
            status=UpdateStatus.SUBMITTED,
            narrative="Done.",
            progress=100,
            beneficiaries=10,
            submitted_at=submitted_at,
        )
    )
    db.session.flush()
    return milestone


def registered(name, verified=False):
    organisation = factories.OrganisationFactory(name=name)
    db.session.add(
        OrganisationRegistration(
            organisation_id=organisation.id, verified_at=utcnow() if verified else None
        )
    )
    db.session.flush()
    return organisation


def result(project, status, title, locked=False, **kw):
    indicator = factories.ProjectIndicatorFactory(project=project, standard=None, name=title)
    return factories.indicator_result(
        indicator, date(2026, 1, 1), 10, status=status, locked=locked, **kw
    )


@pytest.fixture
def portfolio(grantee, officer):
    """Two organisations' projects: A's (the `grantee`'s) is the officer's, B's a colleague's."""
    colleague = factories.UserFactory(role=Role.OFFICER)
    grantee_b = factories.UserFactory(grantee=True)
    mine = factories.ProjectFactory(organisation=grantee.organisation, officer=officer)
    theirs = factories.ProjectFactory(organisation=grantee_b.organisation, officer=colleague)
    return mine, theirs, grantee_b


# Fund staff ------------------------------------------------------------------------------------


def test_an_officer_sees_what_waits_for_the_fund_own_projects_first(
    officer, admin, grantee, portfolio
):
    mine, theirs, grantee_b = portfolio
    early = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    submitted_milestone(theirs, grantee_b, "Their report", early)
    submitted_milestone(mine, grantee, "My report", early + timedelta(days=3))
    closed = factories.ProjectFactory(status=ProjectStatus.CLOSED)
    submitted_milestone(closed, grantee, "Closed project's report", early)
    factories.MilestoneFactory(project=mine, title="Not yet reported")

    result(mine, ResultStatus.REPORTED, "Children treated", reported_at=early)
    result(mine, ResultStatus.REPORTED, "Locked result", locked=True)
    result(mine, ResultStatus.VERIFIED, "Verified result")
    result(mine, ResultStatus.DRAFT, "Draft result")

    accepted = factories.MilestoneFactory(
        project=mine, title="Accepted work", status=MilestoneStatus.ACCEPTED
    )
    planned = factories.MilestoneFactory(project=mine, title="Work not done yet")
    factories.TrancheFactory(project=mine, milestone=accepted)
    # No milestone: not on hold; planned before the other, yet after it for its officer.
    factories.TrancheFactory(project=theirs, milestone=None, planned_date=date(2099, 1, 1))
    factories.TrancheFactory(project=mine, milestone=planned)  # on hold
    approved = factories.MilestoneFactory(project=theirs, title="Paid for")
    factories.TrancheFactory(
        project=theirs,
        milestone=approved,
        status=TrancheStatus.APPROVED,
        approved_at=early,
    )
    suspended = factories.ProjectFactory(status=ProjectStatus.SUSPENDED)
    factories.TrancheFactory(project=suspended, status=TrancheStatus.APPROVED)

    factories.application_in(S.SUBMITTED, title="To screen")
    factories.application_in(S.SCREENED, title="Eligible")
    factories.application_in(S.UNDER_REVIEW, title="Scored")
    waiting = factories.application_in(S.UNDER_REVIEW, title="Waiting for a reviewer")
    review_service.assign_reviewer(
        db.session, officer, waiting, factories.UserFactory(role=Role.REVIEWER)
    )
    factories.application_in(S.DRAFT, title="A draft")
    factories.application_in(S.REJECTED, title="Rejected")
    registered("New fund")
    registered("Known fund", verified=True)

    for user in (officer, admin):
        seen = titles(tasks.tasks_for(db.session, user, TODAY))
        assert seen == {
            "review_updates": (
                ["My report", "Their report"] if user is officer else ["Their report", "My report"]
            ),
            "verify_results": ["Children treated"],
            "approve_tranches": (
                ["Accepted work", "Tranche"] if user is officer else ["Tranche", "Accepted work"]
            ),
            "pay_tranches": ["Paid for"],
            "screen_applications": ["To screen"],
            "assign_reviewers": ["Eligible"],
            "decide_applications": ["Scored"],
            "verify_organisations": ["New fund"],
        }
    page = tasks.tasks_for(db.session, officer, TODAY)
    review = page.groups[0]
    assert [r.own for r in review.rows] == [True, False]
    assert review.rows[0].endpoint == "milestones.detail" and review.rows[0].anchor == "review"
    assert review.rows[0].moment == early + timedelta(days=3)
    assert review.rows[0].code == mine.code and review.rows[0].context == mine.title("en")


def test_an_application_all_of_whose_reviewers_withdrew_waits_for_reviewers(officer):
    application = factories.application_in(S.SCREENED, title="Everyone conflicted")
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    assignment = review_service.assign_reviewer(db.session, officer, application, reviewer)
    review_service.declare_conflict(db.session, reviewer, assignment, True, "My cousin")
    seen = titles(tasks.tasks_for(db.session, officer, TODAY))
    assert seen == {"assign_reviewers": ["Everyone conflicted"]}


def test_items_go_once_done(officer, grantee, portfolio):
    mine, _theirs, _ = portfolio
    milestone = submitted_milestone(mine, grantee, "My report", utcnow())
    tranche = factories.TrancheFactory(project=mine, milestone=milestone)
    organisation = registered("New fund")
    before = tasks.tasks_for(db.session, officer, TODAY)
    assert titles(before) == {"review_updates": ["My report"], "verify_organisations": ["New fund"]}
    assert tasks.count_for(db.session, officer, TODAY) == 2

    milestones.review(
        db.session,
        officer,
        milestone,
        accept=True,
        comment="",
        approve_tranche=False,
        today=TODAY,
    )
    registration.verify_organisation(db.session, officer, organisation)
    assert titles(tasks.tasks_for(db.session, officer, TODAY)) == {
        "approve_tranches": ["My report"]
    }

    payments.approve(db.session, officer, tranche, TODAY)
    assert titles(tasks.tasks_for(db.session, officer, TODAY)) == {"pay_tranches": ["My report"]}
    payments.record_payment(db.session, officer, tranche, TODAY, "PP-1", TODAY)
    assert tasks.tasks_for(db.session, officer, TODAY).groups == []
    assert tasks.count_for(db.session, officer, TODAY) == 0


# Reviewers -------------------------------------------------------------------------------------


def test_a_reviewer_sees_their_own_open_assignments(officer):
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    someone_else = factories.UserFactory(role=Role.REVIEWER)

    def assigned(title, to=reviewer):
        application = factories.application_in(S.SCREENED, title=title)
        return review_service.assign_reviewer(db.session, officer, application, to)

    pending = assigned("Secret title")
    to_score = assigned("To score")
    review_service.declare_conflict(db.session, reviewer, to_score, False)
    scored = factories.application_in(S.UNDER_REVIEW, title="Scored by another")
    db.session.add(
        ReviewAssignment(
            application=scored,
            reviewer_id=reviewer.id,
            conflict=ConflictDeclaration.NONE,
            submitted_at=utcnow(),
        )
    )
    conflicted = assigned("Conflicted")
    review_service.declare_conflict(db.session, reviewer, conflicted, True, "My cousin")
    assigned("Not mine", to=someone_else)
    decided = assigned("Returned meanwhile")
    application_service.transition(db.session, officer, decided.application, S.RETURNED, "Fix it")

    page = tasks.tasks_for(db.session, reviewer, TODAY)
    assert titles(page) == {
        # Until they declare no conflict, a reviewer sees the application's number only.
        "declare_interests": [f"Application no. {pending.application_id}"],
        "score_applications": ["To score"],
    }
    row = page.groups[0].rows[0]
    assert (row.endpoint, row.args) == ("applications.review", {"assignment_id": pending.id})
    assert tasks.count_for(db.session, reviewer, TODAY) == 2

    review_service.declare_conflict(db.session, reviewer, pending, False)
    review_service.submit_scores(
        db.session, reviewer, to_score, {c.id: (3, "") for c in to_score.application.call.criteria}
    )
    assert titles(tasks.tasks_for(db.session, reviewer, TODAY)) == {
        "score_applications": ["Secret title"]
    }


# Grantees --------------------------------------------------------------------------------------


def test_a_grantee_sees_only_their_organisations_items(grantee, portfolio):
    mine, theirs, grantee_b = portfolio
    org = grantee.organisation
    for project, prefix in ((mine, "Ours"), (theirs, "Theirs")):
        factories.MilestoneFactory(
            project=project, title=f"{prefix}: due soon", due_date=TODAY + timedelta(days=10)
        )
        factories.MilestoneFactory(
            project=project,
            title=f"{prefix}: to revise",
            due_date=TODAY + timedelta(days=200),
            status=MilestoneStatus.REVISION_REQUESTED,
        )
        result(project, ResultStatus.QUERIED, f"{prefix}: queried", reviewed_at=utcnow())
    factories.MilestoneFactory(project=mine, title="Late", due_date=TODAY - timedelta(days=3))
    factories.MilestoneFactory(project=mine, title="Later", due_date=TODAY + timedelta(days=31))
    factories.MilestoneFactory(
        project=mine,
        title="Sent",
        due_date=TODAY - timedelta(days=1),
        status=MilestoneStatus.SUBMITTED,
    )
    result(mine, ResultStatus.QUERIED, "Locked", locked=True)
    result(mine, ResultStatus.REPORTED, "Reported")
    suspended = factories.ProjectFactory(organisation=org, status=ProjectStatus.SUSPENDED)
    factories.MilestoneFactory(project=suspended, title="Suspended", due_date=TODAY)

    ours = dict(organisation=org, created_by=grantee)
    factories.application_in(S.RETURNED, title="Returned to us", **ours)
    factories.application_in(S.DRAFT, title="Our draft", **ours)
    factories.application_in(S.SUBMITTED, title="Our submission", **ours)
    closed_call = factories.CallFactory(closes_at=utcnow() - timedelta(days=1))
    factories.application_in(S.DRAFT, title="Too late", call=closed_call, **ours)
    factories.application_in(
        S.DRAFT, title="Their draft", organisation=grantee_b.organisation, created_by=grantee_b
    )

    page = tasks.tasks_for(db.session, grantee, TODAY)
    assert titles(page) == {
        "milestones_due": ["Late", "Ours: due soon"],
        "milestones_revise": ["Ours: to revise"],
        "results_queried": ["Ours: queried"],
        "applications_returned": ["Returned to us"],
        "application_drafts": ["Our draft"],
    }
    late, soon = page.groups[0].rows
    assert late.overdue and not soon.overdue and late.day == TODAY - timedelta(days=3)
    assert (late.endpoint, late.anchor) == ("milestones.detail", "update")
    assert page.groups[2].rows[0].endpoint == "outcomes.result_correct"
    assert page.groups[3].rows[0].endpoint == "applications.edit"
    assert tasks.count_for(db.session, grantee, TODAY) == page.total == 6
    assert titles(tasks.tasks_for(db.session, grantee_b, TODAY))["milestones_due"] == [
        "Theirs: due soon"
    ]


# Everyone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.BOARD, Role.ADMIN, Role.REVIEWER])
def test_nothing_waits_for_a_user_with_nothing_to_do(role, grantee):
    factories.MilestoneFactory(
        project=factories.ProjectFactory(organisation=grantee.organisation),
        due_date=TODAY,
    )
    user = factories.UserFactory(role=role)
    assert tasks.tasks_for(db.session, user, TODAY).groups == []
    assert tasks.count_for(db.session, user, TODAY) == 0


def test_the_board_has_no_tasks_whatever_waits_for_the_fund(grantee, portfolio):
    mine, _, _ = portfolio
    submitted_milestone(mine, grantee, "My report", utcnow())
    factories.application_in(S.SUBMITTED)
    board = factories.UserFactory(role=Role.BOARD)
    assert tasks.tasks_for(db.session, board, TODAY).groups == []
    assert tasks.count_for(db.session, board, TODAY) == 0


def test_a_group_shows_fifty_rows_and_counts_the_rest(officer):
    for n in range(tasks.ROW_LIMIT + 2):
        registered(f"Fund {n:02d}")
    page = tasks.tasks_for(db.session, officer, TODAY)
    (group,) = page.groups
    assert (group.count, len(group.rows), group.more) == (52, 50, 2)
    assert tasks.count_for(db.session, officer, TODAY) == page.total == 52


def test_a_fixed_number_of_queries_however_much_waits(officer, grantee, portfolio, sql_log):
    mine, theirs, grantee_b = portfolio

    def grow(n):
        for i in range(n):
            submitted_milestone(mine, grantee, f"Report {n}-{i}", utcnow())
            submitted_milestone(theirs, grantee_b, f"Their report {n}-{i}", utcnow())
            factories.TrancheFactory(project=mine)
            result(mine, ResultStatus.REPORTED, f"Result {n}-{i}")
            registered(f"Fund {n}-{i}")

    counts = []
    for n in (1, 4):
        grow(n)
        db.session.flush()
        sql_log.clear()
        tasks.tasks_for(db.session, officer, TODAY)
        page_queries = len(sql_log)
        sql_log.clear()
        tasks.count_for(db.session, officer, TODAY)
        counts.append((page_queries, len(sql_log)))
    assert counts[0] == counts[1] == (len(tasks.STAFF_GROUPS), 1)


def test_the_badge_count_stops_at_its_limit(officer, grantee, portfolio, client):
    """The navigation counts at most BADGE_LIMIT things (each group's COUNT stops there) and
    shows "99+" beyond: an exact count of every result to verify cost a third of a second on
    each page at the L scale."""
    mine, _theirs, _ = portfolio
    for n in range(3):
        submitted_milestone(mine, grantee, f"Report {n}", utcnow())
    registered("New fund")
    assert tasks.count_for(db.session, officer, TODAY) == 4
    assert tasks.count_for(db.session, officer, TODAY, limit=3) == 3
    assert tasks.count_for(db.session, officer, TODAY, limit=2) == 2

    login_as(client, officer)
    with patch.object(tasks, "BADGE_LIMIT", 3):
        body = client.get("/projects/").get_data(as_text=True)
    assert 'id="tasks-count" aria-hidden="true">2+</span>' in body
    assert "More than 2 tasks wait for you." in body
