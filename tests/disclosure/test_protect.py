"""protect() on hand-made linked sets: primary and secondary suppression, cells published before
kept as they are, the audit's ranges, and a set that earlier publications already give away."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from fundtracker.disclosure.audit import Infeasible, Intruder
from fundtracker.disclosure.display import THRESHOLD
from fundtracker.disclosure.linked import PRIMARY, SECONDARY, SHOWN, Cell, LinkedSet
from fundtracker.disclosure.protect import Unprotectable, _cost, _Sums, protect

pytestmark = pytest.mark.no_db


def one_table(values: list[int], *, total_rank: int = 4) -> tuple[LinkedSet, list[int], int]:
    """A total and its cells, one atom each: (set, the cells' indices, the total's index)."""
    linked = LinkedSet()
    atoms = [linked.atom() for _ in values]
    cells = [
        linked.add(Cell(("cell", k), [a], v))
        for k, (a, v) in enumerate(zip(atoms, values, strict=True))
    ]
    total = linked.add(Cell(("total",), list(atoms), sum(values), rank=total_rank))
    linked.relations.append((total, cells))
    return linked, cells, total


def two_way(rows: list[list[int]]) -> tuple[LinkedSet, dict]:
    """A table with its row and column totals and the grand total, one atom per inner cell."""
    linked = LinkedSet()
    index: dict = {}
    atoms = [[linked.atom() for _ in row] for row in rows]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            index[(r, c)] = linked.add(Cell((r, c), [atoms[r][c]], v))
    n_cols = len(rows[0])
    for r, row in enumerate(rows):
        index[(r, None)] = linked.add(Cell((r, None), list(atoms[r]), sum(row), rank=2))
        linked.relations.append((index[(r, None)], [index[(r, c)] for c in range(n_cols)]))
    for c in range(n_cols):
        column = [atoms[r][c] for r in range(len(rows))]
        value = sum(rows[r][c] for r in range(len(rows)))
        index[(None, c)] = linked.add(Cell((None, c), column, value, rank=2))
        linked.relations.append((index[(None, c)], [index[(r, c)] for r in range(len(rows))]))
    everything = [a for row in atoms for a in row]
    index[(None, None)] = linked.add(Cell((None, None), everything, sum(map(sum, rows)), rank=4))
    grand = index[(None, None)]
    linked.relations.append((grand, [index[(r, None)] for r in range(len(rows))]))
    linked.relations.append((grand, [index[(None, c)] for c in range(n_cols)]))
    return linked, index


def statuses(linked: LinkedSet, indices) -> list[str]:
    return [linked.cells[i].status for i in indices]


def lp_range(linked: LinkedSet, i: int) -> tuple[float, float]:
    """The hidden cell's smallest and largest value, by an LP of our own (SciPy's HiGHS) over
    the atoms: the shown cells' values, the ties, and no negative count."""
    n = max(linked.atoms, 1)
    rows, rhs = [], []
    for cell in linked.cells:
        if cell.hidden or not cell.atoms:
            continue
        row = np.zeros(n)
        row[cell.atoms] = 1
        rows.append(row)
        rhs.append(cell.value)
    for tie in linked.ties:
        row = np.zeros(n)
        for atom, coefficient in tie:
            row[atom] += coefficient
        rows.append(row)
        rhs.append(0)
    objective = np.zeros(n)
    objective[linked.cells[i].atoms] = 1
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert low.status == 0
    return low.fun, (math.inf if high.status == 3 else -high.fun)


def test_a_lone_small_cell_gets_a_partner():
    linked, cells, total = one_table([3, 10, 20, 30])
    outcome = protect(linked)
    assert statuses(linked, cells) == [PRIMARY, SECONDARY, SHOWN, SHOWN]
    assert linked.cells[total].status == SHOWN
    assert (outcome.primary, outcome.secondary, outcome.unsafe) == (1, 1, 1)
    # 3 + 10 = 13 is all anyone can work out: the small cell is anything from 0 to 13.
    assert (linked.cells[cells[0]].low, linked.cells[cells[0]].high) == (0, 13)
    assert outcome.narrowest == 13


def test_hidden_cells_adding_up_to_less_than_the_threshold_get_another():
    linked, cells, total = one_table([1, 2, 8, 30])
    protect(linked)
    # 1 + 2 = 3 hidden together would still say "below 5": the 8 goes too, not the 30.
    assert statuses(linked, cells) == [PRIMARY, PRIMARY, SECONDARY, SHOWN]
    assert linked.cells[total].status == SHOWN
    for i in cells[:2]:
        assert (linked.cells[i].low, linked.cells[i].high) == (0, 11)


