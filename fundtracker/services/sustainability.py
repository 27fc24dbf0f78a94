"""Sustainability: what the board reads of closed projects' follow-ups (issue #21).

For the closed projects of a report (its programme area and region, if it has them), at the
latest follow-up each one had accepted by the report's last day:

- how many closed projects had a follow-up accepted, and how many of them still operate (counts
  of projects, printed as they are: they count organisations' services, not people);
- the people the projects still operating reached in their last year, in all and by sex, age
  group and region (a breakdown a grantee left empty counts as "not stated").

The people figures are counts of people, so the board sees them protected, as every published
outcome figure (fundtracker.disclosure):

1. The figures form one linked set (disclosure/linked.py). Each project is an atom for its
   total and one atom per category of each breakdown plus one for "not stated", tied by an
   equation (its categories and "not stated" add up to its total: the service refuses a given
   breakdown that does not). Each printed figure is a cell, the sum of its projects' atoms; the
   total is the sum of each breakdown's cells (one relation per breakdown).
2. `disclosure.protect` hides every cell of 1 to 4 people (primary suppression), then hides more
   (secondary suppression) wherever a shown total and its shown parts would give a hidden cell
   away: each relation keeps at least two hidden parts adding up to at least THRESHOLD, and the
   intruder's linear program (disclosure/audit.py) then bounds every hidden cell from all the
   figures printed, together, and hides more until no range is narrower than THRESHOLD values.
3. A hidden cell prints `disclosure.HIDDEN`, whichever the reason (display.py).

These figures are a set of their own: the follow-ups' "last year" is no published period's,
so no published outcome cell adds to or subtracts from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker.core.time import start_of
from fundtracker.disclosure import show_cell
from fundtracker.disclosure.linked import Cell, LinkedSet
from fundtracker.disclosure.protect import protect
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Dimension,
    FollowUp,
    FollowUpStatus,
    Project,
    ProjectStatus,
    Region,
    project_regions,
)
from fundtracker.models.labels import category_labels, dimension_labels

NOT_STATED = "not_stated"


@dataclass(frozen=True)
class Figure:
    label: str
    display: str  # as printed: a number, or HIDDEN
    value: int  # the true value: for tests, never printed when hidden
    hidden: bool


def latest_accepted(
    session: Session, as_of: date, area_id: int | None = None, region_id: int | None = None
) -> list[FollowUp]:
    """The latest follow-up accepted by the end of `as_of` of each closed project (in the area
    and region, when given), with its cells and project, by project."""
    stmt = (
        select(FollowUp)
        .join(FollowUp.project)
        .where(
            Project.status == ProjectStatus.CLOSED,
            FollowUp.status == FollowUpStatus.ACCEPTED,
            FollowUp.reviewed_at < start_of(as_of + timedelta(days=1)),
        )
        .options(
            selectinload(FollowUp.cells),
            selectinload(FollowUp.project).selectinload(Project.regions),
        )
        .order_by(FollowUp.project_id, FollowUp.due_date, FollowUp.id)
    )
    if area_id:
        stmt = stmt.where(Project.area_id == area_id)
    if region_id:
        stmt = stmt.where(
            Project.id.in_(
                select(project_regions.c.project_id).where(project_regions.c.region_id == region_id)
            )
        )
    latest: dict[int, FollowUp] = {}
    for follow_up in session.scalars(stmt):
        latest[follow_up.project_id] = follow_up  # the latest due date wins
    return list(latest.values())


def _categories(running: list[FollowUp]) -> dict[Dimension, list[str]]:
    regions = sorted({r.code for f in running for r in f.project.regions})
    return {Dimension.SEX: list(SEXES), Dimension.AGE: list(AGE_GROUPS), Dimension.REGION: regions}


def linked_set(
    running: list[FollowUp],
) -> tuple[LinkedSet, int, dict[tuple[Dimension, str], int], dict[Dimension, list[str]]]:
    """The people figures as one linked set (see the module): the set, the total's index, each
    (breakdown, category) cell's index, and the categories of each breakdown."""
    linked = LinkedSet()
    categories = _categories(running)
    total_atoms: list[int] = []
    atoms: dict[tuple[Dimension, str], list[int]] = {}
    values: dict[tuple[Dimension, str], int] = {}
    for follow_up in running:
        total = follow_up.people_served or 0
        t = linked.atom()
        total_atoms.append(t)
        own_regions = [r.code for r in follow_up.project.regions]
        for dimension, cats in categories.items():
            given = follow_up.breakdown(dimension)
            tie = [(t, -1.0)]
            # A project's regions are public: it has no atom (a known zero) in the others.
            own = own_regions if dimension == Dimension.REGION else cats
            for category in [*own, NOT_STATED]:
                value = (
                    given.get(category, 0) if category != NOT_STATED else (0 if given else total)
                )
                a = linked.atom()
                tie.append((a, 1.0))
                atoms.setdefault((dimension, category), []).append(a)
                values[(dimension, category)] = values.get((dimension, category), 0) + value
            linked.ties.append(tie)
    grand = sum(f.people_served or 0 for f in running)
    top = linked.add(Cell(("total",), total_atoms, grand, rank=1))
    index: dict[tuple[Dimension, str], int] = {}
    for dimension, cats in categories.items():
        children = []
        for category in [*cats, NOT_STATED]:
            key = (dimension, category)
            index[key] = linked.add(Cell(key, atoms.get(key, []), values.get(key, 0)))
            children.append(index[key])
        linked.relations.append((top, children))
    return linked, top, index, categories


def protected_figures(
    running: list[FollowUp], region_names: dict[str, str]
) -> tuple[Figure, list[tuple[str, list[Figure]]]]:
    """The people reached, in all and by each breakdown, protected (see the module)."""
    linked, top, index, categories = linked_set(running)
    if running:
        protect(linked)

    def figure(i: int, label: str) -> Figure:
        cell = linked.cells[i]
        return Figure(label, show_cell(cell.value, hidden=cell.hidden), cell.value, cell.hidden)

    names = category_labels()
    dims = dimension_labels()
    breakdowns = []
    for dimension, cats in categories.items():
        rows = []
        for category in [*cats, NOT_STATED]:
            i = index[(dimension, category)]
            if category == NOT_STATED:
                if not linked.cells[i].hidden and linked.cells[i].value == 0:
                    continue  # every project gave this breakdown: nothing to print
                label = str(_l("Not stated"))
            elif dimension == Dimension.REGION:
                label = region_names.get(category, category)
            else:
                label = str(names.get(category, category))
            rows.append(figure(i, label))
        if rows:
            breakdowns.append((str(dims[dimension.value]), rows))
    return figure(top, str(_l("People reached in the last year"))), breakdowns


def board_section(
    session: Session,
    as_of: date,
    locale: str,
    area_id: int | None = None,
    region_id: int | None = None,
) -> dict:
    """The board report's "Sustainability" section, as plain data (strings in the locale in
    force: call it inside `force_locale`)."""
    latest = latest_accepted(session, as_of, area_id, region_id)
    running = [f for f in latest if f.still_running]
    region_names = {r.code: r.name(locale) for r in session.scalars(select(Region))}
    reached, breakdowns = protected_figures(running, region_names)
    return {
        "followed": len(latest),
        "running": len(running),
        "stopped": len(latest) - len(running),
        "reached": reached.display if running else None,
        "breakdowns": [
            {"label": label, "rows": [{"label": f.label, "display": f.display} for f in rows]}
            for label, rows in breakdowns
        ]
        if running
        else [],
    }
