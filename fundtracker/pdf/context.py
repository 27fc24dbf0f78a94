"""What a report says, as plain data: numbers (money in tiyn), dates, and strings already in the
report's language. Templates get only this, so the same data gives the same PDF, and its
fingerprint tells whether a stored report is still current.

Call the builders inside `flask_babel.force_locale(params.locale)`: labels are translated here.

Outcomes come from services/rollups.py and services/outcomes.py, always as they leave the fund
(`for_export=True`: verified results only, small figures suppressed), each through one function
below and one template block that renders only when given data:

    function                        shown in             macro in templates/pdf/_blocks.html
    beneficiaries_against_targets   key figures          beneficiaries
    outcomes_by_indicator           its own section      indicators
    impact_stories                  its own section      stories
    project_indicators              each project page    project_indicators

Every count of people goes through fundtracker.privacy: below 5 it prints as "<5", and other
figures are hidden ("…") where a hidden one could otherwise be worked out by subtraction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker import privacy
from fundtracker.core.time import local_day
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    ProgrammeArea,
    Project,
    ProjectIndicator,
    Region,
    ReportKind,
    TrancheStatus,
    UpdateStatus,
    project_regions,
)
from fundtracker.models.labels import (
    budget_category_labels,
    category_labels,
    dimension_labels,
    milestone_status_labels,
    status_labels,
    tranche_status_labels,
)
from fundtracker.services import outcomes, rollups
from fundtracker.services.rollups import IndicatorFigure, IndicatorSeries
from fundtracker.services.status import reported_spending

HIDDEN = (privacy.SMALL, privacy.HIDDEN)


@dataclass(frozen=True)
class ReportParams:
    """What a report is about. A board report covers [period_start, period_end], optionally one
    programme area and one region; a project report covers one project's whole term."""

    kind: ReportKind
    locale: str
    period_start: date
    period_end: date
    area_id: int | None = None
    region_id: int | None = None
    project_id: int | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def of(cls, report) -> ReportParams:
        return cls(
            kind=report.kind,
            locale=report.locale,
            period_start=report.period_start,
            period_end=report.period_end,
            area_id=report.area_id,
            region_id=report.region_id,
            project_id=report.project_id,
        )


# Outcomes ------------------------------------------------------------------------------------


def indicator_figures(session: Session, params: ReportParams) -> list[IndicatorFigure]:
    """The portfolio's verified results by standard indicator for the report's period, area and
    region, as they leave the fund (the same call as the portfolio's CSV export)."""
    return rollups.by_indicator(
        session,
        None,
        params.period_start,
        params.period_end,
        params.area_id,
        params.region_id,
        for_export=True,
        locale=params.locale,
        labels=category_labels(),
    )


def _people_standards(session: Session) -> set[int]:
    """Standard indicators that count people: those projects report by sex or age group
    (places, centres and the like have neither)."""
    return set(
        session.scalars(
            select(ProjectIndicator.standard_id)
            .where(
                ProjectIndicator.standard_id.is_not(None),
                ProjectIndicator.by_sex | ProjectIndicator.by_age,
            )
            .distinct()
        )
    )


def _shown(figure: IndicatorFigure) -> int | None:
    """A figure's number when it is printed; None when it is suppressed (never in the data)."""
    return None if figure.suppressed or figure.achieved_display in HIDDEN else figure.achieved


def _share(value: int | None, target: int | None) -> str:
    return f"{round(100 * value / target)}%" if value is not None and target else "—"


def beneficiaries_against_targets(
    session: Session,
    params: ReportParams,
    project_ids: list[int],
    figures: list[IndicatorFigure] | None = None,
) -> list[dict]:
    """People reached against targets for the key figures: the standard indicators that count
    people, as {"label", "reached", "target", "reached_display", "target_display"}."""
    if figures is None:
        figures = indicator_figures(session, params)
    people = _people_standards(session) if figures else set()
    return [
        {
            "label": f.name,
            "unit": f.unit,
            "reached": _shown(f),
            "target": f.target,
            "reached_display": f.achieved_display,
            "target_display": f.target_display,
        }
        for f in figures
        if f.standard_id in people
    ]