def test_a_zero_is_the_last_partner_chosen():
    linked, cells, _total = one_table([0, 3, 7, 20])
    protect(linked)
    assert statuses(linked, cells) == [SHOWN, PRIMARY, SECONDARY, SHOWN]


def test_a_sum_whose_other_parts_were_published_before_is_hidden_itself():
    linked, cells, total = one_table([2, 9])
    linked.cells[cells[1]].fixed = True  # the 9 was shown before
    protect(linked)
    assert statuses(linked, cells) == [PRIMARY, SHOWN]
    # The 2 has no partner left to hide: the total goes instead.
    assert linked.cells[total].status == SECONDARY
    assert linked.cells[cells[0]].high is None  # nothing bounds it any more


def test_a_small_total_of_small_cells_is_hidden_as_small_itself():
    linked, cells, total = one_table([2, 1])
    protect(linked)
    assert statuses(linked, [*cells, total]) == [PRIMARY, PRIMARY, PRIMARY]
    for i in (*cells, total):
        assert linked.cells[i].high is None


def test_two_way_table_protected_in_both_directions():
    linked, index = two_way([[3, 12, 20], [9, 15, 31], [14, 6, 40]])
    protect(linked)
    primary = [k for k, i in index.items() if linked.cells[i].status == PRIMARY]
    assert primary == [(0, 0)]
    # Its row and its column each need another hidden cell.
    row = [linked.cells[index[(0, c)]].hidden for c in range(3)]
    column = [linked.cells[index[(r, 0)]].hidden for r in range(3)]
    assert sum(row) >= 2 and sum(column) >= 2
    cell = linked.cells[index[(0, 0)]]
    assert cell.high >= THRESHOLD and cell.high - cell.low >= THRESHOLD - 1


def test_cells_published_before_never_change():
    linked, cells, total = one_table([3, 6, 9, 20])
    # The 6 was published (shown) before and the 20 hidden before: both stay as they were.
    linked.cells[cells[1]].fixed = True
    linked.cells[cells[3]].fixed = True
    linked.cells[cells[3]].status = SECONDARY
    protect(linked)
    assert statuses(linked, cells) == [PRIMARY, SHOWN, SHOWN, SECONDARY]
    assert linked.cells[total].status == SHOWN


def test_a_later_period_is_protected_around_an_earlier_one():
    """Q1 published before (a 3 hidden with a 7 beside it); H1 = Q1 + Q2 where Q2 adds nothing
    to those two: showing H1's 7 would give Q1's 3 away, so it is hidden; Q1 stays as it was."""
    linked = LinkedSet()
    q1 = {k: linked.atom() for k in "abc"}
    q2 = {k: linked.atom() for k in "abc"}
    values = {"Q1": {"a": 3, "b": 7, "c": 20}, "Q2": {"a": 0, "b": 0, "c": 15}}
    index = {}
    for period, atoms in (("Q1", q1), ("Q2", q2)):
        for k in "abc":
            index[(period, k)] = linked.add(
                Cell((period, k), [atoms[k]], values[period][k], rank=0)
            )
        index[(period, "t")] = linked.add(
            Cell((period, "t"), list(atoms.values()), sum(values[period].values()), rank=4)
        )
        linked.relations.append((index[(period, "t")], [index[(period, k)] for k in "abc"]))
    for k in "abct":
        atoms = [*q1.values(), *q2.values()] if k == "t" else [q1[k], q2[k]]
        value = sum(linked.cells[index[(p, k)]].value for p in ("Q1", "Q2"))
        index[("H1", k)] = linked.add(Cell(("H1", k), atoms, value, rank=1))
        linked.relations.append((index[("H1", k)], [index[("Q1", k)], index[("Q2", k)]]))
    linked.relations.append((index[("H1", "t")], [index[("H1", k)] for k in "abc"]))
    before = {"a": PRIMARY, "b": SECONDARY, "c": SHOWN, "t": SHOWN}
    for k, status in before.items():
        linked.cells[index[("Q1", k)]].fixed = True
        linked.cells[index[("Q1", k)]].status = status
    outcome = protect(linked)
    assert {k: linked.cells[index[("Q1", k)]].status for k in "abct"} == before
    assert linked.cells[index[("H1", "a")]].status == PRIMARY
    assert linked.cells[index[("H1", "b")]].hidden
    # Both the earlier primary cell and the new one keep a wide range.
    assert outcome.unsafe == 2
    for key in (("Q1", "a"), ("H1", "a")):
        low, high = lp_range(linked, index[key])
        assert high >= THRESHOLD and math.floor(high) - math.ceil(low) >= THRESHOLD - 1


