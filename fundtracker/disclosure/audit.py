"""The intruder: a linear program that knows every shown figure of a linked set, the equations
between them and that counts are not negative, and works out the smallest and largest value
each hidden cell can have. HiGHS solves it (highspy); the model is built once and each cell's
bounds are a change of objective, solved again from the last basis.

A hidden cell is hidden by freeing its row, so hiding more cells never rebuilds the model.
"""

from __future__ import annotations

import math
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
    # Rows (cell indices) whose figures bound the cell, when it is too narrow.
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


class Intruder:
    def __init__(self, linked: LinkedSet):
        self.linked = linked
        self.solves = 0
        n = max(linked.atoms, 1)
        starts, index, value, lower, upper = [0], [], [], [], []
        for tie in linked.ties:
            for atom, coefficient in tie:
                index.append(atom)
                value.append(coefficient)
            starts.append(len(index))
            lower.append(0.0)
            upper.append(0.0)
        self.row_of: dict[int, int] = {}
        for i, cell in enumerate(linked.cells):
            if not cell.atoms:
                continue
            self.row_of[i] = len(lower)
            index += cell.atoms
            value += [1.0] * len(cell.atoms)
            starts.append(len(index))
            bound = -INF if cell.hidden else float(cell.value)
            lower.append(bound)
            upper.append(INF if cell.hidden else float(cell.value))
        self.cell_of = {row: i for i, row in self.row_of.items()}
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(lower)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, INF)
        lp.row_lower_ = np.array(lower, dtype=float)
        lp.row_upper_ = np.array(upper, dtype=float)
        matrix = highspy.HighsSparseMatrix()
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_ = n
        matrix.num_row_ = len(lower)
        matrix.start_ = np.array(starts, dtype=np.int32)
        matrix.index_ = np.array(index, dtype=np.int32)
        matrix.value_ = np.array(value, dtype=float)
        lp.a_matrix_ = matrix
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        if self.h.passModel(lp) != highspy.HighsStatus.kOk:
            raise ValueError("the linked set is not a valid linear program")
        self._costed: list[int] = []
        if lp.num_row_:
            self.h.run()
            if self.h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
                raise Infeasible

    def hide(self, i: int) -> None:
        row = self.row_of.get(i)
        if row is not None:
            self.h.changeRowBounds(row, -INF, INF)

    def _solve(self, atoms: list[int], sense: float, want_binding: bool):
        h = self.h
        if self._costed:
            h.changeColsCost(
                len(self._costed),
                np.array(self._costed, dtype=np.int32),
                np.zeros(len(self._costed)),
            )
        h.changeColsCost(len(atoms), np.array(atoms, dtype=np.int32), np.full(len(atoms), sense))
        self._costed = list(atoms)
        h.run()
        self.solves += 1
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return math.inf, []
        if status == highspy.HighsModelStatus.kInfeasible:
            raise Infeasible(str(status))
        if status != highspy.HighsModelStatus.kOptimal:
            # Unbounded or infeasible, undecided by presolve: solve again without it.
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
            binding = [
                self.cell_of[row]
                for row, dual in enumerate(duals)
                if abs(dual) > 1e-9 and row in self.cell_of
            ]
        return objective, binding

    def bounds(self, i: int, *, want_binding: bool = False) -> Bounds:
        """The smallest and largest value cell `i` can have, given the shown cells."""
        atoms = self.linked.cells[i].atoms
        if not atoms:
            return Bounds(0.0, 0.0, [])
        # Minimising with cost +1, maximising with cost -1 (HiGHS minimises).
        low, binding_low = self._solve(atoms, 1.0, want_binding)
        high, binding_high = self._solve(atoms, -1.0, want_binding)
        return Bounds(low, high, binding_high + binding_low)