def outcomes_by_indicator(
    session: Session,
    params: ReportParams,
    project_ids: list[int],
    figures: list[IndicatorFigure] | None = None,
) -> list[dict]:
    """Results by standard indicator over the period: {"label", "unit", "achieved", "target",
    "achieved_display", "target_display", "share", "breakdowns"}; `breakdowns` maps a sex or an
    age group to its display string (suppressed with the breakdown's total)."""
    if figures is None:
        figures = indicator_figures(session, params)
    rows = []
    for f in figures:
        achieved = _shown(f)
        rows.append(
            {
                "code": f.code,
                "label": f.name,
                "unit": f.unit,
                "achieved": achieved,
                "target": f.target,
                "achieved_display": f.achieved_display,
                "target_display": f.target_display,
                "share": _share(achieved, f.target),
                # A hidden figure keeps no breakdown: its cells would add up to it.
                "breakdowns": {}
                if achieved is None
                else {c.key: c.display for b in f.breakdowns for c in b.cells},
            }
        )
    return rows


def breakdown_tables(rows: list[dict]) -> list[dict]:
    """The indicators section's tables by sex and by age group: {"title", "columns": [labels],
    "rows": [{"label", "cells": [display]}]}, each with the indicators reported that way."""
    labels = category_labels()
    dimensions = dimension_labels()
    tables = []
    for dimension, keys in (("sex", SEXES), ("age", AGE_GROUPS)):
        keys = [k for k in keys if any(k in row["breakdowns"] for row in rows)]
        members = [row for row in rows if any(k in row["breakdowns"] for k in keys)]
        if members:
            tables.append(
                {
                    "title": str(dimensions[dimension]),
                    "columns": [str(labels[k]) for k in keys],
                    "rows": [
                        {
                            "label": row["label"],
                            "cells": [row["breakdowns"].get(k, "—") for k in keys],
                        }
                        for row in members
                    ],
                }
            )
    return tables


def impact_stories(session: Session, params: ReportParams, project_ids: list[int]) -> list[dict]:
    """Impact stories whose people consented to publication, newest first: {"title", "body",
    "project_code", "project_title"}. A board report takes the stories written in its period; a
    project report all of its project's. Text only: photos are not printed."""
    stories = outcomes.stories_of(session, project_ids, for_report=True)
    if params.kind == ReportKind.BOARD:
        stories = [s for s in stories if _in(local_day(s.created_at), params)]
    return [
        {
            "title": s.title,
            "body": s.body,
            "project_code": s.project.code,
            "project_title": s.project.title(params.locale),
        }
        for s in stories
    ]


def indicator_series(
    session: Session, params: ReportParams, projects: Iterable[Project]
) -> dict[int, list[IndicatorSeries]]:
    """Every project's indicators at once (no query per project page), with the verified
    results of the periods that ended by the end of the report's period, suppressed for export.

    Projects' achieved values of one standard indicator add up to the portfolio's figure, so
    they are suppressed together as cells of it: no hidden one is found by subtraction."""
    series = rollups.series_by_project(
        session, projects, None, for_export=True, locale=params.locale, until=params.period_end
    )
    cells: dict[int, dict[int, IndicatorSeries]] = defaultdict(dict)
    for items in series.values():
        for s in items:
            if s.counts and s.standard_id is not None:
                cells[s.standard_id][s.indicator_id] = s
    for group in cells.values():
        values = {str(k): s.achieved for k, s in group.items()}
        shown = privacy.suppress(values, sum(values.values()))
        for k, s in group.items():
            if shown.cells[str(k)] in HIDDEN:
                s.achieved_display = shown.cells[str(k)]
    return series


