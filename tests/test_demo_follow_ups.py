"""Demo follow-ups after closure: one closed project of the demo grantee's organisation with
one accepted follow-up and one open to answer; seeding again adds none."""

from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import seed_demo
from fundtracker.models import FollowUp, FollowUpStatus
from fundtracker.services import follow_ups


def test_demo_follow_ups_are_made_once(app):
    seed_demo(db.session)
    rows = list(db.session.scalars(select(FollowUp).order_by(FollowUp.due_date)))
    assert [f.status for f in rows] == [
        FollowUpStatus.ACCEPTED,
        FollowUpStatus.SCHEDULED,
        FollowUpStatus.SCHEDULED,
    ]
    assert len({f.project_id for f in rows}) == 1
    assert rows[0].people_served == 64 and rows[0].reviewed_at is not None
    assert follow_ups.is_open(rows[1], today()) and not follow_ups.is_open(rows[2], today())
    seed_demo(db.session)
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 3
