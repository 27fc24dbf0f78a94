"""What a report says, as plain data: numbers (money in tiyn), dates, and strings already in the
report's language. Templates get only this, so the same data gives the same PDF, and its
fingerprint tells whether a stored report is still current.

Call the builders inside `flask_babel.force_locale(params.locale)`: labels are translated here.

Outcomes (standard indicators, beneficiaries against targets, impact stories) are built by the
outcomes work. Each has one named function below that returns None or an empty list for now,
and one template block that renders only when given data:

    function                        shown in             macro in templates/pdf/_blocks.html
    beneficiaries_against_targets   key figures          beneficiaries
    outcomes_by_indicator           its own section      indicators
    impact_stories                  its own section      stories
    project_indicators              each project page    project_indicators
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundtracker.labels import (
    budget_category_labels,
    milestone_status_labels,
    status_labels,
    tranche_status_labels,
)
from fundtracker.models import (
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    ProgrammeArea,
    Project,
    Region,
    ReportKind,
    TrancheStatus,
    UpdateStatus,
    project_regions,
)
from fundtracker.services.status import reported_spending

ALMATY = ZoneInfo("Asia/Almaty")
# Beneficiary counts below this are shown as "<5" in anything that leaves the fund (DOMAIN.md).
# At merge: replace `small_cell` with the outcomes work's fundtracker.privacy suppression.
SMALL_CELL = 5


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


def small_cell(count: int | None) -> str | None:
    """A beneficiary count as it may be published: None when unknown, "<5" when small."""
    if count is None:
        return None
    if 0 < count < SMALL_CELL:
        return f"<{SMALL_CELL}"
    return str(count)


# Outcomes hooks: the integrator wires these to the outcomes work after the merge. -------------


def beneficiaries_against_targets(session: Session, params: ReportParams, project_ids: list[int]):
    """People reached against targets for the key figures: a list of {"label", "reached",
    "target", "reached_display", "target_display"}; None until outcomes land."""
    return None


def outcomes_by_indicator(session: Session, params: ReportParams, project_ids: list[int]) -> list:
    """Results by standard indicator over the period: a list of {"label", "unit", "achieved",
    "target", "achieved_display", "target_display"}; empty until outcomes land."""
    return []


def impact_stories(session: Session, params: ReportParams, project_ids: list[int]) -> list:
    """Impact stories whose people consented to publication: a list of {"title", "body",
    "project_code", "project_title"}; empty until outcomes land."""
    return []


def project_indicators(session: Session, params: ReportParams, project_id: int):
    """One project's indicators with baseline, target and actual: a list of {"label", "unit",
    "baseline", "target", "actual", "actual_display"}; None until outcomes land."""
    return None


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


def _local_day(moment) -> date | None:
    return moment.astimezone(ALMATY).date() if moment else None


def _in(day: date | None, params: ReportParams) -> bool:
    return day is not None and params.period_start <= day <= params.period_end


def _reached(project: Project, params: ReportParams) -> int:
    """People reached in the period: from the accepted milestone updates submitted in it."""
    return sum(
        u.beneficiaries or 0
        for m in project.milestones
        for u in m.updates
        if u.status == UpdateStatus.ACCEPTED and _in(_local_day(u.submitted_at), params)
    )


def _on_time(milestone: Milestone) -> bool:
    """Accepted, and the report the fund accepted was submitted by the due date (the fund's
    review time does not count against the grantee)."""
    if milestone.status != MilestoneStatus.ACCEPTED:
        return False
    return any(
        u.status == UpdateStatus.ACCEPTED
        and u.submitted_at is not None
        and _local_day(u.submitted_at) <= milestone.due_date
        for u in milestone.updates
    )


def _project_page(
    session: Session, project: Project, params: ReportParams, today: date, labels: dict
) -> dict:
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
                "accepted_on": _local_day(m.accepted_at),
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
        "reached": small_cell(_reached(project, params)),
        "indicators": project_indicators(session, params, project.id),
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


def _breakdown(groups: dict, order: list) -> list[dict]:
    rows = []
    for key, label in order:
        members = groups.get(key, [])
        if not members:
            continue
        rows.append(
            {
                "label": label,
                "projects": len(members),
                "awarded": sum(p["awarded"] for p, _ in members),
                "paid": sum(p["paid_in_period"] for p, _ in members),
                "reached": small_cell(sum(r for _, r in members)),
            }
        )
    return rows


def board_context(session: Session, params: ReportParams, today: date) -> dict:
    """The board impact report's data."""
    labels = _labels()
    projects = _load_projects(session, params)
    locale = params.locale
    pages = []
    figures = []  # (page, people reached) per project, for the breakdowns
    for project in projects:
        page = _project_page(session, project, params, today, labels)
        page["paid_in_period"] = sum(
            t.amount
            for t in project.tranches
            if t.status == TrancheStatus.PAID and _in(t.paid_on, params)
        )
        pages.append(page)
        figures.append((page, _reached(project, params)))

    by_area: dict[int, list] = {}
    by_region: dict[int, list] = {}
    for project, item in zip(projects, figures, strict=True):
        by_area.setdefault(project.area_id, []).append(item)
        # A project in several regions counts in each of them.
        for region in project.regions:
            by_region.setdefault(region.id, []).append(item)
    areas = session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.id)).all()
    regions = session.scalars(select(Region)).all()
    region_order = sorted(((r.id, r.name(locale)) for r in regions), key=lambda kv: kv[1])

    ids = [p.id for p in projects]
    area = session.get(ProgrammeArea, params.area_id) if params.area_id else None
    region = session.get(Region, params.region_id) if params.region_id else None
    total_reached = sum(r for _, r in figures)
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
            "reached": small_cell(total_reached),
            "delivery": _delivery(projects, params, today),
        },
        "beneficiaries": beneficiaries_against_targets(session, params, ids),
        "by_area": _breakdown(by_area, [(a.id, a.name(locale)) for a in areas]),
        "by_region": _breakdown(by_region, region_order),
        "indicators": outcomes_by_indicator(session, params, ids),
        "stories": impact_stories(session, params, ids),
        "projects": pages,
    }


def project_context(session: Session, params: ReportParams, today: date) -> dict:
    """One project's report: the same page as in the board report, with its delivery figures."""
    projects = _load_projects(session, params)
    if not projects:
        raise LookupError(params.project_id)
    project = projects[0]
    page = _project_page(session, project, params, today, _labels())
    return {
        "kind": "project",
        "locale": params.locale,
        "period": {"start": params.period_start, "end": params.period_end},
        "delivery": _delivery(projects, params, today),
        "project": page,
    }


def build_context(session: Session, params: ReportParams, today: date) -> dict:
    if params.kind == ReportKind.PROJECT:
        return project_context(session, params, today)
    return board_context(session, params, today)
