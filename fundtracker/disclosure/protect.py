"""Protecting a linked set of tables as one, in the way of τ-Argus and the ESSnet SDC Handbook
(chapter 5: secondary suppression in linked tables, then an audit):

1. Primary suppression: a new cell counting 1 to 4 people is hidden.
   Audit-only cells (figures never published, such as a cumulative count's increase between
   two periods) are primary cells that are never shown.
2. Secondary suppression by relations: wherever a shown cell is the sum of others, the hidden
   ones among those must be at least two and add up to at least THRESHOLD; otherwise the next
   smallest new cell of that relation is hidden too (or the sum itself, when none is left).
3. Audit and repair: the intruder's linear program (audit.py) bounds every primary cell, new or
   published before. A cell whose range is too narrow has a shown cell hidden among those that
   bound it (the smallest new one), until every range is wide enough.

Cells published before (`fixed`) are never changed: they are constraints. Hiding every new cell
adds nothing to what is known, so the repair always ends; when even that cannot protect a cell,
the earlier publications gave it away and `Unprotectable` says so.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from dataclasses import dataclass

from fundtracker.disclosure.audit import Intruder
from fundtracker.disclosure.display import THRESHOLD, unsafe
from fundtracker.disclosure.linked import PRIMARY, SECONDARY, SHOWN, LinkedSet


class Unprotectable(Exception):
    def __init__(self, cell):
        super().__init__(cell.key)
        self.cell = cell


@dataclass
class Outcome:
    primary: int
    secondary: int
    unsafe: int  # primary cells audited, those published before included
    narrowest: int | None  # the narrowest range (high - low) of an audited cell
    solves: int
    seconds: float

    @property
    def passed(self) -> bool:
        return True  # protect() raises rather than return a set that fails the audit


def _cost(linked: LinkedSet, i: int) -> tuple:
    cell = linked.cells[i]
    # Hide small cells first, a zero last (it adds nothing to a hidden sum), fine tables first.
    return (cell.value == 0, cell.value, cell.rank, i)


class _Sums:
    """Every relation whose sum is shown keeps at least two hidden parts adding up to at least
    THRESHOLD. A part to hide is chosen, among the cheapest, for the other relations it shares
    with hidden cells (a project in the same area and region, the same project's next quarter),
    so that one partner serves several sums, as a hypercube of partners does.

    Kept for the whole repair: a relation that holds goes on holding while cells are only
    hidden, so only those with a part hidden since they were last looked at are looked at again,
    in passes in the relations' order (the order a scan of them all until nothing changes would
    act in)."""

    def __init__(self, linked: LinkedSet):
        self.linked = linked
        cells = linked.cells
        self.member_of: dict[int, list[int]] = {}
        for r, (_parent, children) in enumerate(linked.relations):
            for c in children:
                self.member_of.setdefault(c, []).append(r)
        self.hidden_in = [sum(1 for c in ch if cells[c].hidden) for _p, ch in linked.relations]
        self._waiting = set(range(len(linked.relations)))

    def hidden(self, c: int) -> None:
        """Cell `c` was hidden by someone else (the repair)."""
        for r in self.member_of.get(c, []):
            self.hidden_in[r] += 1
            self._waiting.add(r)

    def run(self) -> list[int]:
        """Hide what the relations need; returns the cells hidden."""
        linked, cells, hidden_in = self.linked, self.linked.cells, self.hidden_in
        made: list[int] = []
        current = -1
        now: list[int] = []  # this pass, a heap of relations after `current`
        queued: set[int] = set()

        def hide(c: int) -> None:
            cells[c].status = SECONDARY
            made.append(c)
            for r in self.member_of.get(c, []):
                hidden_in[r] += 1
                if r > current:
                    if r not in queued:
                        queued.add(r)
                        heapq.heappush(now, r)
                else:
                    self._waiting.add(r)  # the next pass

        def shared(c: int, current: int) -> int:
            return sum(1 for r in self.member_of.get(c, []) if r != current and hidden_in[r])

        while self._waiting:
            now, queued = sorted(self._waiting), set(self._waiting)
            self._waiting = set()
            while now:
                current = heapq.heappop(now)
                queued.discard(current)
                parent, children = linked.relations[current]
                if cells[parent].hidden or not hidden_in[current]:
                    continue
                hidden = [c for c in children if cells[c].hidden]
                if len(hidden) >= 2 and sum(cells[c].value for c in hidden) >= THRESHOLD:
                    continue
                shown = [c for c in children if not cells[c].hidden and not cells[c].fixed]
                if shown:
                    useful = [c for c in shown if cells[c].value] or shown
                    r = current
                    hide(min(useful, key=lambda c: (-shared(c, r), *_cost(linked, c))))
                elif not cells[parent].fixed:
                    hide(parent)
        return made


def _by_relations(linked: LinkedSet) -> None:
    """Secondary suppression by the relations alone (see `_Sums`)."""
    _Sums(linked).run()


def _neighbours(linked: LinkedSet, intruder: Intruder, i: int) -> list[int]:
    """Shown cells two steps from cell `i`: those sharing an atom with a figure that shares one
    with it, or with an atom tied to one of its atoms (its partners in every sum it is part
    of)."""
    by_atom: dict[int, list[int]] = {}
    for k, cell in enumerate(linked.cells):
        for atom in cell.atoms:
            by_atom.setdefault(atom, []).append(k)
    tied: dict[int, set[int]] = {}
    for tie in linked.ties:
        atoms = {a for a, _ in tie}
        for a in atoms:
            tied.setdefault(a, set()).update(atoms)
    own = set(linked.cells[i].atoms)
    own |= {b for a in own for b in tied.get(a, ())}
    near = {k for atom in own for k in by_atom.get(atom, [])}
    atoms = {atom for k in near for atom in linked.cells[k].atoms}
    atoms |= {b for a in atoms for b in tied.get(a, ())}
    return sorted({k for atom in atoms for k in by_atom.get(atom, [])} - {i})


def _candidates(linked: LinkedSet, cells: list[int], i: int) -> list[int]:
    return [c for c in cells if c != i and not linked.cells[c].hidden and not linked.cells[c].fixed]


def _repair(linked: LinkedSet, intruder: Intruder, audited: list[int]) -> None:
    """Sweeps over the primary cells: each one still too narrow has the cheapest shown cell
    among those that bound it hidden; what is known is worked out again after each sweep (a
    cell whose bounds share a figure chosen in the sweep waits for the next one)."""
    sums = _Sums(linked)
    for k in sums.run():  # nothing, after protect()'s own run
        intruder.changed(k)
    failing = list(audited)
    while failing:
        chosen: set[int] = set()
        still = []
        for i in failing:
            bounds = intruder.bounds(i, want_binding=True)
            if bounds.safe():
                continue
            still.append(i)
            if bounds.high_int == bounds.low_int:
                # Pinned by arithmetic: a partner for every figure that pins it, at once.
                picks = _candidates(linked, intruder.partners(i), i)
                if picks:
                    chosen.update(picks)
                    continue
            candidates = _candidates(linked, bounds.binding, i)
            if not candidates:
                candidates = _candidates(linked, _neighbours(linked, intruder, i), i)
            if not candidates:
                # Bound from further away: any new shown cell, the cheapest first. Hiding
                # every new cell tells nothing new, so only earlier publications can stop this.
                candidates = _candidates(linked, list(range(len(linked.cells))), i)
            if not candidates:
                raise Unprotectable(linked.cells[i])
            # A fine cell (a project's) before an aggregate the board reads, then one that
            # bounds the cell in more ways (a partner in the same area, region and quarter).
            counts = Counter(bounds.binding)
            pick = min(
                set(candidates),
                key=lambda c: (-counts[c], linked.cells[c].rank, *_cost(linked, c)),
            )
            chosen.add(pick)
        for c in chosen:
            linked.cells[c].status = SECONDARY
            intruder.changed(c)
            sums.hidden(c)
        # What the new hidden cells need of their own sums, by the cheap rule first.
        for k in sums.run():
            intruder.changed(k)
        failing = still


def _show_pinned(linked: LinkedSet, intruder: Intruder) -> None:
    """A secondary cell that the shown figures pin to one value is hidden for nothing: its
    figure is known already, so showing it adds nothing and tells no more (and a hidden cell
    that anyone can work out would belie its mark)."""
    pinned = []
    for i, cell in enumerate(linked.cells):
        if cell.status == SECONDARY and not cell.fixed:
            bounds = intruder.bounds(i)
            if bounds.high_int == bounds.low_int == cell.value:
                pinned.append(i)
    for i in pinned:
        linked.cells[i].status = SHOWN
        intruder.changed(i)


def protect(linked: LinkedSet) -> Outcome:
    """Decide which new cells are hidden, and audit every primary cell; the cells' `status`,
    `low` and `high` are set in place."""
    began = time.perf_counter()
    cells = linked.cells
    for cell in cells:
        if cell.audit_only:
            cell.status = PRIMARY  # never shown: an LP row it must not become
        elif not cell.fixed:
            cell.status = PRIMARY if unsafe(cell.value) else SHOWN
    _by_relations(linked)
    intruder = Intruder(linked)
    audited = [i for i, c in enumerate(cells) if c.status == PRIMARY]
    _repair(linked, intruder, audited)
    _show_pinned(linked, intruder)
    # The audit proper: each primary cell's range once more, as published.
    narrowest = None
    for i in audited:
        bounds = intruder.bounds(i)
        if not bounds.safe():  # pragma: no cover - the repair above makes this impossible
            raise Unprotectable(cells[i])
        cells[i].low, cells[i].high = bounds.low_int, bounds.high_int
        if bounds.high_int is not None:
            width = bounds.high_int - bounds.low_int
            narrowest = width if narrowest is None else min(narrowest, width)
    new = [c for c in cells if not c.fixed and not c.audit_only]
    return Outcome(
        primary=sum(1 for c in new if c.status == PRIMARY),
        secondary=sum(1 for c in new if c.status == SECONDARY),
        unsafe=len(audited),
        narrowest=narrowest,
        solves=intruder.solves,
        seconds=time.perf_counter() - began,
    )
