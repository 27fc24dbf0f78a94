"""Publishing a period: its results are locked, every table any output can show for it (and for
the periods of the grid inside it not yet published) is built, protected as one linked set with
everything published before in the same year, audited, and stored.

A period is published once and never rewritten; a later one is protected around it. Publishing
tells the board and the officers (services/notifier.py, "outcomes_published").

Also here, for the officers' publications page and the monthly job: which ended periods are
published or ready (`readiness`), the results that hold one back (`waiting_results`), and the
hidden cells of a publication with their true values (`hidden_cells`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.disclosure import grid
from fundtracker.disclosure.audit import Infeasible
from fundtracker.disclosure.linked import PRIMARY, SECONDARY
from fundtracker.disclosure.protect import Unprotectable, protect
from fundtracker.models import (
    CellStatus,
    IndicatorResult,
    MilestoneUpdate,
    Project,
    ProjectIndicator,
    Publication,
    PublishedCell,
    ResultStatus,
    User,
)
from fundtracker.models.base import utcnow
from fundtracker.services import audit as audit_log
from fundtracker.services import notifier
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.publications import cells as tables

# What publishing tells the board and the officers (services/notifier.py AUDIENCES).
PUBLISHED_EVENT = "outcomes_published"


def _key_of(cell: PublishedCell, period: str) -> tables.CellKey:
    kind, mid = tables.measure_of(cell.standard_id, cell.indicator_id)
    return (
        period,
        kind,
        mid,
        cell.table,
        cell.area_id,
        cell.region,
        cell.category,
        cell.project_id,
    )


def pending(session: Session, period: grid.Period) -> int:
    """Results of the period that the fund has not verified yet (drafts included)."""
    return session.scalar(
        select(func.count())
        .select_from(IndicatorResult)
        .where(
            IndicatorResult.period_end >= period.start,
            IndicatorResult.period_end <= period.end,
            IndicatorResult.status != ResultStatus.VERIFIED,
        )
    )


def published_periods(session: Session) -> set[str]:
    return set(session.scalars(select(Publication.period)))


def is_published(session: Session, day: date) -> bool:
    """Whether a day falls in a published period (its results can no longer change)."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Publication)
            .where(Publication.period_start <= day, Publication.period_end >= day)
        )
    )


def _waiting_message(n: int, period: grid.Period):
    return lazy_ngettext(
        "%(num)d result of %(period)s is not verified yet: verify it (or have it corrected) first.",
        "%(num)d results of %(period)s are not verified yet: verify them (or have them "
        "corrected) first.",
        n,
        period=period.label(),
    )


def problems(session: Session, period: grid.Period, today: date) -> list:
    """Why the period cannot be published now (empty when it can)."""
    out = []
    if period.key in published_periods(session):
        out.append(_l("%(period)s is published already.", period=period.label()))
        return out
    if period.end >= today:
        out.append(_l("%(period)s has not ended yet.", period=period.label()))
    waiting = pending(session, period)
    if waiting:
        out.append(_waiting_message(waiting, period))
    return out


