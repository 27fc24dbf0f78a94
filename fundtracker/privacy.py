"""Small-cell suppression: no count below THRESHOLD leaves the fund, and no hidden count can be
worked out by subtraction from the total or from the other cells that are shown.

`suppress(cells, total)` takes one breakdown (e.g. children by age group) and its total and says
what may be shown:

1. A total below THRESHOLD is shown as "<5", and so is every cell (each is at most the total).
2. Otherwise each cell below THRESHOLD (zero included) is shown as "<5" (primary suppression).
3. Complementary suppression: the sum of the hidden cells is known (total minus the cells shown),
   so as long as one hidden cell could be pinned down from that sum and the ranges the others
   may take ("<5" means 0 to 4), the smallest cell still shown is hidden too (shown as "…").
4. If every cell is hidden and one could still be pinned down (e.g. two cells of 4 and a total of
   8), all cells are shown as "…", which says nothing about their size.

Who may see figures unsuppressed is a permission rule (permissions.can_see_unsuppressed); what
leaves the fund (exports, PDFs, board views) is always suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 5
SMALL = f"<{THRESHOLD}"
HIDDEN = "…"


def fmt_count(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}".replace(",", "\u202f")


@dataclass(frozen=True)
class Shown:
    """What may be shown of one breakdown: display strings for the total and for each cell."""

    total: str
    cells: dict[str, str]
    total_suppressed: bool = False

    def hidden(self) -> set[str]:
        return {k for k, v in self.cells.items() if v in (SMALL, HIDDEN)}


def show_total(total: int | None) -> str:
    """A single figure on its own (a roll-up's total): "<5" when it is small."""
    if total is not None and total < THRESHOLD:
        return SMALL
    return fmt_count(total)


def ranges(displays: Mapping[str, str], hidden_sum: int) -> dict[str, tuple[int, int]]:
    """What someone who sees the breakdown, and knows how it was suppressed, can tell of each
    hidden cell: "<5" is 0 to 4; "…" next to shown cells is a cell of at least THRESHOLD hidden
    to protect another; "…" everywhere says nothing."""
    keys = [k for k, d in displays.items() if d in (SMALL, HIDDEN)]
    everything_hidden = all(displays[k] == HIDDEN for k in displays)
    low_hidden = 0 if everything_hidden else THRESHOLD
    return {
        k: (0, THRESHOLD - 1) if displays[k] == SMALL else (low_hidden, max(hidden_sum, 0))
        for k in keys
    }


def pinned(displays: Mapping[str, str], hidden_sum: int) -> set[str]:
    """The hidden cells whose value follows from `hidden_sum` and the others' ranges."""
    ranges_ = ranges(displays, hidden_sum)
    keys = list(ranges_)
    result = set()
    for k in keys:
        lo, hi = ranges_[k]
        others_lo = sum(ranges_[o][0] for o in keys if o != k)
        others_hi = sum(ranges_[o][1] for o in keys if o != k)
        low = max(lo, hidden_sum - others_hi)
        high = min(hi, hidden_sum - others_lo)
        if low >= high:
            result.add(k)
    return result


def suppress(cells: Mapping[str, int], total: int | None) -> Shown:
    """What may be shown of a breakdown whose cells are `cells` and whose total, shown next to
    it, is `total` (None when no total is shown)."""
    if total is not None and total < THRESHOLD:
        return Shown(SMALL, {k: SMALL for k in cells}, total_suppressed=True)
    displays = {k: (SMALL if v < THRESHOLD else fmt_count(v)) for k, v in cells.items()}
    if total is None or not any(d == SMALL for d in displays.values()):
        return Shown(fmt_count(total), displays)
    while True:
        hidden_sum = total - sum(v for k, v in cells.items() if displays[k] not in (SMALL, HIDDEN))
        if not pinned(displays, hidden_sum):
            return Shown(fmt_count(total), displays)
        still_shown = [k for k, d in displays.items() if d not in (SMALL, HIDDEN)]
        if not still_shown:
            return Shown(fmt_count(total), dict.fromkeys(cells, HIDDEN))
        smallest = min(still_shown, key=lambda k: (cells[k], k))
        displays[smallest] = HIDDEN


def unsuppressed(cells: Mapping[str, int], total: int | None) -> Shown:
    """The same shape as `suppress`, every figure shown, for those allowed to see them."""
    return Shown(fmt_count(total), {k: fmt_count(v) for k, v in cells.items()})


def breakdown(cells: Mapping[str, int], total: int | None, *, raw: bool) -> Shown:
    return unsuppressed(cells, total) if raw else suppress(cells, total)
