"""Results: breakdowns that must add up or be explained, verification, locking, corrections that
keep the earlier value; stories whose photos lose their EXIF and location."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import Dimension, ResultStatus, Role
from fundtracker.services import files, outcomes
from fundtracker.services.errors import DomainError, NotAllowed
from tests import factories

TODAY = date(2025, 11, 20)
Q1 = date(2025, 1, 1)


@pytest.fixture
def setup():
    officer = factories.UserFactory(role=Role.OFFICER)
    grantee = factories.UserFactory(grantee=True)
    project = factories.ProjectFactory(
        organisation=grantee.organisation,
        regions=[factories.region("KZ-71"), factories.region("KZ-75")],
    )
    indicator = factories.ProjectIndicatorFactory(project=project, by_age=True)
    return officer, grantee, indicator


def _data(value, female, male, **kw):
    return outcomes.ResultData(Q1, value, {Dimension.SEX: {"female": female, "male": male}}, **kw)


def test_breakdowns_must_add_up_or_be_explained(setup):
    _, grantee, indicator = setup
    with pytest.raises(DomainError) as error:
        outcomes.report_result(db.session, grantee, indicator, _data(20, 8, 9), TODAY)
    assert error.value.field == "explanation"
    result = outcomes.report_result(
        db.session,
        grantee,
        indicator,
        _data(20, 8, 9, explanation="The sex of three children was not recorded."),
        TODAY,
    )
    assert result.status == ResultStatus.REPORTED
    assert result.breakdown(Dimension.SEX) == {"female": 8, "male": 9}
    with pytest.raises(DomainError):
        outcomes.report_result(db.session, grantee, indicator, _data(17, 8, 9), TODAY)


def test_periods_follow_the_frequency(setup):
    _, grantee, indicator = setup
    bad = outcomes.ResultData(date(2025, 2, 1), 5)
    with pytest.raises(DomainError) as error:
        outcomes.report_result(db.session, grantee, indicator, bad, TODAY)
    assert error.value.field == "period"
    result = outcomes.report_result(
        db.session, grantee, indicator, outcomes.ResultData(date(2025, 4, 1), 5), TODAY
    )
    assert (result.period_start, result.period_end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert outcomes.period_of(indicator.frequency, date(2025, 12, 31)) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )


def test_a_correction_keeps_the_earlier_value_and_goes_back_for_verification(setup):
    officer, grantee, indicator = setup
    result = outcomes.report_result(db.session, grantee, indicator, _data(20, 11, 9), TODAY)
    outcomes.verify(db.session, officer, result)
    assert result.status == ResultStatus.VERIFIED
    # A grantee cannot change a verified result; staff can, with a reason.
    with pytest.raises(NotAllowed):
        outcomes.correct_result(db.session, grantee, result, _data(21, 12, 9), "typo", TODAY)
    with pytest.raises(DomainError) as error:
        outcomes.correct_result(db.session, officer, result, _data(21, 12, 9), " ", TODAY)
    assert error.value.field == "reason"
    outcomes.correct_result(
        db.session, officer, result, _data(21, 12, 9), "One more girl was found.", TODAY
    )
    db.session.expire_all()
    assert result.value == 21
    (revision,) = result.revisions
    assert revision.value == 20
    assert revision.cells == {"sex": {"female": 11, "male": 9}}
    assert revision.status == ResultStatus.VERIFIED
    assert revision.reason == "One more girl was found."
    assert revision.changed_by_id == officer.id


def test_query_then_grantee_correction_then_lock(setup):
    officer, grantee, indicator = setup
    result = outcomes.report_result(db.session, grantee, indicator, _data(20, 11, 9), TODAY)
    with pytest.raises(DomainError):
        outcomes.query(db.session, officer, result, "")
    outcomes.query(db.session, officer, result, "The boys' figure looks high.")
    assert result.status == ResultStatus.QUERIED
    outcomes.correct_result(
        db.session, grantee, result, _data(18, 11, 7), "Two boys were counted twice.", TODAY
    )
    assert result.status == ResultStatus.REPORTED
    assert [r.value for r in result.revisions] == [20]
    with pytest.raises(DomainError):
        outcomes.lock(db.session, officer, result)  # not verified yet
    outcomes.verify(db.session, officer, result)
    outcomes.lock(db.session, officer, result)
    assert result.locked
    with pytest.raises(NotAllowed):
        outcomes.correct_result(db.session, officer, result, _data(19, 12, 7), "late", TODAY)
    with pytest.raises(DomainError):
        outcomes.query(db.session, officer, result, "again?")


def test_only_staff_verify_and_only_the_grantee_reports(setup):
    officer, grantee, indicator = setup
    with pytest.raises(NotAllowed):
        outcomes.report_result(db.session, officer, indicator, _data(20, 11, 9), TODAY)
    result = outcomes.report_result(db.session, grantee, indicator, _data(20, 11, 9), TODAY)
    with pytest.raises(NotAllowed):
        outcomes.verify(db.session, grantee, result)
    other = factories.UserFactory(grantee=True)
    with pytest.raises(NotAllowed):
        outcomes.correct_result(db.session, other, result, _data(20, 11, 9), "x", TODAY)


def test_a_story_photo_is_stored_without_exif_or_location(setup):
    _, grantee, indicator = setup
    story = outcomes.add_story(
        db.session,
        file_storage(),
        grantee,
        indicator.project,
        outcomes.StoryData("Айдана жүре бастады", "Оңалтудан кейін.", consent=True),
        io.BytesIO(factories.photo_with_gps()),
        "IMG_0001.jpg",
    )
    stored = file_storage().path(story.photo.storage_key).read_bytes()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert not image.getexif()
        assert "exif" not in image.info
    assert story.photo.original_name == "IMG_0001.jpg"


def test_a_story_photo_must_be_a_photo(setup):
    _, grantee, indicator = setup
    with pytest.raises(files.UploadRejected):
        outcomes.add_story(
            db.session,
            file_storage(),
            grantee,
            indicator.project,
            outcomes.StoryData("t", "b"),
            io.BytesIO(factories.PDF_BYTES),
            "scan.pdf",
        )


def test_reports_show_only_stories_with_consent(setup):
    _, grantee, indicator = setup
    project = indicator.project
    factories.impact_story(project, grantee, consent=True)
    factories.impact_story(project, grantee, consent=False)
    assert len(outcomes.stories(db.session, project)) == 2
    assert [s.consent for s in outcomes.stories(db.session, project, for_report=True)] == [True]
