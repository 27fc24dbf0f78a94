"""The board's "Sustainability" figures: counts of closed projects, and the people those still
operating reached, protected like every count of people the board reads: no figure of 1 to 4
is printed, and no hidden figure can be worked out from the others in the section."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.disclosure import HIDDEN, THRESHOLD
from fundtracker.disclosure.audit import Intruder
from fundtracker.disclosure.protect import protect
from fundtracker.models import (
    Dimension,
    FollowUp,
    FollowUpCell,
    FollowUpStatus,
    ProjectStatus,
    utcnow,
)
from fundtracker.services import sustainability
from tests import factories


def _accepted(people, running=True, sex=None, age=None, regions=("KZ-71",), due=None, **kw):
    project = factories.ProjectFactory(
        status=ProjectStatus.CLOSED, regions=[factories.region(c) for c in regions], **kw
    )
    follow_up = FollowUp(
        project=project,
        months_after=12,
        due_date=due or today() - timedelta(days=5),
        status=FollowUpStatus.ACCEPTED,
        still_running=running,
        people_served=people,
        reviewed_at=utcnow(),
    )
    for dimension, cells in ((Dimension.SEX, sex), (Dimension.AGE, age)):
        for category, value in (cells or {}).items():
            follow_up.cells.append(
                FollowUpCell(dimension=dimension, category=category, value=value)
            )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def _section(as_of=None):
    with force_locale("en"):
        return sustainability.board_section(db.session, as_of or today(), "en")


def _printed_numbers(section) -> list[int]:
    values = [section["reached"]] + [r["display"] for b in section["breakdowns"] for r in b["rows"]]
    return [int(v.replace("\u202f", "")) for v in values if v not in (HIDDEN, "—", None)]


def test_no_closed_project_followed_up_prints_no_figure():
    factories.ProjectFactory(status=ProjectStatus.CLOSED)
    section = _section()
    assert section["followed"] == 0 and section["reached"] is None and not section["breakdowns"]


def test_counts_of_projects_and_the_latest_accepted_follow_up_of_each(officer):
    early = _accepted(30, sex={"female": 20, "male": 10}, due=today() - timedelta(days=400))
    # The same project a year later: stopped. Its latest follow-up is the one that counts.
    later = FollowUp(
        project=early.project,
        months_after=24,
        due_date=today() - timedelta(days=3),
        status=FollowUpStatus.ACCEPTED,
        still_running=False,
        people_served=0,
        stopped_on=date(2026, 1, 10),
        stopped_why="Аренда закончилась.",
        reviewed_at=utcnow(),
    )
    db.session.add(later)
    _accepted(120, sex={"female": 70, "male": 50})
    _accepted(60)
    not_reviewed = factories.ProjectFactory(status=ProjectStatus.CLOSED)
    db.session.add(
        FollowUp(
            project=not_reviewed,
            months_after=6,
            due_date=today(),
            status=FollowUpStatus.SUBMITTED,
            still_running=True,
            people_served=999,
        )
    )
    db.session.flush()
    section = _section()
    assert (section["followed"], section["running"], section["stopped"]) == (3, 2, 1)
    assert section["reached"] == "180"
    sex = next(b for b in section["breakdowns"] if b["label"] == "By sex")
    assert [(r["label"], r["display"]) for r in sex["rows"]] == [
        ("Girls and women", "70"),
        ("Boys and men", "50"),
        ("Not stated", "60"),
    ]
    # Accepted after the report's last day: not yet in it.
    assert _section(as_of=today() - timedelta(days=1))["followed"] == 0


def test_small_counts_are_hidden_and_cannot_be_worked_out_from_the_section():
    _accepted(
        40,
        sex={"female": 38, "male": 2},
        age={"0-2": 3, "3-6": 17, "7-11": 20},
        regions=("KZ-71", "KZ-75"),
    )
    _accepted(9, sex={"female": 6, "male": 3}, regions=("KZ-75",))
    _accepted(3, regions=("KZ-79",))  # a project that reached three people in all
    section = _section()

    printed = _printed_numbers(section)
    assert printed and not [v for v in printed if 0 < v < THRESHOLD]
    # The total and each breakdown: never exactly one hidden part beside a printed total, and
    # the hidden parts of a table with a printed total add up to THRESHOLD or more.
    for table in section["breakdowns"]:
        hidden = [r for r in table["rows"] if r["display"] == HIDDEN]
        if section["reached"] != HIDDEN:
            assert len(hidden) != 1, table

    # The intruder's linear program over every figure printed: each hidden one has a range of
    # at least THRESHOLD values (it cannot be recomputed, nor told to be small).
    running = sustainability.latest_accepted(db.session, today())
    linked, _top, _index, _cats = sustainability.linked_set(running)
    protect(linked)
    intruder = Intruder(linked)
    hidden = [i for i, cell in enumerate(linked.cells) if cell.hidden]
    assert hidden
    for i in hidden:
        assert intruder.bounds(i).safe(), linked.cells[i].key