def test_an_earlier_publication_that_gives_a_cell_away_is_unprotectable():
    """The total (13) and one of its two cells (10) were shown before: the new cell is 3, for
    anyone, whatever is hidden now."""
    linked, cells, total = one_table([3, 10])
    for i in (cells[1], total):
        linked.cells[i].fixed = True
    with pytest.raises(Unprotectable) as raised:
        protect(linked)
    assert raised.value.cell is linked.cells[cells[0]]


def test_earlier_figures_that_contradict_each_other_are_infeasible():
    linked, cells, total = one_table([3, 10])
    linked.cells[total].value = 5  # published before as 5, but its cells add up to 13
    for i in (*cells, total):
        linked.cells[i].fixed = True
    with pytest.raises(Infeasible):
        Intruder(linked)


def test_a_set_with_nothing_small_hides_nothing():
    linked, index = two_way([[5, 12], [9, 0]])
    outcome = protect(linked)
    assert all(c.status == SHOWN for c in linked.cells)
    assert (outcome.primary, outcome.secondary, outcome.unsafe, outcome.narrowest) == (
        0,
        0,
        0,
        None,
    )


small = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 40))


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(st.lists(small, min_size=n, max_size=n), min_size=1, max_size=4)
    )
)
def test_audit_ranges_are_wide_enough_and_match_an_independent_lp(rows):
    linked, index = two_way(rows)
    outcome = protect(linked)
    for i, cell in enumerate(linked.cells):
        if not cell.fixed and 0 < cell.value < THRESHOLD:
            assert cell.status == PRIMARY
        if cell.status == SHOWN:
            continue
        low, high = lp_range(linked, i)
        assert low <= cell.value + 1e-6 and cell.value - 1e-6 <= high
        if cell.status == PRIMARY:
            # The stored range is the LP's, and it is wide enough.
            assert cell.low == max(0, math.ceil(low - 1e-6))
            if high == math.inf:
                assert cell.high is None
            else:
                assert cell.high == math.floor(high + 1e-6)
                assert cell.high >= THRESHOLD
                assert cell.high - cell.low >= THRESHOLD - 1
    assert outcome.unsafe == sum(1 for c in linked.cells if c.status == PRIMARY)