def project_indicators(
    session: Session,
    params: ReportParams,
    project_id: int,
    series: Mapping[int, list[IndicatorSeries]] | None = None,
) -> list[dict]:
    """One project's indicators with baseline, target and actual (verified, to the end of the
    period): {"label", "unit", "baseline", "target", "actual", "actual_display"}. `series`: from
    `indicator_series` for all the report's projects; without it, this project's are loaded."""
    if series is None:
        project = session.get(Project, project_id)
        series = indicator_series(session, params, [project] if project else [])
    return [
        {
            "label": s.name,
            "unit": s.unit,
            "baseline": s.baseline,
            "target": s.target,
            "actual": None if s.achieved_display in HIDDEN else s.achieved,
            "actual_display": s.achieved_display,
        }
        for s in series.get(project_id, [])
    ]


# People reached (milestone updates) ------------------------------------------------------------


def _hide_recoverable(displays: dict, values: Mapping, total: int) -> bool:
    """`displays` are members of a group whose figure `total` is printed: hide more of them
    ("…"), smallest first, until none of the hidden ones follows from the total. True when
    anything changed."""
    changed = False
    while True:
        shown_sum = sum(values[k] for k, d in displays.items() if d not in HIDDEN)
        if not privacy.pinned(displays, total - shown_sum):
            return changed
        still_shown = [k for k, d in displays.items() if d not in HIDDEN]
        if not still_shown:
            return changed
        displays[min(still_shown, key=lambda k: (values[k], k))] = privacy.HIDDEN
        changed = True


def reached_displays(
    reached: Mapping[int, int], groups: Mapping[str, Mapping[object, list[int]]]
) -> tuple[str, dict[int, str], dict[str, dict]]:
    """People reached, as they may be printed: the total, each project's figure and each
    group's (`groups`: e.g. "area" -> area id -> its projects' ids; a project may be in several
    groups of one kind, as in regions).

    Each kind of group is suppressed as the cells of one table (privacy.suppress). Projects are
    cells of the total and of every group they belong to: a project's figure is hidden when it
    could be worked out from a printed group figure and the other printed projects, and a group
    hidden by suppression keeps at least one of its projects hidden, so that its projects do not
    add up to it."""
    total = sum(reached.values())
    total_display = privacy.show_total(total)
    group_displays: dict[str, dict] = {}
    for kind, members in groups.items():
        cells = {key: sum(reached[p] for p in ids) for key, ids in members.items()}
        group_displays[kind] = privacy.suppress(cells, sum(cells.values())).cells
    projects = privacy.suppress(dict(reached), total).cells
    constraints = [(list(reached), total, total_display)]
    for kind, members in groups.items():
        for key, ids in members.items():
            value = sum(reached[p] for p in ids)
            constraints.append((ids, value, group_displays[kind][key]))
    changed = True
    while changed:
        changed = False
        for ids, value, display in constraints:
            part = {p: projects[p] for p in ids}
            if display in HIDDEN:
                if part and all(d not in HIDDEN for d in part.values()):
                    smallest = min(ids, key=lambda p: (reached[p], p))
                    part[smallest] = privacy.HIDDEN
                    changed = True
            elif _hide_recoverable(part, reached, value):
                changed = True
            projects.update(part)
    return total_display, projects, group_displays


# Loading ------------------------------------------------------------------------------------


def _load_projects(session: Session, params: ReportParams) -> list[Project]:
    stmt = select(Project).options(
        joinedload(Project.organisation),
        joinedload(Project.area),
        selectinload(Project.regions),
        selectinload(Project.budget_lines),
        selectinload(Project.tranches),
        selectinload(Project.milestones)
        .selectinload(Milestone.updates)
        .selectinload(MilestoneUpdate.spending),
    )
    if params.kind == ReportKind.PROJECT:
        stmt = stmt.where(Project.id == params.project_id)
    else:
        stmt = stmt.where(
            Project.start_date <= params.period_end, Project.end_date >= params.period_start
        )
        if params.area_id:
            stmt = stmt.where(Project.area_id == params.area_id)
        if params.region_id:
            stmt = stmt.where(
                Project.id.in_(
                    select(project_regions.c.project_id).where(
                        project_regions.c.region_id == params.region_id
                    )
                )
            )
    return list(session.scalars(stmt.order_by(Project.code)))


