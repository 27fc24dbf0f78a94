"""A linked set of tables as the protection sees it: every published cell is a sum of atoms
(non-negative unknowns, e.g. one project's count in one region in one quarter), atoms may be
tied by equations (a project's counts by region add up to its count), and some cells are the
sum of others (a total and its areas, a year and its half-years).

Nothing here knows the fund's tables: services/publications builds the set from the database,
and protect.py decides what is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN = "shown"
PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass
class Cell:
    key: tuple  # what the caller knows it by
    atoms: list[int]  # the atoms it adds up
    value: int
    # Published before: its status is a constraint and never changes.
    fixed: bool = False
    status: str = SHOWN
    # Among cells of equal value, lower ranks are hidden first (a project before a total).
    rank: int = 0
    low: int | None = None  # the audit's range, for a hidden cell
    high: int | None = None
    # Never published, only audited as if it were a hidden primary cell: a count of people
    # that differences of published cells could give away (a cumulative count's increase).
    audit_only: bool = False

    @property
    def hidden(self) -> bool:
        return self.status != SHOWN

    def keep(self, status: str) -> None:
        """Published before as `status`: a constraint from now on, never changed."""
        self.fixed = True
        self.status = status


@dataclass
class LinkedSet:
    atoms: int = 0
    # Equations between atoms, each sum(coefficient * atom) == 0.
    ties: list[list[tuple[int, float]]] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    # (parent, children): the parent cell is the sum of the children (indices into cells).
    relations: list[tuple[int, list[int]]] = field(default_factory=list)

    def atom(self) -> int:
        self.atoms += 1
        return self.atoms - 1

    def add(self, cell: Cell) -> int:
        self.cells.append(cell)
        return len(self.cells) - 1
