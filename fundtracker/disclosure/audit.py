"""The intruder: someone who knows every shown figure of a linked set, the equations between them
and that counts are not negative, and works out the smallest and largest value each hidden cell
can have.

First what follows by plain arithmetic is taken out (a shown cell with one unknown left fixes it;
a shown zero fixes every unknown in it to zero), remembering which figure fixed each unknown. A
linear program over the unknowns that are left (HiGHS, through highspy) then bounds each hidden
cell: the model is built once per state of the set and each cell is a change of objective,
solved again from the last basis. With most cells shown, what is left is a small part of the set,
which is what makes auditing thousands of projects affordable.
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
        self._dirty = True
        self._prepare()

    def changed(self, i: int) -> None:
        """Cell `i` is now hidden or shown (its status already says so): what is known is worked out
        again before the next bound."""
        self._dirty = True

    # What follows by arithmetic ------------------------------------------------------------

    def _rows(self) -> list[_Row]:
        rows = [_Row(list(tie), 0.0, None) for tie in self.linked.ties]
        for i, cell in enumerate(self.linked.cells):
            if cell.atoms and not cell.hidden:
                rows.append(_Row([(a, 1.0) for a in cell.atoms], float(cell.value), i))
        return rows

    def _prepare(self) -> None:
        if not self._dirty:
            return
        rows = self._rows()
        atom_rows: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for r, row in enumerate(rows):
            for atom, coefficient in row.terms:
                atom_rows[atom].append((r, coefficient))
        residual = [row.rhs for row in rows]
        free = [len(row.terms) for row in rows]
        fixed: dict[int, float] = {}
        reason: dict[int, int] = {}

        def ready(r: int) -> bool:
            # One unknown left, or a shown figure of zero (every unknown in it is zero).
            return free[r] == 1 or (
                free[r] > 0 and rows[r].cell is not None and abs(residual[r]) <= EPS
            )

        def fix(atom: int, value: float, r: int) -> None:
            if value < -EPS:
                raise Infeasible
            fixed[atom] = max(value, 0.0)
            reason[atom] = r
            for r2, c2 in atom_rows[atom]:
                residual[r2] -= c2 * fixed[atom]
                free[r2] -= 1
                if free[r2] == 0 and abs(residual[r2]) > EPS:
                    raise Infeasible
                if ready(r2):
                    queue.append(r2)

        queue = [r for r in range(len(rows)) if ready(r)]
        while queue:
            r = queue.pop()
            if not ready(r):
                continue
            unknown = [(a, c) for a, c in rows[r].terms if a not in fixed]
            if len(unknown) == 1:
                atom, coefficient = unknown[0]
                fix(atom, residual[r] / coefficient, r)
            else:
                for atom, _ in unknown:
                    fix(atom, 0.0, r)
        self.rows, self.fixed, self.reason, self.atom_rows = rows, fixed, reason, atom_rows
        self._build_lp(rows, residual, free)
        self._dirty = False

    def _build_lp(self, rows: list[_Row], residual: list[float], free: list[int]) -> None:
        columns: dict[int, int] = {}
        starts, index, value, bounds = [0], [], [], []
        self.lp_rows: list[int] = []  # LP row -> row
        for r, row in enumerate(rows):
            if free[r] == 0:
                continue
            for atom, coefficient in row.terms:
                if atom in self.fixed:
                    continue
                index.append(columns.setdefault(atom, len(columns)))
                value.append(coefficient)
            starts.append(len(index))
            bounds.append(residual[r])
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
            duals = h.getSolution().row_dual
            for k, dual in enumerate(duals):
                if abs(dual) <= 1e-9:
                    continue
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
                row = self.rows[r]
                if row.cell == i or row.cell is not None and self.linked.cells[row.cell].hidden:
                    continue
                if all(a in self.fixed for a, _ in row.terms):
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
