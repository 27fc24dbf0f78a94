"""Publishing periods of outcome figures: what holds a period back, a period published with the
periods inside it, once; its results locked against every change, a late result refused, the
indicators they count kept as they were; the board and the officers told; the officers' listing
of what is ready, and the hidden cells of a publication with their true values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.disclosure import grid
from fundtracker.models import (
    CellStatus,
    Dimension,
    IndicatorType,
    Notification,
    Publication,
    PublishedCell,
    ResultStatus,
    Role,
)
from fundtracker.services import messages, milestones, outcomes, publications, workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.publications.publish import (
    PUBLISHED_EVENT,
    hidden_cells,
    oldest_first,
    readiness,
    waiting_results,
)
from tests import factories

TODAY = date(2026, 5, 4)  # 2025 and 2026 Q1 have ended
Q1, Q2, Q3, Q4 = (date(2025, m, 1) for m in (1, 4, 7, 10))


@pytest.fixture
def project(grantee, officer):
    return factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        start_date=date(2025, 1, 15),
        end_date=date(2026, 12, 31),
    )


@pytest.fixture
def indicator(project):
    return factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=True)


def _verified(indicator, start, value=12, female=None):
    female = value // 2 if female is None else female
    cells = {"sex": {"female": female, "male": value - female}}
    return factories.indicator_result(indicator, start, value, ResultStatus.VERIFIED, cells)


@pytest.fixture
def year_2025(indicator):
    """A verified result in each quarter of 2025."""
    return [_verified(indicator, start) for start in (Q1, Q2, Q3, Q4)]


def _publish(actor, key, **kw):
    return publications.publish(db.session, actor, key, TODAY, **kw)


def _told(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


# What holds a period back ----------------------------------------------------------------------


def test_a_period_with_results_not_verified_or_not_ended_is_not_published(indicator, officer):
    _verified(indicator, Q1)
    factories.indicator_result(indicator, Q2, 7)  # reported, not verified
    q2, h1 = grid.parse("2025-Q2"), grid.parse("2025-H1")
    expected = "1 result of 2025 Q2 is not verified yet: verify it (or have it corrected) first."
    assert [str(p) for p in publications.problems(db.session, q2, TODAY)] == [expected]
    assert "1 result of 2025 H1" in str(publications.problems(db.session, h1, TODAY)[0])
    with pytest.raises(Conflict, match="2025 Q2 is not verified"):
        _publish(officer, "2025-Q2")
    with pytest.raises(Conflict, match="not verified"):
        _publish(officer, "2025-H1")  # its Q2 holds it back
    with pytest.raises(Conflict, match="2026 Q2 has not ended yet"):
        _publish(officer, "2026-Q2")
    assert db.session.scalars(select(Publication)).all() == []


def test_only_staff_publish(indicator, grantee):
    _verified(indicator, Q1)
    board = factories.UserFactory(role=Role.BOARD)
    for who in (grantee, board):
        with pytest.raises(NotAllowed):
            _publish(who, "2025-Q1")


# Publishing ------------------------------------------------------------------------------------


def test_publishing_a_half_year_publishes_its_quarters_and_a_year_the_rest(year_2025, officer):
    made = _publish(officer, "2025-H1")
    assert [p.period for p in made] == ["2025-Q1", "2025-Q2", "2025-H1"]
    assert all(p.published_by_id == officer.id for p in made)
    assert made[0].audit["together"] == ["2025-Q1", "2025-Q2", "2025-H1"]
    assert made[0].audit["passed"] and made[0].audit["cells"] > 0
    db.session.expire_all()
    assert [r.locked for r in year_2025] == [True, True, False, False]

    made = _publish(officer, "2025")
    assert [p.period for p in made] == ["2025-Q3", "2025-Q4", "2025-H2", "2025"]
    db.session.expire_all()
    assert all(r.locked for r in year_2025)
    assert publications.published_periods(db.session) == {
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2025-H1",
        "2025-H2",
        "2025",
    }


def test_a_period_is_published_once(year_2025, officer):
    first = _publish(officer, "2025-Q1")
    with pytest.raises(Conflict, match="2025 Q1 is published already"):
        _publish(officer, "2025-Q1")
    assert publications.find(db.session, "2025-Q1") is first[0]


# Published results change no more ----------------------------------------------------------------


def test_a_published_result_refuses_every_change(year_2025, officer, grantee):
    _publish(officer, "2025-Q1")
    published = year_2025[0]
    data = outcomes.ResultData(Q1, 13, {Dimension.SEX: {"female": 6, "male": 7}})
    for who in (officer, grantee):
        with pytest.raises(Conflict, match="2025 Q1 were published on") as refused:
            outcomes.correct_result(db.session, who, published, data, "typo", TODAY)
        assert "contact the fund" in str(refused.value.message)
    db.session.refresh(published)
    assert published.value == 12 and published.revisions == []


def test_a_result_slipped_into_a_published_period_is_neither_verified_nor_queried(
    year_2025, officer, indicator
):
    _publish(officer, "2025")
    other = factories.ProjectIndicatorFactory(project=indicator.project)
    # Past every service: a reported result in a published period (the guard is the last line).
    slipped = factories.indicator_result(other, Q2, 3)
    assert workflow.allowed(officer, slipped) == []
    with pytest.raises(DomainError, match="2025 Q2 were published on"):
        outcomes.verify(db.session, officer, slipped)
    with pytest.raises(DomainError, match="2025 Q2 were published on"):
        outcomes.query(db.session, officer, slipped, "Check it")
    assert slipped.status == ResultStatus.REPORTED


def test_a_late_result_for_a_published_period_is_refused(year_2025, officer, grantee, project):
    _publish(officer, "2025-H1")
    late = factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=False)
    with pytest.raises(Conflict, match="2025 Q2 were published on") as refused:
        outcomes.report_result(db.session, grantee, late, outcomes.ResultData(Q2, 4), TODAY)
    assert refused.value.field == "period"
    # Q3 is not published: reported as ever.
    assert outcomes.report_result(db.session, grantee, late, outcomes.ResultData(Q3, 4), TODAY)


def test_a_late_result_in_a_milestone_update_is_refused_and_the_draft_kept(
    year_2025, officer, grantee, project
):
    _publish(officer, "2025-H1")
    late = factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=False)
    milestone = factories.MilestoneFactory(project=project, due_date=TODAY + timedelta(days=10))
    line = factories.BudgetLineFactory(project=project)
    data = milestones.UpdateData(
        narrative="Therapy started.", progress=50, beneficiaries=9, spending={line.id: 100_00}
    )
    saved = milestones.save_and_submit(
        db.session,
        file_storage(),
        grantee,
        milestone,
        data,
        results=[(late, outcomes.ResultData(Q1, 4))],
        submit=True,
        today=TODAY,
    )
    assert not saved.submitted and saved.update.narrative == "Therapy started."
    error = saved.refused_results[late.id]
    assert "2025 Q1 were published on" in str(error.message) and error.field == "period"
    assert outcomes.drafts_in_update(db.session, saved.update) == []


def test_an_indicator_with_published_results_keeps_what_they_count(year_2025, officer, indicator):
    _publish(officer, "2025-Q1")

    def edit(**changes):
        data = outcomes.IndicatorData(
            standard_id=indicator.standard_id,
            type=indicator.type,
            baseline=0,
            target=indicator.target,
            cumulative=indicator.cumulative,
            frequency=indicator.frequency,
            by_sex=True,
        )
        for name, value in changes.items():
            setattr(data, name, value)
        return outcomes.edit_indicator(db.session, officer, indicator, data)

    for change in (
        {"standard_id": None, "name": "Pupils", "type": IndicatorType.PERCENTAGE},
        {"standard_id": factories.StandardIndicatorFactory().id},
        {"cumulative": True},
    ):
        with (
            pytest.raises(Conflict, match="2025 Q1, published on") as refused,
            db.session.begin_nested(),
        ):
            edit(**change)
        assert refused.value.field == "type"
    assert edit(target=500).target == 500  # the rest may change
    # An indicator none of whose results is published changes as before.
    fresh = factories.ProjectIndicatorFactory(project=indicator.project)
    fresh_data = outcomes.IndicatorData(standard_id=None, name="Visits", type=IndicatorType.COUNT)
    assert outcomes.edit_indicator(db.session, officer, fresh, fresh_data).standard_id is None


# People are told --------------------------------------------------------------------------------


def test_publishing_tells_the_board_and_the_officers_in_their_language(year_2025, officer, grantee):
    board = factories.UserFactory(role=Role.BOARD, locale="kk")
    colleague = factories.UserFactory(role=Role.OFFICER, locale="en")
    admin = factories.UserFactory(role=Role.ADMIN)
    _publish(officer, "2025-H1")
    (to_board,) = _told(board)
    (to_colleague,) = _told(colleague)
    assert to_board.message_key == to_colleague.message_key == PUBLISHED_EVENT
    assert to_colleague.subject == "Outcome figures for 2025 H1 are published"
    assert to_board.url == "/outcomes/portfolio?period=2025-H1"
    assert to_colleague.url == "/outcomes/publications/2025-H1"
    assert messages.text_of(to_board, "en")[0] == "Outcome figures for 2025 H1 are published"
    # Nobody else, and not the officer who published.
    assert _told(officer) == _told(grantee) == _told(admin) == []


def test_a_publication_asked_not_to_tell_tells_nobody(year_2025, officer):
    board = factories.UserFactory(role=Role.BOARD)
    _publish(officer, "2025-Q1", tell=False)
    assert _told(board) == []


# The officers' listing -------------------------------------------------------------------------


def test_readiness_lists_every_ended_period_with_what_holds_it_back(year_2025, officer, indicator):
    factories.indicator_result(indicator, date(2026, 1, 1), 5)  # 2026 Q1: reported
    _publish(officer, "2025-H1")
    rows = {r.period.key: r for r in readiness(db.session, TODAY)}
    keys = [r.period.key for r in readiness(db.session, TODAY)]
    assert keys == [
        "2026-Q1",
        "2025",
        "2025-H2",
        "2025-Q4",
        "2025-Q3",
        "2025-H1",
        "2025-Q2",
        "2025-Q1",
    ]
    assert rows["2025-Q1"].publication is not None and not rows["2025-Q1"].ready
    assert rows["2025"].ready and [p.key for p in rows["2025"].parts] == [
        "2025-Q3",
        "2025-Q4",
        "2025-H2",
    ]
    assert not rows["2026-Q1"].ready and rows["2026-Q1"].waiting == {ResultStatus.REPORTED: 1}
    assert "1 result of 2026 Q1 is not verified yet" in str(rows["2026-Q1"].problems[0])
    assert [r.period.key for r in oldest_first(list(rows.values()))][-3:] == [
        "2025-H2",
        "2025",
        "2026-Q1",
    ]
    (waiting,) = waiting_results(db.session, grid.parse("2026-Q1"))
    assert waiting.indicator.project.code == indicator.project.code


def test_hidden_cells_keep_their_true_values_and_ranges(indicator, officer):
    _verified(indicator, Q1, value=12, female=3)  # 3 girls: a small count
    (publication,) = _publish(officer, "2025-Q1")
    cells = hidden_cells(db.session, publication)
    by_category = {c.category: c for c in cells if c.table == "sex"}
    assert by_category["female"].value == 3 and by_category["female"].status == CellStatus.PRIMARY
    assert by_category["female"].high - by_category["female"].low >= 5
    # The boys' 9 would give the girls' 3 away from the total of 12: hidden too.
    assert by_category["male"].value == 9 and by_category["male"].status == CellStatus.SECONDARY
    assert publication.audit["primary"] >= 1 and publication.audit["secondary"] >= 1


# A cumulative count's increases ------------------------------------------------------------------


@pytest.mark.parametrize(("q1_2025", "hidden"), [(52, True), (60, False)])
def test_a_cumulative_count_does_not_give_away_a_small_increase_across_years(
    officer, grantee, q1_2025, hidden
):
    """2024 published a project's 50 children (cumulative); 2025 Q1 reports 52. Shown, the two
    figures would tell of 2 new children: a count of 1-4 people never published, audited as if
    it were a hidden cell. An increase of 10 tells of 10 and is shown."""
    project = factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        start_date=date(2024, 1, 15),
        end_date=date(2026, 12, 31),
    )
    indicator = factories.ProjectIndicatorFactory(
        project=project, cumulative=True, by_region=False, by_sex=False
    )
    for start, value in ((date(2024, 7, 1), 41), (date(2024, 10, 1), 50)):
        factories.indicator_result(indicator, start, value, ResultStatus.VERIFIED)
    _publish(officer, "2024")
    factories.indicator_result(indicator, Q1, q1_2025, ResultStatus.VERIFIED)
    (publication,) = _publish(officer, "2025-Q1")
    cell = db.session.scalar(
        select(PublishedCell).where(
            PublishedCell.publication_id == publication.id,
            PublishedCell.standard_id == indicator.standard_id,
            PublishedCell.table == "project",
            PublishedCell.project_id == project.id,
        )
    )
    assert cell.value == q1_2025
    assert (cell.status == CellStatus.SECONDARY) is hidden
    # Nothing the board reads of 2025 Q1 gives the 52 back: every cell holding it is hidden.
    shown = db.session.scalars(
        select(PublishedCell.value).where(
            PublishedCell.publication_id == publication.id,
            PublishedCell.status == CellStatus.SHOWN,
        )
    ).all()
    assert (q1_2025 in shown) is not hidden