def _in(day: date | None, params: ReportParams) -> bool:
    return day is not None and params.period_start <= day <= params.period_end


def _reached(project: Project, params: ReportParams) -> int:
    """People reached in the period: from the accepted milestone updates submitted in it."""
    return sum(
        u.beneficiaries or 0
        for m in project.milestones
        for u in m.updates
        if u.status == UpdateStatus.ACCEPTED and _in(local_day(u.submitted_at), params)
    )


def _on_time(milestone: Milestone) -> bool:
    """Accepted, and the report the fund accepted was submitted by the due date (the fund's
    review time does not count against the grantee)."""
    if milestone.status != MilestoneStatus.ACCEPTED:
        return False
    return any(
        u.status == UpdateStatus.ACCEPTED
        and u.submitted_at is not None
        and local_day(u.submitted_at) <= milestone.due_date
        for u in milestone.updates
    )


def _project_page(
    session: Session,
    project: Project,
    params: ReportParams,
    today: date,
    labels: dict,
    series: Mapping[int, list[IndicatorSeries]],
) -> dict:
    """A project's page; its "reached" is filled in by the caller (suppressed with the others)."""
    spending = reported_spending(project)
    budget = [
        {
            "category": str(labels["category"][line.category]),
            "description": line.description,
            "amount": line.amount,
            "spent": spending.get(line.id),
        }
        for line in project.budget_lines
    ]
    paid = [t for t in project.tranches if t.status == TrancheStatus.PAID]
    locale = params.locale
    return {
        "id": project.id,
        "code": project.code,
        "title": project.title(locale),
        "summary": project.summary(locale),
        "organisation": project.organisation.name,
        "area": project.area.name(locale),
        "regions": [r.name(locale) for r in project.regions],
        "status": str(labels["status"][project.status]),
        "status_key": project.status.value,
        "start": project.start_date,
        "end": project.end_date,
        "awarded": project.awarded_amount,
        "paid": sum(t.amount for t in paid),
        "budget": budget,
        "budget_total": sum(line.amount for line in project.budget_lines),
        "spent_total": sum(spending.values()),
        "milestones": [
            {
                "title": m.title,
                "due": m.due_date,
                "status": str(labels["milestone"][m.status]),
                "accepted_on": local_day(m.accepted_at),
                "on_time": _on_time(m) if m.status == MilestoneStatus.ACCEPTED else None,
                "overdue": m.is_overdue(today),
            }
            for m in project.milestones
        ],
        "tranches": [
            {
                "amount": t.amount,
                "planned": t.planned_date,
                "status": str(labels["tranche"][t.status]),
                "paid_on": t.paid_on,
            }
            for t in project.tranches
        ],
        "reached": None,
        "indicators": project_indicators(session, params, project.id, series),
    }


def _labels() -> dict:
    return {
        "status": status_labels(),
        "milestone": milestone_status_labels(),
        "tranche": tranche_status_labels(),
        "category": budget_category_labels(),
    }


def _delivery(projects: list[Project], params: ReportParams, today: date) -> dict:
    """Milestones due in the period whose due date has passed, and how many were accepted by it."""
    due = [
        m for p in projects for m in p.milestones if _in(m.due_date, params) and m.due_date <= today
    ]
    on_time = sum(1 for m in due if _on_time(m))
    return {
        "due": len(due),
        "on_time": on_time,
        "share": round(100 * on_time / len(due)) if due else None,
    }


def _breakdown(groups: dict, order: list, reached: Mapping) -> list[dict]:
    rows = []
    for key, label in order:
        members = groups.get(key, [])
        if not members:
            continue
        rows.append(
            {
                "label": label,
                "projects": len(members),
                "awarded": sum(p["awarded"] for p in members),
                "paid": sum(p["paid_in_period"] for p in members),
                "reached": reached[key],
            }
        )
    return rows


