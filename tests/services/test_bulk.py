"""services/bulk.py: the ids a form sends, the limit, and each item in its own savepoint."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fundtracker.core.extensions import db
from fundtracker.models import Project, ProjectEvent
from fundtracker.services import bulk, events
from fundtracker.services.errors import DomainError, NotAllowed
from fundtracker.services.plan import STALE, check_version
from tests import factories


def test_ids_from_keeps_distinct_whole_numbers_in_the_order_sent():
    assert bulk.ids_from(["3", " 1", "3", "x", "", "-4", "0", "2147483648", "2"]) == [3, 1, 2]


def test_check_count_refuses_none_and_more_than_the_limit():
    with pytest.raises(bulk.SelectionRefused, match="at least one"):
        bulk.check_count([])
    bulk.check_count(list(range(1, bulk.MAX_ITEMS + 1)))
    with pytest.raises(bulk.SelectionRefused) as refused:
        bulk.check_count(list(range(1, bulk.MAX_ITEMS + 2)))
    assert "200" in str(refused.value) and "201" in str(refused.value)


def _events(project) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ProjectEvent).where(ProjectEvent.project_id == project.id)
    )


def test_run_does_each_item_in_its_own_savepoint(app, officer):
    """An item refused halfway through its work leaves nothing of it; the others are done; an
    id not found and one the rule refuses are reported without acting on them."""
    ok, refused, forbidden, hidden = (factories.ProjectFactory() for _ in range(4))
    acted: list[int] = []

    def act(project: Project):
        acted.append(project.id)
        events.record(db.session, project, officer, "note", comment="written first")
        db.session.flush()
        if project is refused:
            raise DomainError("Refused by the rule of the fund.")

    found = bulk.load(db.session, Project, [], lambda p: True)
    assert found == {}
    ids = [ok.id, refused.id, forbidden.id, hidden.id, 2_000_000_000]
    found = bulk.load(db.session, Project, ids, lambda p: p is not hidden)
    assert set(found) == {ok.id, refused.id, forbidden.id}

    with app.test_request_context():
        result = bulk.run(db.session, ids, found, act, may=lambda p: p is not forbidden)
        reasons = {row.id: (row.item, str(row.reason)) for row in result.not_done}

    assert result.done == [ok]
    assert acted == [ok.id, refused.id]  # neither the forbidden nor the missing was touched
    assert reasons == {
        refused.id: (refused, "Refused by the rule of the fund."),
        forbidden.id: (forbidden, "You may not do this."),
        hidden.id: (None, "Not found."),  # nothing is said of what the user may not see
        2_000_000_000: (None, "Not found."),
    }
    assert _events(ok) == 1
    assert _events(refused) == 0  # its savepoint was rolled back


def test_skip_gives_a_kinder_reason_and_a_lost_race_is_said_briefly(app, officer):
    done_already, stale = factories.ProjectFactory(), factories.ProjectFactory()
    found = {done_already.id: done_already, stale.id: stale}

    def act(project):
        check_version(project, project.version_id + 1)

    with app.test_request_context():
        result = bulk.run(
            db.session,
            [done_already.id, stale.id],
            found,
            act,
            skip=lambda p: "Already done." if p is done_already else None,
        )
        reasons = [str(row.reason) for row in result.not_done]
        assert str(bulk.reason_of(DomainError(STALE))) == str(bulk.CHANGED)
        assert str(bulk.reason_of(NotAllowed("Only staff."))) == "Only staff."
    assert result.done == []
    assert reasons == ["Already done.", str(bulk.CHANGED)]


def test_selection_lists_what_was_found_in_the_order_chosen():
    a, b = factories.ProjectFactory(), factories.ProjectFactory()
    chosen = bulk.selection([b.id, 999_999, a.id], {a.id: a, b.id: b})
    assert chosen.items == [b, a]
    assert chosen.missing == [999_999]
    assert chosen.ids == [b.id, 999_999, a.id]


def test_versions_from_reads_the_version_of_each_chosen_item():
    form = {"version-1": "3", "version-2": "x", "version-9": "4"}
    assert bulk.versions_from(form, [1, 2, 3]) == {1: 3}
    assert bulk.id_from("12") == 12
    assert bulk.id_from("99999999999") is None and bulk.id_from(None) is None