def publish(
    session: Session, actor: User | None, key: str, today: date, *, tell: bool = True
) -> list[Publication]:
    """Publish the period `key` and the periods inside it not yet published; returns the new
    publications, the period asked for last. `actor` None: the scheduled job. The board and the
    officers are told (once, of the period asked for) unless `tell` is False."""
    if actor is not None and not permissions.can_publish_outcomes(actor):
        raise NotAllowed(_l("Only fund officers publish outcome figures."))
    try:
        period = grid.parse(key)
    except ValueError:
        raise DomainError(_l("Choose a quarter, half-year or year."), field="period") from None
    found = problems(session, period, today)
    if found:
        raise Conflict(found[0], field="period")
    year_start, year_end = date(period.year, 1, 1), date(period.year, 12, 31)
    before = list(
        session.scalars(
            select(Publication).where(
                Publication.period_start >= year_start, Publication.period_end <= year_end
            )
        )
    )
    done = {p.period for p in before}
    new = [p for p in period.within() if p.key not in done]
    for part in new:
        waiting = pending(session, part)
        if waiting:
            raise Conflict(problems(session, part, today)[-1], field="period")

    data = tables.load(session, period.year)
    fixed = {}
    stored_values = {}
    if before:
        periods_of = {p.id: p.period for p in before}
        for cell in session.scalars(
            select(PublishedCell).where(PublishedCell.publication_id.in_(periods_of))
        ):
            k = _key_of(cell, periods_of[cell.publication_id])
            fixed[k] = cell
            stored_values[k] = cell.value
    periods = sorted({grid.parse(k) for k in done} | set(new), key=lambda p: (p.end, p.months))
    parts = tables.build(data, periods, fixed)
    _check_unchanged(parts, fixed, {p.key for p in new})
    outcomes = []
    try:
        for part in parts:
            outcomes.append(protect(part.linked))
    except (Unprotectable, Infeasible):
        raise Conflict(
            _l(
                "The figures of %(period)s cannot be published safely together with those "
                "published before: the fund's data protection officer needs to look at it.",
                period=period.label(),
            )
        ) from None

    session.execute(
        update(IndicatorResult)
        .where(
            IndicatorResult.period_end >= min(p.start for p in new),
            IndicatorResult.period_end <= max(p.end for p in new),
            IndicatorResult.status == ResultStatus.VERIFIED,
            IndicatorResult.locked.is_(False),
        )
        .values(locked=True, version_id=IndicatorResult.version_id + 1)
        .execution_options(synchronize_session=False)
    )
    now = utcnow()
    audit = {
        "passed": True,
        "threshold": 5,
        "unsafe": sum(o.unsafe for o in outcomes),
        "narrowest": min((o.narrowest for o in outcomes if o.narrowest is not None), default=None),
        "solves": sum(o.solves for o in outcomes),
        "seconds": round(sum(o.seconds for o in outcomes), 3),
        "together": [p.key for p in new],
    }
    made = []
    for part in new:
        publication = Publication(
            period=part.key,
            period_start=part.start,
            period_end=part.end,
            published_by_id=actor.id if actor is not None else None,
            published_at=now,
            audit=dict(audit),
        )
        session.add(publication)
        made.append(publication)
    session.flush()
    counts = _store(session, parts, {p.period: p.id for p in made})
    for publication in made:
        publication.audit = {**audit, **counts[publication.period]}
    session.flush()
    for publication in made:
        audit_log.record(
            session,
            actor,
            "publication.published",
            target=publication,
            details={"period": publication.period, **counts[publication.period]},
        )
    if tell:  # one notification, of the period asked for (its parts go with it unsaid)
        notifier.announce(session, actor, PUBLISHED_EVENT, made[-1])
    return made


def _check_unchanged(parts: list[tables.Built], fixed: dict, new: set[str]) -> None:
    """Cells published before must come out the same from today's data: their results are
    locked, so a difference means data changed behind the fund's back."""
    built = {k for part in parts for k in part.index}
    for part, k, i in ((p, k, i) for p in parts for k, i in p.index.items()):
        if k[0] in new:
            continue
        cell = part.linked.cells[i]
        stored = fixed.get(k)
        if stored is None:
            if cell.value == 0:
                cell.fixed = True  # nothing reported, then and now
                continue
        elif stored.value == cell.value:
            continue
        raise Conflict(
            _l(
                "The published figures of %(period)s no longer match the verified results, so "
                "nothing more of that year can be published until this is put right.",
                period=grid.parse(k[0]).label(),
            )
        )
    for k, stored in fixed.items():
        if k not in built and stored.value:
            raise Conflict(
                _l(
                    "The published figures of %(period)s no longer match the verified results, "
                    "so nothing more of that year can be published until this is put right.",
                    period=grid.parse(k[0]).label(),
                )
            )


def _store(session: Session, parts: list[tables.Built], ids: dict[str, int]) -> dict:
    """The new periods' cells, written in batches; returns each period's counts."""
    rows = []
    counts = {k: {"cells": 0, "primary": 0, "secondary": 0} for k in ids}
    for part, k, i in ((p, k, i) for p in parts for k, i in p.index.items()):
        if k[0] not in ids:
            continue
        cell = part.linked.cells[i]
        _period, kind, mid, table, area, region, category, project = k
        counts[k[0]]["cells"] += 1
        if cell.status in (PRIMARY, SECONDARY):
            counts[k[0]][cell.status] += 1
        rows.append(
            {
                "publication_id": ids[k[0]],
                "standard_id": mid if kind == "std" else None,
                "indicator_id": mid if kind == "ind" else None,
                "table": table,
                "area_id": area,
                "region": region,
                "category": category,
                "project_id": project,
                "value": cell.value,
                "reports": part.reports[i],
                "projects": len(part.projects[i]),
                "target": part.targets.get(i),
                "status": CellStatus(cell.status),
                "low": cell.low,
                "high": cell.high,
            }
        )
    for start in range(0, len(rows), 5000):
        session.execute(insert(PublishedCell), rows[start : start + 5000])
    return counts


# The officers' view: what is published, what is ready, what holds a period back ---------------


@dataclass
class Readiness:
    """One ended period of the grid: published, ready to publish, or held back."""

    period: grid.Period
    publication: Publication | None
    # Results of the period the fund has not verified yet, by status (drafts included).
    waiting: Counter = field(default_factory=Counter)
    # The periods inside it, not yet published, that publishing it publishes too.
    parts: list[grid.Period] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(self.waiting.values())

    @property
    def ready(self) -> bool:
        return self.publication is None and not self.pending

    @property
    def problems(self) -> list:
        """Why it cannot be published now, as `problems()` says it."""
        return [_waiting_message(self.pending, self.period)] if self.pending else []


