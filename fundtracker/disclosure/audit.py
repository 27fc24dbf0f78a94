"""The intruder: someone who knows every shown figure of a linked set, the equations between them
and that counts are not negative, and works out the smallest and largest value each hidden cell
can have.

First what follows by plain arithmetic is taken out (a shown cell with one unknown left fixes it;
a shown zero fixes every unknown in it to zero), remembering which figure fixed each unknown;
hiding or showing a cell works out again only what depended on its figure. A linear program over
the unknowns that are left (HiGHS, through highspy) then bounds each hidden cell: the model is
built once per state of the set and each cell is a change of objective, solved again from the
last basis. With most cells shown, what is left is a small part of the set, which is what makes
auditing thousands of projects affordable.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np

from fundtracker.disclosure.display import THRESHOLD
from fundtracker.disclosure.linked import LinkedSet

INF = highspy.kHighsInf
EPS = 1e-6


class Infeasible(Exception):
    """The shown figures contradict each other: earlier publications no longer match the data."""


@dataclass
class Bounds:
    low: float
    high: float
    # Shown cells (indices) whose figures bound the cell.
    binding: list[int]

    @property
    def low_int(self) -> int:
        return max(0, math.ceil(self.low - EPS))

    @property
    def high_int(self) -> int | None:
        return None if self.high == math.inf else math.floor(self.high + EPS)

    def safe(self) -> bool:
        """Wide enough: at least THRESHOLD possible values, and not known to be below
        THRESHOLD."""
        high = self.high_int
        if high is None:
            return True
        return high >= THRESHOLD and high - self.low_int >= THRESHOLD - 1


@dataclass
class _Row:
    terms: list[tuple[int, float]]
    rhs: float
    cell: int | None  # None for an equation between atoms


class Intruder:
    def __init__(self, linked: LinkedSet):
        self.linked = linked
        self.solves = 0
        # Every shown figure's row is kept, with hidden cells' rows switched off: hiding or
        # showing a cell then undoes or adds only what depended on its row.
        self.rows = [_Row(list(tie), 0.0, None) for tie in linked.ties]
        self._row_of: dict[int, int] = {}
        for i, cell in enumerate(linked.cells):
            if cell.atoms:
                self._row_of[i] = len(self.rows)
                self.rows.append(_Row([(a, 1.0) for a in cell.atoms], float(cell.value), i))
        self.atom_rows: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for r, row in enumerate(self.rows):
            for atom, coefficient in row.terms:
                self.atom_rows[atom].append((r, coefficient))
        self.active = [row.cell is None for row in self.rows]
        self.residual = [row.rhs for row in self.rows]
        self.free = [len(row.terms) for row in self.rows]
        self.fixed: dict[int, float] = {}
        self.reason: dict[int, int] = {}
        self._when: dict[int, int] = {}  # the order atoms were fixed in
        self._clock = 0
        self._fixed_by: dict[int, list[int]] = defaultdict(list)
        self._unknown: dict[int, dict[int, float]] = {}  # a row's atoms not fixed, once asked
        self._waiting = [r for r in range(len(linked.ties)) if self._ready(r)]
        self._dirty = True
        self._prepare()

    def changed(self, i: int) -> None:
        """Cell `i` is now hidden or shown (its status already says so): what is known is worked out
        again before the next bound."""
        self._dirty = True

    # What follows by arithmetic ------------------------------------------------------------

    def _ready(self, r: int) -> bool:
        # One unknown left, or a shown figure of zero (every unknown in it is zero).
        free = self.free[r]
        return free == 1 or (
            free > 0 and self.rows[r].cell is not None and abs(self.residual[r]) <= EPS
        )

    def _prepare(self) -> None:
        if not self._dirty:
            return
        cells = self.linked.cells
        hide, show = [], []
        for i, r in self._row_of.items():
            shown = not cells[i].hidden
            if shown != self.active[r]:
                (show if shown else hide).append(r)
        queue, self._waiting = self._waiting, []
        if hide:
            queue += self._hide(hide)
        for r in show:
            self.active[r] = True
            if self.free[r] == 0 and abs(self.residual[r]) > EPS:
                raise Infeasible
            if self._ready(r):
                queue.append(r)
        self._propagate(queue)
        self._build_lp()
        self._dirty = False

    def _hide(self, rows: list[int]) -> list[int]:
        """Switch rows off and undo every atom fixed through them, then every atom fixed through
        a row after one of those (it may have needed it); returns the rows to try again. What is
        left was worked out from rows still shown, so propagating again ends where working
        everything out from scratch would (the atoms fixed by arithmetic do not depend on the
        order)."""
        undo = []
        for r in rows:
            self.active[r] = False
            undo += self._fixed_by.pop(r, [])
        touched = []
        while undo:
            atom = undo.pop()
            if atom not in self.fixed:
                continue
            value, when = self.fixed.pop(atom), self._when.pop(atom)
            by = self._fixed_by.get(self.reason.pop(atom))
            if by and atom in by:
                by.remove(atom)
            for r2, c2 in self.atom_rows[atom]:
                self.residual[r2] += c2 * value
                self.free[r2] += 1
                unknown = self._unknown.get(r2)
                if unknown is not None:
                    unknown[atom] = unknown.get(atom, 0.0) + c2
                undo += [b for b in self._fixed_by.get(r2, ()) if self._when[b] > when]
                touched.append(r2)
        return [r for r in dict.fromkeys(touched) if self.active[r] and self._ready(r)]

    def _fix(self, atom: int, value: float, r: int, queue: list[int]) -> None:
        if value < -EPS:
            raise Infeasible
        value = max(value, 0.0)
        self.fixed[atom] = value
        self.reason[atom] = r
        self._when[atom] = self._clock
        self._clock += 1
        self._fixed_by[r].append(atom)
        residual, free, active = self.residual, self.free, self.active
        for r2, c2 in self.atom_rows[atom]:
            residual[r2] -= c2 * value
            free[r2] -= 1
            unknown = self._unknown.get(r2)
            if unknown is not None:
                unknown.pop(atom, None)
            if not active[r2]:
                continue
            if free[r2] == 0 and abs(residual[r2]) > EPS:
                raise Infeasible
            if self._ready(r2):
                queue.append(r2)

    def _propagate(self, queue: list[int]) -> None:
        while queue:
            r = queue.pop()
            if not self.active[r] or not self._ready(r):
                continue
            unknown = list(self._unknowns(r).items())
            if len(unknown) == 1:
                atom, coefficient = unknown[0]
                self._fix(atom, self.residual[r] / coefficient, r, queue)
            else:
                for atom, _ in unknown:
                    self._fix(atom, 0.0, r, queue)

    def _unknowns(self, r: int) -> dict[int, float]:
        """Row `r`'s atoms not fixed, with their coefficients (kept up to date once asked for:
        a sum over thousands of atoms is read once, not at each state)."""
        unknown = self._unknown.get(r)
        if unknown is None:
            unknown = {}
            for atom, coefficient in self.rows[r].terms:
                if atom not in self.fixed:
                    unknown[atom] = unknown.get(atom, 0.0) + coefficient
            self._unknown[r] = unknown
        return unknown

    def _build_lp(self) -> None:
        columns: dict[int, int] = {}
        starts, index, value, bounds = [0], [], [], []
        self.lp_rows: list[int] = []  # LP row -> row
        for r, free in enumerate(self.free):
            if free == 0 or not self.active[r]:
                continue
            for atom, coefficient in sorted(self._unknowns(r).items()):
                index.append(columns.setdefault(atom, len(columns)))
                value.append(coefficient)
            starts.append(len(index))
            bounds.append(self.residual[r])
            self.lp_rows.append(r)
        self.columns = columns
        self.h = None
        if not columns:
            return
        n = len(columns)
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(bounds)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, INF)
        lp.row_lower_ = np.array(bounds, dtype=float)
        lp.row_upper_ = np.array(bounds, dtype=float)
        matrix = highspy.HighsSparseMatrix()
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_ = n
        matrix.num_row_ = len(bounds)
        matrix.start_ = np.array(starts, dtype=np.int32)
        matrix.index_ = np.array(index, dtype=np.int32)
        matrix.value_ = np.array(value, dtype=float)
        lp.a_matrix_ = matrix
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # Each bound changes only the objective, so the last basis stays feasible: primal
        # simplex goes on from it in a few iterations, where dual simplex starts over.
        h.setOptionValue("simplex_strategy", 4)
        if h.passModel(lp) != highspy.HighsStatus.kOk:
            raise ValueError("the linked set is not a valid linear program")
        self.h = h
        self._costed: list[int] = []

    # Bounds -------------------------------------------------------------------------------

    def _solve(self, columns: list[int], sense: float, want_binding: bool):
        h = self.h
        if self._costed:
            h.changeColsCost(
                len(self._costed),
                np.array(self._costed, dtype=np.int32),
                np.zeros(len(self._costed)),
            )
        h.changeColsCost(
            len(columns), np.array(columns, dtype=np.int32), np.full(len(columns), sense)
        )
        self._costed = columns
        h.run()
        self.solves += 1
        status = h.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
            # Undecided by presolve (unbounded or infeasible): solve again without it.
            h.setOptionValue("presolve", "off")
            h.run()
            h.setOptionValue("presolve", "choose")
            status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return math.inf, []
        if status != highspy.HighsModelStatus.kOptimal:
            raise Infeasible(str(status))
        objective = h.getInfo().objective_function_value * sense
        binding = []
        if want_binding:
            duals = np.asarray(h.getSolution().row_dual)
            for k in np.flatnonzero(np.abs(duals) > 1e-9):
                row = self.rows[self.lp_rows[k]]
                if row.cell is not None:
                    binding.append(row.cell)
                else:
                    # An equation between atoms: what made its other atoms known binds too.
                    binding += self._reasons([a for a, _ in row.terms], depth=2)
        return objective, binding

    def _reasons(self, atoms, depth: int = 3) -> list[int]:
        """The shown cells that fixed these atoms by arithmetic (through equations between
        atoms, up to `depth` steps back)."""
        out, seen = [], set()
        frontier = [a for a in atoms if a in self.fixed]
        for _ in range(depth):
            following = []
            for atom in frontier:
                r = self.reason[atom]
                if r in seen:
                    continue
                seen.add(r)
                row = self.rows[r]
                if row.cell is not None:
                    out.append(row.cell)
                following += [a for a, _ in row.terms if a != atom and a in self.fixed]
            frontier = following
        return out

    def bounds(self, i: int, *, want_binding: bool = False) -> Bounds:
        """The smallest and largest value cell `i` can have, given the shown cells."""
        self._prepare()
        atoms = self.linked.cells[i].atoms
        constant = sum(self.fixed.get(a, 0.0) for a in atoms)
        unknown = [a for a in atoms if a not in self.fixed]
        binding = self._reasons(atoms) if want_binding else []
        if not unknown:
            return Bounds(constant, constant, binding)
        # An atom in no shown figure at all can be anything: the cell has no upper bound.
        columns = [self.columns[a] for a in unknown if a in self.columns]
        if not columns:
            return Bounds(constant, math.inf, binding)
        # Minimising with cost +1, maximising with cost -1 (HiGHS minimises).
        low, binding_low = self._solve(columns, 1.0, want_binding)
        if len(columns) < len(unknown):
            high, binding_high = math.inf, []
        else:
            high, binding_high = self._solve(columns, -1.0, want_binding)
        if want_binding:
            binding += binding_high + binding_low
        return Bounds(constant + low, constant + high, binding)

    def partners(self, i: int) -> list[int]:
        """For a cell pinned by arithmetic: shown cells to hide so that none of the figures that
        pin it does any more. Each figure holding one of its atoms whose other atoms are all
        known pins it; hiding what made one of those others known (usually another project's
        cell) undoes that. Chosen greedily, a partner that undoes several first."""
        self._prepare()
        cell = self.linked.cells[i]
        pinning: list[int] = []
        for atom in cell.atoms:
            for r, _ in self.atom_rows.get(atom, []):
                if self.active[r] and self.rows[r].cell != i and self.free[r] == 0:
                    pinning.append(r)
        covers: dict[int, set[int]] = defaultdict(set)
        for r in pinning:
            own = set(cell.atoms)
            for a, _ in self.rows[r].terms:
                if a in own:
                    continue
                source = self.rows[self.reason[a]].cell
                if source is not None and source != i:
                    covers[source].add(r)
            if self.rows[r].cell is not None:
                covers[self.rows[r].cell].add(r)
        chosen, left = [], set(pinning)
        while left and covers:
            best = max(
                covers,
                key=lambda c: (
                    len(covers[c] & left),
                    -self.linked.cells[c].rank,
                    -self.linked.cells[c].value,
                ),
            )
            if not covers[best] & left:
                break
            chosen.append(best)
            left -= covers.pop(best)
        return chosen
