"""Two people save the same milestone at the same time, each in their own database session:
the second save is refused and nothing of the first is overwritten."""

from datetime import date

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fundtracker.core.extensions import db
from fundtracker.models import Milestone, Role
from fundtracker.services import plan
from tests import factories
from tests.dbutil import migrated_app


@pytest.mark.no_db
def test_the_second_concurrent_save_is_refused():
    with migrated_app("race"):
        officer = factories.UserFactory(role=Role.OFFICER)
        milestone = factories.MilestoneFactory(due_date=date(2027, 1, 1))
        db.session.commit()
        ids = (officer.id, milestone.id)
        db.session.remove()

        # Like two web requests: both people load the page, then both save.
        first = Session(db.engine)
        second = Session(db.engine, expire_on_commit=False)
        try:
            theirs = second.get(Milestone, ids[1])
            actor_2 = second.get(type(officer), ids[0])
            second.commit()  # the page was rendered; the request ended
            mine = first.get(Milestone, ids[1])
            actor_1 = first.get(type(officer), ids[0])
            plan.edit_milestone(
                first, actor_1, mine, plan.MilestoneData(title="Mine"), mine.version_id
            )
            first.commit()
            with pytest.raises(StaleDataError):
                plan.edit_milestone(
                    second,
                    actor_2,
                    theirs,
                    plan.MilestoneData(title="Theirs"),
                    theirs.version_id,
                )
                second.commit()
            second.rollback()
            assert second.get(Milestone, ids[1]).title == "Mine"
        finally:
            first.close()
            second.close()