def _hide_and_show(linked: LinkedSet, intruder: Intruder, order: list[int], show: set[int]):
    """Hide the shown cells in `order` one step at a time, then show again those in `show`
    (their figures are true, so the set stays consistent)."""
    for i in order:
        if not linked.cells[i].hidden:
            linked.cells[i].status = SECONDARY
            intruder.changed(i)
            intruder.bounds(i)  # works the new state out before the next step
    for i in sorted(show):
        if linked.cells[i].status == SECONDARY:
            linked.cells[i].status = SHOWN
            intruder.changed(i)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(st.lists(small, min_size=n, max_size=n), min_size=1, max_size=4)
    ),
    st.randoms(use_true_random=False),
)
def test_the_intruder_worked_out_step_by_step_knows_what_one_from_scratch_knows(rows, rng):
    """Hiding a cell undoes only what depended on its figure: after any sequence of hidden and
    shown cells the intruder fixes the same atoms to the same values as one that starts from
    the final state, and bounds every cell as the independent LP does."""
    linked, _index = two_way(rows)
    for cell in linked.cells:
        cell.status = PRIMARY if 0 < cell.value < THRESHOLD else SHOWN
    intruder = Intruder(linked)
    order = list(range(len(linked.cells)))
    rng.shuffle(order)
    order = order[: rng.randint(0, len(order))]
    _hide_and_show(linked, intruder, order, set(rng.sample(order, len(order) // 2)))
    fresh = Intruder(linked)
    intruder.bounds(0)
    assert intruder.fixed == pytest.approx(fresh.fixed)
    for i, cell in enumerate(linked.cells):
        if not cell.hidden:
            continue
        ours, theirs = intruder.bounds(i), fresh.bounds(i)
        low, high = lp_range(linked, i)
        assert ours.low == pytest.approx(low, abs=1e-6) == pytest.approx(theirs.low, abs=1e-6)
        assert ours.high == pytest.approx(high, abs=1e-6) or ours.high == high == math.inf
        assert (ours.low_int, ours.high_int) == (theirs.low_int, theirs.high_int)


def test_an_atom_fixed_from_one_fixed_through_a_hidden_figure_is_unknown_again():
    """a = 3 and t = 10 are known from their figures, b from the tie a + b = t: hiding a's
    figure makes a and b unknown again (b was fixed from a) but not t, and showing it again
    fixes both once more."""
    linked = LinkedSet()
    a, b, t = linked.atom(), linked.atom(), linked.atom()
    linked.ties.append([(a, 1.0), (b, 1.0), (t, -1.0)])
    cell_a = linked.add(Cell(("a",), [a], 3))
    linked.add(Cell(("t",), [t], 10))
    cell_b = linked.add(Cell(("b",), [b], 7, status=PRIMARY))
    intruder = Intruder(linked)
    assert intruder.fixed == {a: 3.0, b: 7.0, t: 10.0}
    assert intruder.bounds(cell_b).high_int == 7
    linked.cells[cell_a].status = SECONDARY
    intruder.changed(cell_a)
    assert (intruder.bounds(cell_b).low_int, intruder.bounds(cell_b).high_int) == (0, 10)
    assert intruder.fixed == {t: 10.0}
    linked.cells[cell_a].status = SHOWN
    intruder.changed(cell_a)
    assert intruder.bounds(cell_b).high_int == 7
    assert intruder.fixed == {a: 3.0, b: 7.0, t: 10.0}


def _by_relations_rescan(linked: LinkedSet) -> None:
    """The rule by relations as a scan of every relation until nothing changes: what the
    incremental one must match."""
    cells = linked.cells
    member_of: dict[int, list[int]] = {}
    for r, (_parent, children) in enumerate(linked.relations):
        for c in children:
            member_of.setdefault(c, []).append(r)
    hidden_in = [sum(1 for c in ch if cells[c].hidden) for _p, ch in linked.relations]

    def shared(c: int, current: int) -> int:
        return sum(1 for r in member_of.get(c, []) if r != current and hidden_in[r])

    def hide(c: int) -> None:
        cells[c].status = SECONDARY
        for r in member_of.get(c, []):
            hidden_in[r] += 1

    changed = True
    while changed:
        changed = False
        for r, (parent, children) in enumerate(linked.relations):
            if cells[parent].hidden or not hidden_in[r]:
                continue
            hidden = [c for c in children if cells[c].hidden]
            if len(hidden) >= 2 and sum(cells[c].value for c in hidden) >= THRESHOLD:
                continue
            shown = [c for c in children if not cells[c].hidden and not cells[c].fixed]
            if shown:
                useful = [c for c in shown if cells[c].value] or shown
                hide(min(useful, key=lambda c: (-shared(c, r), *_cost(linked, c))))
                changed = True
            elif not cells[parent].fixed:
                hide(parent)
                changed = True


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(st.lists(small, min_size=n, max_size=n), min_size=1, max_size=4)
    ),
    st.randoms(use_true_random=False),
)
def test_the_rule_by_relations_looks_again_only_where_a_part_was_hidden(rows, rng):
    """Kept through the repair, the rule hides exactly what a scan of every relation would."""
    ours, _ = two_way(rows)
    theirs, _ = two_way(rows)
    for linked in (ours, theirs):
        for cell in linked.cells:
            cell.status = PRIMARY if 0 < cell.value < THRESHOLD else SHOWN
    sums = _Sums(ours)
    sums.run()
    _by_relations_rescan(theirs)
    for _ in range(3):
        assert statuses(ours, range(len(ours.cells))) == statuses(theirs, range(len(ours.cells)))
        shown = [i for i, c in enumerate(ours.cells) if not c.hidden]
        for i in rng.sample(shown, min(len(shown), rng.randint(1, 2))):
            ours.cells[i].status = theirs.cells[i].status = SECONDARY
            sums.hidden(i)
        made = sums.run()
        before = [c.hidden for c in theirs.cells]
        _by_relations_rescan(theirs)
        assert sorted(made) == [i for i, c in enumerate(theirs.cells) if c.hidden and not before[i]]
    assert statuses(ours, range(len(ours.cells))) == statuses(theirs, range(len(ours.cells)))
