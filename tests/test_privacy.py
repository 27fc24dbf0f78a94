"""Small-cell suppression: no figure below the threshold is shown, and no hidden cell can be
worked out from the total and the cells that are shown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundtracker import privacy
from fundtracker.privacy import HIDDEN, SMALL, THRESHOLD, suppress

pytestmark = pytest.mark.no_db

breakdowns = st.dictionaries(
    st.sampled_from(["0-2", "3-6", "7-11", "12-17", "18+", "f", "m"]),
    st.integers(min_value=0, max_value=40),
    min_size=1,
    max_size=7,
)


def _number(display: str) -> int | None:
    return int(display.replace("\u202f", "")) if display.replace("\u202f", "").isdigit() else None


def feasible_values(displays: dict[str, str], total: int, shown_sum: int) -> dict[str, set[int]]:
    """Brute force: what each hidden cell may be, for someone who sees the total and the shown
    cells and knows the rules ("<5" is 0-4; "…" beside shown cells was a cell of at least 5)."""
    hidden = [k for k, d in displays.items() if d in (SMALL, HIDDEN)]
    hidden_sum = total - shown_sum
    everything_hidden = all(d == HIDDEN for d in displays.values())
    ranges = {
        k: range(0, THRESHOLD)
        if displays[k] == SMALL
        else range(0 if everything_hidden else THRESHOLD, hidden_sum + 1)
        for k in hidden
    }
    result = {}
    for k in hidden:
        # sums the other hidden cells can reach together
        reachable = {0}
        for o in hidden:
            if o != k:
                reachable = {s + v for s in reachable for v in ranges[o] if s + v <= hidden_sum}
        result[k] = {v for v in ranges[k] if hidden_sum - v in reachable}
    return result


@given(breakdowns)
@settings(max_examples=400, deadline=None)
def test_no_small_figure_is_shown_and_none_can_be_recovered_by_subtraction(cells):
    total = sum(cells.values())
    shown = suppress(cells, total)
    # Nothing below the threshold is printed, in the cells or the total.
    for display in [*shown.cells.values(), shown.total]:
        number = _number(display)
        assert number is None or number >= THRESHOLD or (number == 0 and total == 0)
    for key, display in shown.cells.items():
        if display not in (SMALL, HIDDEN):
            assert _number(display) == cells[key]
    if shown.total_suppressed:
        assert shown.total == SMALL
        assert all(d == SMALL for d in shown.cells.values())
        return
    assert _number(shown.total) == total
    shown_sum = sum(cells[k] for k, d in shown.cells.items() if d not in (SMALL, HIDDEN))
    # The true value is among the possibilities, and it is never the only one.
    for key, possible in feasible_values(shown.cells, total, shown_sum).items():
        assert cells[key] in possible
        assert len(possible) > 1, f"{key}={cells[key]} recoverable from {shown}"


@given(breakdowns)
@settings(max_examples=200, deadline=None)
def test_a_small_total_hides_every_cell(cells):
    total = sum(cells.values())
    shown = suppress(cells, total)
    if 0 < total < THRESHOLD:
        assert shown.total == SMALL
        assert set(shown.cells.values()) == {SMALL}


def test_examples():
    assert suppress({"f": 3, "m": 20}, 23).cells == {"f": SMALL, "m": HIDDEN}
    assert suppress({"f": 12, "m": 20}, 32).cells == {"f": "12", "m": "20"}
    three = suppress({"0-2": 2, "3-6": 30, "7-11": 40}, 72).cells
    assert three == {"0-2": SMALL, "3-6": HIDDEN, "7-11": "40"}
    # Two cells of 4 and a total of 8 would give both away as "<5": neither size is said.
    assert suppress({"f": 4, "m": 4}, 8).cells == {"f": HIDDEN, "m": HIDDEN}
    assert suppress({"f": 1, "m": 2}, 3).total == SMALL
    assert privacy.show_total(4) == SMALL and privacy.show_total(5) == "5"


def test_unsuppressed_shows_everything():
    assert privacy.breakdown({"f": 1, "m": 2}, 3, raw=True).cells == {"f": "1", "m": "2"}
