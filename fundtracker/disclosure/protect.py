"""Protecting a linked set of tables as one, in the way of τ-Argus and the ESSnet SDC Handbook
(chapter 5: secondary suppression in linked tables, then an audit):

1. Primary suppression: a new cell counting 1 to 4 people is hidden.
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

import time
from dataclasses import dataclass

from fundtracker.disclosure.audit import Bounds, Intruder
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


def _by_relations(linked: LinkedSet) -> None:
    cells = linked.cells
    changed = True
    while changed:
        changed = False
        for parent, children in linked.relations:
            if cells[parent].hidden:
                continue
            hidden = [c for c in children if cells[c].hidden]
            if not hidden:
                continue
            if len(hidden) >= 2 and sum(cells[c].value for c in hidden) >= THRESHOLD:
                continue
            shown = [c for c in children if not cells[c].hidden and not cells[c].fixed]
            if shown:
                cells[min(shown, key=lambda c: _cost(linked, c))].status = SECONDARY
                changed = True
            elif not cells[parent].fixed:
                cells[parent].status = SECONDARY
                changed = True


def _repair(linked: LinkedSet, intruder: Intruder, i: int) -> Bounds:
    cells = linked.cells
    while True:
        bounds = intruder.bounds(i)
        if bounds.safe():
            return bounds
        bounds = intruder.bounds(i, want_binding=True)
        candidates = [
            c for c in bounds.binding if not cells[c].hidden and not cells[c].fixed and c != i
        ]
        if not candidates:
            raise Unprotectable(cells[i])
        chosen = min(candidates, key=lambda c: _cost(linked, c))
        cells[chosen].status = SECONDARY
        intruder.hide(chosen)


def protect(linked: LinkedSet) -> Outcome:
    """Decide which new cells are hidden, and audit every primary cell; the cells' `status`,
    `low` and `high` are set in place."""
    began = time.perf_counter()
    cells = linked.cells
    for cell in cells:
        if not cell.fixed:
            cell.status = PRIMARY if unsafe(cell.value) else SHOWN
    _by_relations(linked)
    intruder = Intruder(linked)
    audited = [i for i, c in enumerate(cells) if c.status == PRIMARY]
    for i in audited:
        _repair(linked, intruder, i)
    # The audit proper: with every cell now hidden, each primary cell's range once more (hiding
    # only ever widens a range, so none can have narrowed since it was repaired).
    narrowest = None
    for i in audited:
        bounds = intruder.bounds(i)
        if not bounds.safe():  # pragma: no cover - the repair above makes this impossible
            raise Unprotectable(cells[i])
        cells[i].low, cells[i].high = bounds.low_int, bounds.high_int
        if bounds.high_int is not None:
            width = bounds.high_int - bounds.low_int
            narrowest = width if narrowest is None else min(narrowest, width)
    new = [c for c in cells if not c.fixed]
    return Outcome(
        primary=sum(1 for c in new if c.status == PRIMARY),
        secondary=sum(1 for c in new if c.status == SECONDARY),
        unsafe=len(audited),
        narrowest=narrowest,
        solves=intruder.solves,
        seconds=time.perf_counter() - began,
    )
