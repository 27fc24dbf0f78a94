"""What changed between two submissions of a milestone's update: the one the fund sent back for
revision and the one the grantee submitted after it. Plain data for the officer's review (the
page gives it labels and formats its figures): the narrative word by word, progress, people
reached, spending per budget line, and each indicator result's value and breakdown cells, as
each submission carried them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from fundtracker.models import Dimension, Milestone, MilestoneUpdate, UpdateStatus
from fundtracker.services import outcomes


@dataclass(frozen=True)
class Piece:
    """A run of the narrative: kept, added or removed."""

    text: str
    added: bool = False
    removed: bool = False


@dataclass(frozen=True)
class Change:
    """A figure before and after; None where a submission has none."""

    before: int | None
    after: int | None


@dataclass(frozen=True)
class SpendingChange(Change):
    budget_line_id: int = 0


@dataclass(frozen=True)
class CellChange(Change):
    dimension: Dimension = Dimension.REGION
    category: str = ""


@dataclass(frozen=True)
class ResultChange(Change):
    """One indicator result: its value (None before: added; None after: no longer reported in
    the update) and the breakdown cells that changed."""

    indicator_id: int = 0
    period_start: date = date.min
    cells: tuple[CellChange, ...] = ()


@dataclass(frozen=True)
class UpdateDiff:
    earlier: MilestoneUpdate
    later: MilestoneUpdate
    narrative: tuple[Piece, ...] | None  # None: unchanged
    progress: Change | None
    beneficiaries: Change | None
    spending: tuple[SpendingChange, ...]
    results: tuple[ResultChange, ...]

    @property
    def changed(self) -> bool:
        return any((self.narrative, self.progress, self.beneficiaries, self.spending, self.results))


_TOKENS = re.compile(r"\s+|[^\s]+")


def narrative_pieces(before: str, after: str) -> tuple[Piece, ...]:
    """`after` against `before`, word by word (the spaces between words count as words, so the
    pieces put together give back either text)."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    pieces: list[Piece] = []

    def add(text: str, added=False, removed=False) -> None:
        if not text:
            return
        last = pieces[-1] if pieces else None
        if last is not None and (last.added, last.removed) == (added, removed):
            pieces[-1] = Piece(last.text + text, added, removed)
        else:
            pieces.append(Piece(text, added, removed))

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("".join(old[i1:i2]))
            continue
        add("".join(old[i1:i2]), removed=True)
        add("".join(new[j1:j2]), added=True)
    return tuple(pieces)


def _change(before: int | None, after: int | None) -> Change | None:
    return Change(before, after) if before != after else None


def _spending(earlier: MilestoneUpdate, later: MilestoneUpdate) -> tuple[SpendingChange, ...]:
    before = {s.budget_line_id: s.amount for s in earlier.spending}
    after = {s.budget_line_id: s.amount for s in later.spending}
    lines = [line.id for line in later.milestone.project.budget_lines]
    lines += sorted((before.keys() | after.keys()) - set(lines))
    return tuple(
        SpendingChange(before.get(line), after.get(line), budget_line_id=line)
        for line in lines
        if before.get(line) != after.get(line)
    )


def _cells(before: dict, after: dict) -> tuple[CellChange, ...]:
    changes = []
    for dimension in Dimension:
        old = (before or {}).get(dimension.value, {})
        new = (after or {}).get(dimension.value, {})
        for category in sorted(old.keys() | new.keys()):
            if old.get(category) != new.get(category):
                changes.append(
                    CellChange(old.get(category), new.get(category), dimension, category)
                )
    return tuple(changes)


def _results(session: Session, earlier: MilestoneUpdate, later: MilestoneUpdate):
    carried = outcomes.carried_by_update(session, [earlier.id, later.id])
    before = {row.result_id: row for row in carried[earlier.id]}
    after = {row.result_id: row for row in carried[later.id]}
    rows = {**before, **after}
    order = sorted(rows, key=lambda i: (rows[i].result.indicator_id, rows[i].result.period_start))
    changes = []
    for result_id in order:
        old, new = before.get(result_id), after.get(result_id)
        cells = _cells(old.cells if old else {}, new.cells if new else {})
        value_before = old.value if old else None
        value_after = new.value if new else None
        if value_before == value_after and not cells:
            continue
        result = rows[result_id].result
        changes.append(
            ResultChange(
                value_before,
                value_after,
                indicator_id=result.indicator_id,
                period_start=result.period_start,
                cells=cells,
            )
        )
    return tuple(changes)


def compare(session: Session, earlier: MilestoneUpdate, later: MilestoneUpdate) -> UpdateDiff:
    """What `later` changed against `earlier`; only what differs is listed."""
    narrative = (
        narrative_pieces(earlier.narrative, later.narrative)
        if earlier.narrative != later.narrative
        else None
    )
    return UpdateDiff(
        earlier=earlier,
        later=later,
        narrative=narrative,
        progress=_change(earlier.progress, later.progress),
        beneficiaries=_change(earlier.beneficiaries, later.beneficiaries),
        spending=_spending(earlier, later),
        results=_results(session, earlier, later),
    )


def for_review(session: Session, milestone: Milestone) -> UpdateDiff | None:
    """What the update waiting for review changed against the submission sent back before it;
    None when it is the first submission or none waits."""
    submitted = [u for u in milestone.updates if u.status != UpdateStatus.DRAFT]
    if len(submitted) < 2 or submitted[-1].status != UpdateStatus.SUBMITTED:
        return None
    return compare(session, submitted[-2], submitted[-1])
