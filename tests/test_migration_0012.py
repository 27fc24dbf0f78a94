"""Migration 0012 records what each existing submitted update carried: a row per result pointing
at it, with its value, breakdown cells and explanation; drafts get none."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.models import MilestoneUpdate, ResultStatus, UpdateResult, UpdateStatus
from tests import factories
from tests.dbutil import fresh_database


@pytest.fixture
def migrated_app():
    with fresh_database("migration12") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db
def test_existing_submissions_get_what_they_carried(migrated_app):
    grantee = factories.UserFactory(grantee=True)
    project = factories.ProjectFactory(organisation=grantee.organisation)
    milestone = factories.MilestoneFactory(project=project)
    indicator = factories.ProjectIndicatorFactory(project=project, by_region=False)
    submitted = MilestoneUpdate(
        milestone=milestone, author_id=grantee.id, status=UpdateStatus.REVISION_REQUESTED
    )
    draft = MilestoneUpdate(milestone=milestone, author_id=grantee.id, status=UpdateStatus.DRAFT)
    db.session.add_all([submitted, draft])
    db.session.flush()
    carried = factories.indicator_result(
        indicator,
        date(2025, 4, 1),
        9,
        cells={"sex": {"female": 5, "male": 3}},
        milestone_update_id=submitted.id,
        explanation="One child's sex is not recorded.",
    )
    factories.indicator_result(
        indicator, date(2025, 7, 1), 4, status=ResultStatus.DRAFT, milestone_update_id=draft.id
    )
    factories.indicator_result(indicator, date(2025, 10, 1), 2)  # reported on its own
    carried_id, submitted_id = carried.id, submitted.id
    db.session.commit()
    db.session.remove()  # the migration gets the database to itself

    downgrade(revision="0011")
    upgrade()
    rows = db.session.scalars(select(UpdateResult)).all()
    assert [(r.update_id, r.result_id, r.value, r.cells, r.explanation) for r in rows] == [
        (
            submitted_id,
            carried_id,
            9,
            {"sex": {"female": 5, "male": 3}},
            "One child's sex is not recorded.",
        )
    ]
