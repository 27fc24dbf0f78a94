"""Reading published tables back: what every protected output (board pages, PDFs, CSV exports)
shows. A hidden cell comes back without its value, so no output can print it by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.disclosure import grid
from fundtracker.disclosure.display import HIDDEN, NOTHING, fmt_count
from fundtracker.models import CellStatus, Publication, PublishedCell
from fundtracker.services.publications.cells import REACHED, measure_of

Measure = tuple[str, int]  # ("std", standard id) | ("ind", project indicator id) | REACHED


@dataclass(frozen=True)
class Figure:
    """One published cell as every output shows it."""

    value: int | None  # None when hidden or nothing was reported
    display: str
    projects: int  # distinct projects whose reports went into it
    hidden: bool = False
    target: int | None = None  # a plan, shown whether the figure is hidden or not

    @property
    def nothing(self) -> bool:
        return self.display == NOTHING


NOTHING_REPORTED = Figure(None, NOTHING, 0)


def figure_of(cell: PublishedCell) -> Figure:
    if cell.status != CellStatus.SHOWN:
        return Figure(None, HIDDEN, cell.projects, hidden=True, target=cell.target)
    if cell.reports == 0:
        return Figure(None, NOTHING, 0, target=cell.target)
    return Figure(cell.value, fmt_count(cell.value), cell.projects, target=cell.target)


@dataclass
class Published:
    """One publication's tables, as read once for a page, a PDF or a CSV."""

    publication: Publication
    figures: dict[tuple, Figure]  # (kind, id, table, area, region, category, project)

    @property
    def period(self) -> grid.Period:
        return grid.parse(self.publication.period)

    @property
    def published_at(self) -> datetime:
        return self.publication.published_at

    def get(
        self, measure: Measure, table: str, *, area=None, region=None, category=None, project=None
    ) -> Figure:
        return self.figures.get(
            (*measure, table, area, region, category, project), NOTHING_REPORTED
        )

    def table(self, measure: Measure, table: str, *, area=None) -> dict:
        """A table's cells of one measure: {(area, region, category, project): Figure}; with
        `area`, only that area's cells (an area x region table's row)."""
        out = {}
        for (kind, mid, t, a, r, c, p), f in self.figures.items():
            if (kind, mid) == measure and t == table and (area is None or a == area):
                out[(a, r, c, p)] = f
        return out

    def measures(self, kind: str = "std") -> list[int]:
        return sorted({mid for (k, mid, *_rest) in self.figures if k == kind})


def publications(session: Session) -> list[Publication]:
    """Every publication, the latest period first (a year before its own quarters)."""
    return list(
        session.scalars(
            select(Publication).order_by(
                Publication.period_end.desc(), Publication.period_start.asc()
            )
        )
    )


def find(session: Session, key: str | None) -> Publication | None:
    """The publication of a period, or the latest one when `key` is None."""
    if key is None:
        found = publications(session)
        return found[0] if found else None
    return session.scalar(select(Publication).where(Publication.period == key))


def load(
    session: Session,
    publication: Publication,
    *,
    tables: tuple[str, ...] = ("total", "area", "region", "area_region", "sex", "age"),
    projects: list[int] | None = None,
) -> Published:
    """A publication's cells of `tables`; with `projects`, also those projects' own cells."""
    query = select(PublishedCell).where(PublishedCell.publication_id == publication.id)
    wanted = PublishedCell.table.in_(tables)
    if projects:
        wanted = wanted | (
            (PublishedCell.table == "project") & PublishedCell.project_id.in_(projects)
        )
    figures = {}
    for cell in session.scalars(query.where(wanted)):
        kind, mid = measure_of(cell.standard_id, cell.indicator_id)
        key = (kind, mid, cell.table, cell.area_id, cell.region, cell.category, cell.project_id)
        figures[key] = figure_of(cell)
    return Published(publication, figures)


def project_figures(session: Session, project_id: int) -> list[tuple[Publication, dict]]:
    """A project's own published cells in every publication, newest first:
    [(publication, {measure: Figure})]."""
    by_publication: dict[int, dict] = {}
    for cell in session.scalars(
        select(PublishedCell).where(
            PublishedCell.table == "project", PublishedCell.project_id == project_id
        )
    ):
        measure = measure_of(cell.standard_id, cell.indicator_id)
        by_publication.setdefault(cell.publication_id, {})[measure] = figure_of(cell)
    return [(p, by_publication[p.id]) for p in publications(session) if p.id in by_publication]


__all__ = [
    "NOTHING_REPORTED",
    "REACHED",
    "Figure",
    "Measure",
    "Published",
    "figure_of",
    "find",
    "load",
    "project_figures",
    "publications",
]
