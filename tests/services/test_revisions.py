"""A revision round loses nothing: the draft after a revision request starts from every answer of
the update sent back, results and breakdowns included; a changed result is changed when the
update is resubmitted (its earlier value kept in its history) and moves with it, an unchanged one
just moves; a verified result is the fund's; the officer sees exactly what changed."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import (
    Dimension,
    MilestoneStatus,
    Notification,
    ResultStatus,
    StoredFile,
    UpdateResult,
    UpdateStatus,
)
from fundtracker.services import files, milestone_page, milestones, outcomes, revisions
from fundtracker.services.errors import Conflict, DomainError
from tests import factories
from tests.factories import PDF_BYTES

TODAY = date(2026, 11, 25)
Q3 = date(2026, 7, 1)
Q2 = date(2026, 4, 1)
ASKED = "The girls' figure of Q3 looks low; please check the register."


@pytest.fixture
def setup(grantee, officer):
    project = factories.ProjectFactory(
        organisation=grantee.organisation,
        officer=officer,
        regions=[factories.region("KZ-71"), factories.region("KZ-75")],
    )
    milestone = factories.MilestoneFactory(project=project, due_date=TODAY + timedelta(days=10))
    line = factories.BudgetLineFactory(project=project)
    children = factories.ProjectIndicatorFactory(project=project, by_region=False, by_age=True)
    families = factories.ProjectIndicatorFactory(project=project, by_region=False)
    return project, milestone, line, children, families


def _update(line, **overrides):
    data = dict(
        narrative="Equipment installed in Ulytau; 20 children started therapy.",
        progress=60,
        beneficiaries=20,
        spending={line.id: 10_000_000_00},
    )
    data.update(overrides)
    return milestones.UpdateData(**data)


def _children(value, female, male, ages=None, period=Q3):
    cells = {Dimension.SEX: {"female": female, "male": male}}
    cells[Dimension.AGE] = ages or {"3-6": female, "7-11": male}
    return outcomes.ResultData(period, value, cells)


def _families(value, female, male, period=Q3):
    return outcomes.ResultData(period, value, {Dimension.SEX: {"female": female, "male": male}})


def _save(grantee, milestone, line, results, submit=True, **data):
    return milestones.save_and_submit(
        db.session,
        file_storage(),
        grantee,
        milestone,
        _update(line, **data),
        results=results,
        submit=submit,
        today=TODAY,
    )


def _review(officer, milestone, accept, comment=""):
    milestones.review(
        db.session,
        officer,
        milestone,
        accept=accept,
        comment=comment,
        approve_tranche=False,
        today=TODAY,
    )


@pytest.fixture
def sent_back(setup, grantee, officer):
    """The grantee reported both indicators with the update; the officer asked for a revision."""
    project, milestone, line, children, families = setup
    draft = milestones.draft_for(db.session, grantee, milestone)
    factories.stored_file(project, grantee, kind="evidence", update=draft)
    saved = _save(
        grantee, milestone, line, [(children, _children(20, 8, 12)), (families, _families(9, 5, 4))]
    )
    assert saved.submitted, saved.missing
    _review(officer, milestone, accept=False, comment=ASKED)
    assert milestone.status == MilestoneStatus.REVISION_REQUESTED
    return saved.update


def test_the_revision_form_starts_from_every_answer_of_the_update_sent_back(
    setup, sent_back, grantee
):
    project, milestone, line, children, families = setup
    answers = outcomes.update_answers(db.session, milestone)
    assert answers[children.id].data == outcomes.ResultData(
        Q3,
        20,
        {Dimension.SEX: {"female": 8, "male": 12}, Dimension.AGE: {"3-6": 8, "7-11": 12}},
        "",
    )
    assert answers[children.id].carried.milestone_update_id == sent_back.id
    assert answers[families.id].data.value == 9
    # A draft made now carries them on, and so does the form made from it.
    milestones.draft_for(db.session, grantee, milestone)
    assert outcomes.update_answers(db.session, milestone) == answers
    slots = milestone_page.result_slots(db.session, grantee, milestone, TODAY, "en")
    assert [s.answer for s in slots if s.fixed is None] == [
        answers[children.id],
        answers[families.id],
    ]


def test_a_resubmission_corrects_what_changed_and_carries_the_rest(
    setup, sent_back, grantee, officer
):
    project, milestone, line, children, families = setup
    child_result = outcomes.result_for(db.session, children, Q3)
    family_result = outcomes.result_for(db.session, families, Q3)

    # Saved as a draft first: the fund still sees what was submitted.
    changed = _children(22, 10, 12, ages={"3-6": 10, "7-11": 12})
    saved = _save(
        grantee,
        milestone,
        line,
        [(children, changed), (families, _families(9, 5, 4))],
        submit=False,
        narrative="Equipment installed in Ulytau; 22 children started therapy.",
    )
    assert not saved.refused_results
    assert child_result.value == 20 and child_result.milestone_update_id == sent_back.id
    assert outcomes.update_answers(db.session, milestone)[children.id].data == changed
    # Only the change waits in the draft; the unchanged result needs no row.
    pending = db.session.scalars(
        db.select(UpdateResult).where(UpdateResult.update_id == saved.update.id)
    ).all()
    assert [(p.result_id, p.value) for p in pending] == [(child_result.id, 22)]

    saved = _save(
        grantee,
        milestone,
        line,
        [(children, changed), (families, _families(9, 5, 4))],
        narrative="Equipment installed in Ulytau; 22 children started therapy.",
    )
    assert saved.submitted, saved.missing
    resubmitted = saved.update
    _review(officer, milestone, accept=True)
    db.session.expire_all()
    assert resubmitted.status == UpdateStatus.ACCEPTED
    assert sent_back.status == UpdateStatus.REVISION_REQUESTED

    # The changed result holds the corrected values, its earlier ones in its history.
    assert child_result.value == 22
    assert child_result.breakdown(Dimension.SEX) == {"female": 10, "male": 12}
    assert child_result.breakdown(Dimension.AGE) == {"3-6": 10, "7-11": 12}
    assert child_result.status == ResultStatus.REPORTED
    assert child_result.milestone_update_id == resubmitted.id
    (earlier,) = child_result.revisions
    assert earlier.value == 20
    assert earlier.cells == {"sex": {"female": 8, "male": 12}, "age": {"3-6": 8, "7-11": 12}}
    assert earlier.status == ResultStatus.REPORTED and earlier.changed_by_id == grantee.id
    assert "Revised in the update resubmitted on" in earlier.reason and ASKED in earlier.reason
    # The unchanged one moved along, with no history.
    assert family_result.value == 9 and family_result.revisions == []
    assert family_result.milestone_update_id == resubmitted.id
    # Still one result per period.
    assert len(children.results) == 1 and len(families.results) == 1

    # What each submission carried is kept with it, and the officer sees exactly what changed.
    diff = revisions.compare(db.session, sent_back, resubmitted)
    assert diff.changed
    assert diff.progress is None and diff.beneficiaries is None and diff.spending == ()
    assert "".join(p.text for p in diff.narrative if not p.added) == sent_back.narrative
    assert "".join(p.text for p in diff.narrative if not p.removed) == resubmitted.narrative
    assert [p.text for p in diff.narrative if p.added or p.removed] == ["20", "22"]
    (result_change,) = diff.results
    assert (result_change.indicator_id, result_change.period_start) == (children.id, Q3)
    assert (result_change.before, result_change.after) == (20, 22)
    assert [(c.dimension, c.category, c.before, c.after) for c in result_change.cells] == [
        (Dimension.SEX, "female", 8, 10),
        (Dimension.AGE, "3-6", 8, 10),
    ]


def test_the_officer_sees_the_changes_of_the_update_waiting_for_review(
    setup, sent_back, grantee, officer
):
    project, milestone, line, children, families = setup
    assert revisions.for_review(db.session, milestone) is None  # nothing waits
    _save(
        grantee,
        milestone,
        line,
        [(children, _children(20, 8, 12)), (families, _families(10, 5, 5))],
        progress=80,
        spending={line.id: 12_000_000_00},
    )
    page = milestone_page.build(db.session, officer, milestone, TODAY, "en")
    changes = page.changes
    assert changes.changed and changes.narrative is None
    assert [(r.label, r.before, r.after) for r in changes.figures] == [("Progress", "60%", "80%")]
    assert [(r.before, r.after) for r in changes.spending] == [("₸10,000,000", "₸12,000,000")]
    (row,) = changes.results
    assert (row.before, row.after) == ("9", "10")
    assert [(c.breakdown, c.label, c.before, c.after) for c in row.cells] == [
        ("By sex", "Boys and men", "4", "5")
    ]
    # The grantee's page has no such comparison.
    assert milestone_page.build(db.session, grantee, milestone, TODAY, "en").changes is None


def test_a_resubmission_without_changes_moves_every_result_and_the_diff_is_empty(
    setup, sent_back, grantee
):
    project, milestone, line, children, families = setup
    saved = milestones.save_and_submit(
        db.session, file_storage(), grantee, milestone, _update(line), submit=True, today=TODAY
    )
    assert saved.submitted
    for indicator in (children, families):
        result = outcomes.result_for(db.session, indicator, Q3)
        assert result.milestone_update_id == saved.update.id and result.revisions == []
    assert not revisions.compare(db.session, sent_back, saved.update).changed


def test_a_queried_result_corrected_in_the_revision_goes_back_to_the_fund(
    setup, sent_back, grantee, officer
):
    project, milestone, line, children, families = setup
    child_result = outcomes.result_for(db.session, children, Q3)
    family_result = outcomes.result_for(db.session, families, Q3)
    outcomes.query(db.session, officer, child_result, "Girls look too few.")
    outcomes.query(db.session, officer, family_result, "Please confirm.")
    slots = {
        s.indicator.id: s
        for s in milestone_page.result_slots(db.session, grantee, milestone, TODAY, "en")
    }
    assert str(slots[children.id].note) == "The fund queried this result: Girls look too few."
    _save(
        grantee,
        milestone,
        line,
        [
            (children, _children(21, 9, 12, ages={"3-6": 9, "7-11": 12})),
            (families, _families(9, 5, 4)),
        ],
    )
    assert child_result.status == ResultStatus.REPORTED and child_result.value == 21
    assert family_result.status == ResultStatus.QUERIED  # unchanged: still the fund's question
    assert family_result.milestone_update_id == milestone.updates[-1].id
    # The officer hears of the resubmission once, not once more per answered query.
    told = db.session.scalars(
        select(Notification.message_key)
        .where(Notification.user_id == officer.id)
        .order_by(Notification.id)
    ).all()
    assert told == ["update_submitted", "update_submitted"]


def test_a_verified_result_is_the_funds_and_moves_along_unchanged(
    setup, sent_back, grantee, officer
):
    project, milestone, line, children, families = setup
    child_result = outcomes.result_for(db.session, children, Q3)
    outcomes.verify(db.session, officer, child_result)
    slots = {
        s.indicator.id: s
        for s in milestone_page.result_slots(db.session, grantee, milestone, TODAY, "en")
    }
    fixed = slots[children.id].fixed
    assert fixed is not None and fixed.value == "20" and fixed.status == "Verified"
    assert slots[families.id].fixed is None
    draft = milestones.draft_for(db.session, grantee, milestone)
    with pytest.raises(Conflict) as error:
        outcomes.answer_in_update(
            db.session, grantee, children, _children(25, 13, 12), draft, TODAY
        )
    assert error.value.field == "value"
    # The same values are no change: nothing is refused.
    outcomes.answer_in_update(db.session, grantee, children, _children(20, 8, 12), draft, TODAY)

    saved = _save(grantee, milestone, line, [(families, _families(9, 5, 4))])
    assert saved.submitted
    assert child_result.status == ResultStatus.VERIFIED and child_result.value == 20
    assert child_result.revisions == []
    assert child_result.milestone_update_id == saved.update.id


def test_an_emptied_result_stays_with_the_update_sent_back(setup, sent_back, grantee):
    project, milestone, line, children, families = setup
    emptied = outcomes.ResultData(Q3, None)
    saved = _save(grantee, milestone, line, [(children, emptied), (families, _families(9, 5, 4))])
    assert saved.submitted
    child_result = outcomes.result_for(db.session, children, Q3)
    assert child_result.milestone_update_id == sent_back.id
    assert child_result.status == ResultStatus.REPORTED and child_result.value == 20
    (change,) = revisions.compare(db.session, sent_back, saved.update).results
    assert (change.indicator_id, change.before, change.after) == (children.id, 20, None)


def test_another_period_is_a_new_result_and_the_carried_one_stays(setup, sent_back, grantee):
    project, milestone, line, children, families = setup
    saved = _save(
        grantee,
        milestone,
        line,
        [(children, _children(7, 3, 4, period=Q2)), (families, _families(9, 5, 4))],
        submit=False,
    )
    assert outcomes.update_answers(db.session, milestone)[children.id].data.period_start == Q2
    # Back to the carried period: the new draft result goes, the carried one is carried again.
    _save(grantee, milestone, line, [(children, _children(20, 8, 12))], submit=False)
    assert outcomes.result_for(db.session, children, Q2) is None
    answer = outcomes.update_answers(db.session, milestone)[children.id]
    assert answer.carried is not None and answer.data.value == 20
    # A period reported elsewhere is refused, on its field, as before; the rest is kept.
    factories.indicator_result(families, Q2, 4)
    saved = _save(grantee, milestone, line, [(families, _families(4, 2, 2, period=Q2))])
    assert not saved.submitted
    assert saved.refused_results[families.id].field == "period"
    assert len([r for r in families.results if r.period_start == Q2]) == 1


def test_a_breakdown_change_that_does_not_add_up_stops_the_submission(setup, sent_back, grantee):
    project, milestone, line, children, families = setup
    saved = _save(grantee, milestone, line, [(children, _children(20, 9, 12))])
    assert not saved.submitted
    assert [str(m) for m in saved.missing] == [
        f"why the breakdowns of “{children.title('en')}” do not add up to its value"
    ]
    assert outcomes.result_for(db.session, children, Q3).value == 20  # unchanged until then


def test_narrative_pieces_give_back_both_texts():
    before = "Twelve families  were reached in Abai.\nPhotos attached."
    after = "Fourteen families were reached in Abai and Ulytau.\nPhotos attached."
    pieces = revisions.narrative_pieces(before, after)
    assert "".join(p.text for p in pieces if not p.added) == before
    assert "".join(p.text for p in pieces if not p.removed) == after
    assert [p.text for p in pieces if p.removed] == ["Twelve", "  ", "Abai."]
    assert [p.text for p in pieces if p.added] == ["Fourteen", " ", "Abai and Ulytau."]
    assert revisions.narrative_pieces("same", "same") == (revisions.Piece("same"),)


def test_files_stored_before_a_failure_are_removed(setup, grantee, monkeypatch):
    project, milestone, line, children, families = setup

    def fail(*args, **kwargs):
        raise DomainError("boom")

    monkeypatch.setattr(milestones, "_save_results", fail)
    storage = file_storage()
    upload = files.Upload(io.BytesIO(PDF_BYTES), "act.pdf")
    with pytest.raises(DomainError):
        milestones.save_and_submit(
            db.session, storage, grantee, milestone, _update(line), uploads=[upload], today=TODAY
        )
    (stored,) = db.session.scalars(
        db.select(StoredFile).where(StoredFile.project_id == project.id)
    ).all()  # the caller rolls the row back; the file itself is gone already
    assert not storage.path(stored.storage_key).exists()