def board_context(session: Session, params: ReportParams, today: date) -> dict:
    """The board impact report's data."""
    labels = _labels()
    projects = _load_projects(session, params)
    locale = params.locale
    series = indicator_series(session, params, projects)
    pages = []
    reached = {}  # people reached in the period, per project
    for project in projects:
        page = _project_page(session, project, params, today, labels, series)
        page["paid_in_period"] = sum(
            t.amount
            for t in project.tranches
            if t.status == TrancheStatus.PAID and _in(t.paid_on, params)
        )
        pages.append(page)
        reached[project.id] = _reached(project, params)

    by_area: dict[int, list] = defaultdict(list)
    by_region: dict[int, list] = defaultdict(list)
    for project, page in zip(projects, pages, strict=True):
        by_area[project.area_id].append(page)
        # A project in several regions counts in each of them.
        for region in project.regions:
            by_region[region.id].append(page)
    total_display, project_displays, group_displays = reached_displays(
        reached,
        {
            "area": {k: [p["id"] for p in v] for k, v in by_area.items()},
            "region": {k: [p["id"] for p in v] for k, v in by_region.items()},
        },
    )
    for page in pages:
        page["reached"] = project_displays[page["id"]]
    areas = session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)).all()
    regions = session.scalars(select(Region)).all()
    region_order = sorted(((r.id, r.name(locale)) for r in regions), key=lambda kv: kv[1])

    ids = [p.id for p in projects]
    area = session.get(ProgrammeArea, params.area_id) if params.area_id else None
    region = session.get(Region, params.region_id) if params.region_id else None
    figures = indicator_figures(session, params)
    indicators = outcomes_by_indicator(session, params, ids, figures)
    return {
        "kind": "board",
        "locale": locale,
        "period": {"start": params.period_start, "end": params.period_end},
        "filters": {
            "area": area.name(locale) if area else None,
            "region": region.name(locale) if region else None,
        },
        "key_figures": {
            "projects": len(projects),
            "organisations": len({p.organisation_id for p in projects}),
            "awarded": sum(p.awarded_amount for p in projects),
            "paid_in_period": sum(p["paid_in_period"] for p in pages),
            "paid_to_date": sum(
                t.amount
                for p in projects
                for t in p.tranches
                if t.status == TrancheStatus.PAID and t.paid_on and t.paid_on <= params.period_end
            ),
            "reached": total_display,
            "delivery": _delivery(projects, params, today),
        },
        "beneficiaries": beneficiaries_against_targets(session, params, ids, figures),
        "by_area": _breakdown(
            by_area, [(a.id, a.name(locale)) for a in areas], group_displays["area"]
        ),
        "by_region": _breakdown(by_region, region_order, group_displays["region"]),
        "indicators": indicators,
        "indicator_breakdowns": breakdown_tables(indicators),
        "stories": impact_stories(session, params, ids),
        "projects": pages,
    }


def project_context(session: Session, params: ReportParams, today: date) -> dict:
    """One project's report: the same page as in the board report, with its delivery figures."""
    projects = _load_projects(session, params)
    if not projects:
        raise LookupError(params.project_id)
    project = projects[0]
    series = indicator_series(session, params, projects)
    page = _project_page(session, project, params, today, _labels(), series)
    page["reached"] = privacy.show_total(_reached(project, params))
    return {
        "kind": "project",
        "locale": params.locale,
        "period": {"start": params.period_start, "end": params.period_end},
        "delivery": _delivery(projects, params, today),
        "project": page,
        "stories": impact_stories(session, params, [project.id]),
    }


def build_context(session: Session, params: ReportParams, today: date) -> dict:
    if params.kind == ReportKind.PROJECT:
        return project_context(session, params, today)
    return board_context(session, params, today)