def first_year(session: Session) -> int | None:
    """The year of the earliest project start: the grid's periods begin there."""
    first = session.scalar(select(func.min(Project.start_date)))
    return first.year if first is not None else None


def readiness(session: Session, today: date) -> list[Readiness]:
    """Every period of the grid that has ended by `today`, newest first (a year before its
    half-years and quarters), each with its publication or what holds it back. Three queries
    whatever the number of periods."""
    year = first_year(session)
    if year is None:
        return []
    periods = sorted(grid.ended(year, today), key=lambda p: (p.end, p.months), reverse=True)
    published = {
        p.period: p
        for p in session.scalars(select(Publication).options(joinedload(Publication.published_by)))
    }
    by_end: dict[date, Counter] = {}
    for end, status, n in session.execute(
        select(IndicatorResult.period_end, IndicatorResult.status, func.count())
        .where(IndicatorResult.status != ResultStatus.VERIFIED)
        .group_by(IndicatorResult.period_end, IndicatorResult.status)
    ):
        by_end.setdefault(end, Counter())[ResultStatus(status)] += n
    out = []
    for period in periods:
        row = Readiness(period, published.get(period.key))
        if row.publication is None:
            for end, counts in by_end.items():
                if period.start <= end <= period.end:
                    row.waiting.update(counts)
            row.parts = [p for p in period.within() if p != period and p.key not in published]
        out.append(row)
    return out


def oldest_first(rows: list[Readiness]) -> list[Readiness]:
    """The periods in the order the monthly job publishes them: by their end, a quarter before
    the half-year and the year that end with it."""
    return sorted(rows, key=lambda r: (r.period.end, r.period.months))


def waiting_results(session: Session, period: grid.Period) -> list[IndicatorResult]:
    """The results that hold the period back (not verified yet), with their indicator, project
    and milestone update loaded: by project, then indicator and period."""
    return list(
        session.scalars(
            select(IndicatorResult)
            .join(IndicatorResult.indicator)
            .join(ProjectIndicator.project)
            .where(
                IndicatorResult.period_end >= period.start,
                IndicatorResult.period_end <= period.end,
                IndicatorResult.status != ResultStatus.VERIFIED,
            )
            .options(
                joinedload(IndicatorResult.indicator).joinedload(ProjectIndicator.project),
                joinedload(IndicatorResult.indicator).joinedload(ProjectIndicator.standard),
                joinedload(IndicatorResult.milestone_update).joinedload(MilestoneUpdate.milestone),
            )
            .order_by(Project.code, IndicatorResult.indicator_id, IndicatorResult.period_start)
        )
    )


# The order the tables of a measure are listed in on the audit page.
TABLE_ORDER = ("total", "area", "region", "area_region", "sex", "age", "project")


def hidden_cells(session: Session, publication: Publication) -> list[PublishedCell]:
    """The publication's hidden cells (primary and secondary) with their true values and the
    audit's ranges, by measure (standard indicators, project indicators, people reached), then
    table and coordinates. One query."""
    cells = list(
        session.scalars(
            select(PublishedCell).where(
                PublishedCell.publication_id == publication.id,
                PublishedCell.status != CellStatus.SHOWN,
            )
        )
    )

    def order(cell: PublishedCell) -> tuple:
        kind, mid = tables.measure_of(cell.standard_id, cell.indicator_id)
        return (
            ("std", "ind", "reached").index(kind),
            mid,
            TABLE_ORDER.index(cell.table) if cell.table in TABLE_ORDER else len(TABLE_ORDER),
            cell.area_id or 0,
            cell.region or "",
            cell.category or "",
            cell.project_id or 0,
        )

    return sorted(cells, key=order)


def cell_subjects(
    session: Session, cells: list[PublishedCell]
) -> tuple[dict[int, ProjectIndicator], dict[int, Project]]:
    """What the cells count and are about, for naming them: their project indicators (with
    their standard) and their projects (the indicators' too), by id. Two queries at most."""
    indicator_ids = {c.indicator_id for c in cells if c.indicator_id is not None}
    project_ids = {c.project_id for c in cells if c.project_id is not None}
    indicators = {}
    if indicator_ids:
        indicators = {
            i.id: i
            for i in session.scalars(
                select(ProjectIndicator)
                .where(ProjectIndicator.id.in_(indicator_ids))
                .options(joinedload(ProjectIndicator.standard))
            )
        }
        project_ids |= {i.project_id for i in indicators.values()}
    projects = {}
    if project_ids:
        projects = {
            p.id: p for p in session.scalars(select(Project).where(Project.id.in_(project_ids)))
        }
    return indicators, projects
