"""Generate FundTracker data at three scales, on SQLite or PostgreSQL, with bulk inserts.

  S  the demo data (67 projects), as `flask seed-demo` makes it
  M  the demo plus generated projects up to 1,000
  L  the demo plus generated projects up to 10,000, with (about) 100,000 milestones,
     300,000 milestone updates, 1,000,000 history rows and the other families' rows
     (applications, indicator results) that their own generators add

    .venv/bin/python -m bench.generate --scale M --database-url sqlite:////tmp/ft-m.sqlite

The database is migrated to head first. Rows go in with Core `insert()` in large batches and
explicit ids (sequences are moved past them on PostgreSQL), so L takes minutes, not hours. Each
family of tables is one function in FAMILIES; a capability's tables add their own function.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

from sqlalchemy import delete, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from fundtracker.core.time import to_utc
from fundtracker.models import (
    AgendaItem,
    Application,
    ApplicationBeneficiary,
    ApplicationBudgetLine,
    ApplicationIndicator,
    ApplicationMilestone,
    ApplicationStatus,
    ApplicationTransition,
    BeneficiaryCategory,
    BoardDecision,
    BoardMeeting,
    BudgetCategory,
    BudgetLine,
    Call,
    CallCriterion,
    CallStatus,
    ConflictDeclaration,
    EmailStatus,
    FollowUp,
    FollowUpCell,
    FollowUpStatus,
    Frequency,
    IndicatorResult,
    IndicatorType,
    InKindDelivery,
    InKindItem,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    Notification,
    Organisation,
    OutboxEmail,
    ProgrammeArea,
    Project,
    ProjectEvent,
    ProjectIndicator,
    ProjectStatus,
    Publication,
    PublishedCell,
    Region,
    Reminder,
    ReminderRule,
    ReminderStatus,
    ResultCell,
    ResultStatus,
    ReviewAssignment,
    ReviewScore,
    Role,
    StandardIndicator,
    Tranche,
    TrancheStatus,
    UpdateSpending,
    UpdateStatus,
    User,
    application_regions,
    project_regions,
)
from fundtracker.services.follow_ups import add_months

BATCH = 5_000
SCALES = {
    # total projects, milestones per project, updates per milestone, history rows per project,
    # applications (over `calls` calls), indicators per project with `periods` monthly results,
    # in-app notifications per grantee
    "S": None,
    "M": dict(
        projects=1_000,
        milestones=10,
        updates=3,
        events=100,
        applications=4_000,
        calls=8,
        indicators=5,
        periods=20,
        notifications=30,
        meetings=36,
        deliveries=2,
    ),
    "L": dict(
        projects=10_000,
        milestones=10,
        updates=3,
        events=100,
        applications=40_000,
        calls=40,
        indicators=5,
        periods=20,
        notifications=30,
        meetings=120,
        deliveries=2,
    ),
}


@dataclass
class Context:
    session: Session
    scale: str
    counts: dict
    rng: random.Random
    today: date
    now: datetime
    regions: list[int] = field(default_factory=list)
    areas: list[int] = field(default_factory=list)
    officers: list[int] = field(default_factory=list)
    grantees_by_org: dict[int, int] = field(default_factory=dict)
    new_projects: list[int] = field(default_factory=list)
    new_milestones: list[tuple[int, int]] = field(default_factory=list)  # (milestone, project)
    inserted: dict[str, int] = field(default_factory=dict)


def next_id(session: Session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def bulk(ctx: Context, table, rows: Iterator[dict]) -> int:
    """Insert rows in batches; returns how many."""
    n, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            ctx.session.execute(insert(table), batch)
            n += len(batch)
            batch = []
    if batch:
        ctx.session.execute(insert(table), batch)
        n += len(batch)
    ctx.inserted[table.name] = ctx.inserted.get(table.name, 0) + n
    return n


def fix_sequences(session: Session) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move each past its table's max id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    inspector = inspect(session.connection())
    for table in inspector.get_table_names():
        if "id" not in {c["name"] for c in inspector.get_columns(table)}:
            continue
        seq = session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        if seq:
            session.execute(
                text(f"SELECT setval('{seq}', COALESCE((SELECT MAX(id) FROM {table}), 1))")  # noqa: S608
            )


def organisations_and_users(ctx: Context) -> None:
    target = ctx.counts["projects"] // 3
    have = ctx.session.scalar(select(func.count(Organisation.id)))
    first = next_id(ctx.session, Organisation)
    orgs = list(range(first, first + max(0, target - have)))
    bulk(
        ctx,
        Organisation.__table__,
        (
            dict(
                id=i,
                name=f"Қоғамдық қор №{i}",
                bin=f"{990000000000 + i:012d}",
                region_id=ctx.rng.choice(ctx.regions),
                address=f"Астана, {i}-көше",
                contact_name=f"Байланыс {i}",
                contact_email=f"contact{i}@bench.fundtracker.kz",
                contact_phone="+7 701 000 0000",
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            for i in orgs
        ),
    )
    first_user = next_id(ctx.session, User)
    bulk(
        ctx,
        User.__table__,
        (
            dict(
                id=first_user + k,
                email=f"grantee{org}@bench.fundtracker.kz",
                password_hash=None,
                name=f"Гранталушы {org}",
                locale=ctx.rng.choice(("kk", "ru")),
                role=Role.GRANTEE.value,
                organisation_id=org,
                active=True,
                session_token=f"bench-{first_user + k:058d}",
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            for k, org in enumerate(orgs)
        ),
    )
    ctx.grantees_by_org = dict(
        ctx.session.execute(
            select(User.organisation_id, func.min(User.id))
            .where(User.role == Role.GRANTEE)
            .group_by(User.organisation_id)
        ).all()
    )


def projects(ctx: Context) -> None:
    have = ctx.session.scalar(select(func.count(Project.id)))
    first = next_id(ctx.session, Project)
    ids = list(range(first, first + max(0, ctx.counts["projects"] - have)))
    orgs = list(ctx.grantees_by_org)
    statuses = [ProjectStatus.ACTIVE] * 6 + [
        ProjectStatus.AT_RISK,
        ProjectStatus.SUSPENDED,
        ProjectStatus.COMPLETED,
        ProjectStatus.CLOSED,
    ]

    def rows():
        for i in ids:
            start = ctx.today - timedelta(days=ctx.rng.randint(0, 900))
            yield dict(
                id=i,
                code=f"QH-B-{i:06d}",
                title_kk=f"Балаларды оңалту жобасы №{i}",
                title_ru=f"Проект реабилитации детей №{i}",
                title_en=f"Children's rehabilitation project {i}",
                summary_kk="Сирек аурулары бар балаларға көмек.",
                summary_ru="Помощь детям с редкими заболеваниями.",
                summary_en="Help for children with rare diseases.",
                organisation_id=ctx.rng.choice(orgs),
                area_id=ctx.rng.choice(ctx.areas),
                status=ctx.rng.choice(statuses).value,
                awarded_amount=ctx.rng.randint(10, 2_000) * 1_000_000 * 100,
                start_date=start,
                agreement_signed_on=start,
                end_date=start + timedelta(days=ctx.rng.randint(365, 1_100)),
                officer_id=ctx.rng.choice(ctx.officers),
                status_auto=False,
                version_id=1,
                created_at=ctx.now,
                updated_at=ctx.now,
            )

    bulk(ctx, Project.__table__, rows())
    bulk(
        ctx,
        project_regions,
        (
            dict(project_id=i, region_id=r)
            for i in ids
            for r in ctx.rng.sample(ctx.regions, ctx.rng.choice((1, 1, 1, 2, 3)))
        ),
    )
    ctx.new_projects = ids


def plan_and_delivery(ctx: Context) -> None:
    """Budget lines, milestones with tranches, and the grantees' updates with spending."""
    per_project = ctx.counts["milestones"]
    line_id = next_id(ctx.session, BudgetLine)
    lines: dict[int, list[int]] = {}

    def budget_rows():
        nonlocal line_id
        cats = list(BudgetCategory)
        for p in ctx.new_projects:
            lines[p] = []
            for c in ctx.rng.sample(cats, 3):
                lines[p].append(line_id)
                yield dict(
                    id=line_id,
                    project_id=p,
                    category=c.value,
                    description="",
                    amount=ctx.rng.randint(1, 500) * 1_000_000,
                    version_id=1,
                )
                line_id += 1

    bulk(ctx, BudgetLine.__table__, budget_rows())

    m_id = next_id(ctx.session, Milestone)
    t_id = next_id(ctx.session, Tranche)
    milestones, tranches = [], []
    accepted: dict[int, date] = {}  # milestone -> due date, for its last update's review
    for p in ctx.new_projects:
        start = ctx.today - timedelta(days=ctx.rng.randint(0, 700))
        for k in range(per_project):
            due = start + timedelta(days=60 * k)
            past = due < ctx.today
            status = (
                ctx.rng.choice((MilestoneStatus.ACCEPTED,) * 4 + (MilestoneStatus.SUBMITTED,))
                if past
                else MilestoneStatus.PLANNED
            )
            milestones.append(
                dict(
                    id=m_id,
                    project_id=p,
                    title=f"Кезең {k + 1}",
                    description="",
                    deliverables="",
                    due_date=due,
                    status=status.value,
                    accepted_at=ctx.now if status == MilestoneStatus.ACCEPTED else None,
                    version_id=1,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
            )
            if k % 3 == 0:
                paid = status == MilestoneStatus.ACCEPTED
                tranches.append(
                    dict(
                        id=t_id,
                        project_id=p,
                        milestone_id=m_id,
                        amount=ctx.rng.randint(1, 300) * 1_000_000,
                        planned_date=due,
                        status=(TrancheStatus.PAID if paid else TrancheStatus.PLANNED).value,
                        approved_at=ctx.now if paid else None,
                        paid_on=due if paid else None,
                        payment_reference="",
                        version_id=1,
                        created_at=ctx.now,
                        updated_at=ctx.now,
                    )
                )
                t_id += 1
            if status == MilestoneStatus.ACCEPTED:
                accepted[m_id] = due
            ctx.new_milestones.append((m_id, p))
            m_id += 1
    bulk(ctx, Milestone.__table__, iter(milestones))
    bulk(ctx, Tranche.__table__, iter(tranches))
    del milestones, tranches

    project_org = dict(
        ctx.session.execute(
            select(Project.id, Project.organisation_id).where(Project.id.in_(ctx.new_projects))
        ).all()
        if len(ctx.new_projects) < 30_000
        else []
    )
    u_id = next_id(ctx.session, MilestoneUpdate)
    spending = []

    def update_rows():
        nonlocal u_id
        for m, p in ctx.new_milestones:
            author = ctx.grantees_by_org[project_org[p]]
            for k in range(ctx.counts["updates"]):
                last = k == ctx.counts["updates"] - 1
                # An accepted milestone's last update was accepted a week after it fell due.
                due = accepted.get(m) if last else None
                reviewed = (
                    min(
                        ctx.now,
                        datetime(due.year, due.month, due.day, 6, tzinfo=UTC) + timedelta(7),
                    )
                    if due
                    else None
                )
                status = UpdateStatus.SUBMITTED if last else UpdateStatus.REVISION_REQUESTED
                yield dict(
                    id=u_id,
                    milestone_id=m,
                    author_id=author,
                    status=(UpdateStatus.ACCEPTED if reviewed else status).value,
                    narrative="Жұмыс жоспар бойынша жүріп жатыр.",
                    progress=min(100, 30 * (k + 1)),
                    beneficiaries=ctx.rng.randint(0, 200),
                    submitted_at=ctx.now,
                    reviewed_at=reviewed,
                    reviewed_by_id=ctx.officers[0] if reviewed else None,
                    review_comment="",
                    version_id=1,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
                if last:
                    spending.append(
                        dict(update_id=u_id, budget_line_id=lines[p][0], amount=1_000_000)
                    )
                u_id += 1

    bulk(ctx, MilestoneUpdate.__table__, update_rows())
    bulk(ctx, UpdateSpending.__table__, iter(spending))


def history(ctx: Context) -> None:
    kinds = ("milestone_submitted", "milestone_accepted", "tranche_paid", "comment_added")
    e_id = next_id(ctx.session, ProjectEvent)
    per = ctx.counts["events"]
    actor = ctx.officers[0]
    bulk(
        ctx,
        ProjectEvent.__table__,
        (
            dict(
                id=e_id + i * per + k,
                project_id=p,
                actor_id=actor,
                kind=kinds[k % len(kinds)],
                data={},
                comment="",
                created_at=ctx.now - timedelta(hours=k),
            )
            for i, p in enumerate(ctx.new_projects)
            for k in range(per)
        ),
    )


def applications(ctx: Context) -> None:
    """Calls with criteria; applications spread over them with their budget, milestones,
    indicators, beneficiaries, regions and transitions; two or three reviewers on each
    application past screening, most of whom have scored it, so a call's ranking has real rows."""
    n_calls, n_apps = ctx.counts["calls"], ctx.counts["applications"]
    s = ctx.session
    reviewer_first = next_id(s, User)
    reviewers = list(range(reviewer_first, reviewer_first + 30))
    bulk(
        ctx,
        User.__table__,
        (
            dict(
                id=r,
                email=f"reviewer{r}@bench.fundtracker.kz",
                password_hash=None,
                name=f"Сарапшы {r}",
                locale="ru",
                role=Role.REVIEWER.value,
                organisation_id=None,
                active=True,
                session_token=f"bench-{r:058d}",
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            for r in reviewers
        ),
    )
    call_first = next_id(s, Call)
    calls = list(range(call_first, call_first + n_calls))
    bulk(
        ctx,
        Call.__table__,
        (
            dict(
                id=c,
                area_id=ctx.areas[k % len(ctx.areas)],
                title_kk=f"Гранттық конкурс №{c}",
                title_ru=f"Грантовый конкурс №{c}",
                title_en=f"Call for proposals {c}",
                eligibility="",
                opens_at=ctx.now - timedelta(days=400 - 9 * k),
                closes_at=ctx.now - timedelta(days=340 - 9 * k),
                budget_envelope=50_000_000_000,
                max_request=500_000_000,
                required_documents="Жарғы\nБюджет",
                status=(CallStatus.CLOSED if k < n_calls - 2 else CallStatus.PUBLISHED).value,
                created_by_id=ctx.officers[0],
                version_id=1,
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            for k, c in enumerate(calls)
        ),
    )
    crit_id = next_id(s, CallCriterion)
    criteria: dict[int, list[int]] = {}
    crit_rows = []
    for c in calls:
        criteria[c] = []
        for pos, (name, weight) in enumerate((("Әсері", 40), ("Бюджет", 30), ("Әлеует", 30))):
            crit_rows.append(dict(id=crit_id, call_id=c, name=name, weight=weight, position=pos))
            criteria[c].append(crit_id)
            crit_id += 1
    bulk(ctx, CallCriterion.__table__, iter(crit_rows))

    S = ApplicationStatus
    statuses = [S.DRAFT] * 2 + [S.SUBMITTED, S.RETURNED, S.SCREENED] + [S.UNDER_REVIEW] * 8
    statuses += [S.APPROVED, S.REJECTED, S.REJECTED]
    orgs = list(ctx.grantees_by_org)
    a_first = next_id(s, Application)
    ids = range(a_first, a_first + n_apps)
    # Calls get uneven shares (the first call about twice the average).
    weights = [2.0] + [1.0 + (k % 5) / 5 for k in range(1, n_calls)]
    app_call = ctx.rng.choices(calls, weights=weights, k=n_apps)
    app_status = [ctx.rng.choice(statuses) for _ in ids]
    bulk(
        ctx,
        Application.__table__,
        (
            dict(
                id=a,
                call_id=app_call[k],
                organisation_id=(org := ctx.rng.choice(orgs)),
                created_by_id=ctx.grantees_by_org[org],
                status=app_status[k].value,
                title=f"Өтінім №{a}: балаларды оңалту",
                summary="Сирек аурулары бар балаларға көмек.",
                start_date=ctx.today,
                end_date=ctx.today + timedelta(days=365),
                screening={},
                submitted_at=None if app_status[k] == S.DRAFT else ctx.now,
                awarded_amount=100_000_000 if app_status[k] == S.APPROVED else None,
                decided_at=ctx.now if app_status[k] in (S.APPROVED, S.REJECTED) else None,
                project_id=None,
                version_id=1,
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            for k, a in enumerate(ids)
        ),
    )
    cats = list(BudgetCategory)
    bulk(
        ctx,
        ApplicationBudgetLine.__table__,
        (
            dict(
                application_id=a,
                category=cats[j].value,
                description="",
                amount=ctx.rng.randint(1, 100) * 1_000_000,
            )
            for a in ids
            for j in range(3)
        ),
    )
    bulk(
        ctx,
        ApplicationMilestone.__table__,
        (
            dict(
                application_id=a,
                title=f"Кезең {j + 1}",
                due_date=ctx.today + timedelta(days=120 * (j + 1)),
                tranche_amount=0,
            )
            for a in ids
            for j in range(3)
        ),
    )
    bulk(
        ctx,
        ApplicationIndicator.__table__,
        (
            dict(application_id=a, name="Балалар саны", unit="адам", baseline=0, target=100)
            for a in ids
        ),
    )
    bcats = list(BeneficiaryCategory)
    bulk(
        ctx,
        ApplicationBeneficiary.__table__,
        (dict(application_id=a, category=ctx.rng.choice(bcats).value, count=50) for a in ids),
    )
    bulk(
        ctx,
        application_regions,
        (dict(application_id=a, region_id=ctx.rng.choice(ctx.regions)) for a in ids),
    )
    bulk(
        ctx,
        ApplicationTransition.__table__,
        (
            dict(
                application_id=a,
                actor_id=ctx.grantees_by_org[orgs[0]] if st == S.SUBMITTED else ctx.officers[0],
                from_status=frm.value if frm else None,
                to_status=to.value,
                comment="",
                created_at=ctx.now,
            )
            for a, st in zip(ids, app_status, strict=True)
            if st != S.DRAFT
            for frm, to in ((None, S.SUBMITTED), (S.SUBMITTED, st))
            if to != S.SUBMITTED or frm is None
        ),
    )
    # Reviews: applications under review or decided have 2-3 reviewers; most have scored.
    reviewed = (S.UNDER_REVIEW, S.APPROVED, S.REJECTED)
    as_id = next_id(s, ReviewAssignment)
    assignments, scores = [], []
    for k, a in enumerate(ids):
        if app_status[k] not in reviewed:
            continue
        for r in ctx.rng.sample(reviewers, ctx.rng.choice((2, 3))):
            roll = ctx.rng.random()
            conflict = (
                ConflictDeclaration.CONFLICT
                if roll < 0.03
                else ConflictDeclaration.PENDING
                if roll < 0.1
                else ConflictDeclaration.NONE
            )
            done = conflict == ConflictDeclaration.NONE and roll < 0.85
            assignments.append(
                dict(
                    id=as_id,
                    application_id=a,
                    reviewer_id=r,
                    assigned_by_id=ctx.officers[0],
                    assigned_at=ctx.now,
                    conflict=conflict.value,
                    conflict_note="",
                    declared_at=None if conflict == ConflictDeclaration.PENDING else ctx.now,
                    submitted_at=ctx.now if done else None,
                )
            )
            if done:
                for crit in criteria[app_call[k]]:
                    scores.append(
                        dict(
                            assignment_id=as_id,
                            criterion_id=crit,
                            score=ctx.rng.randint(1, 5),
                            comment="",
                        )
                    )
            as_id += 1
    bulk(ctx, ReviewAssignment.__table__, iter(assignments))
    bulk(ctx, ReviewScore.__table__, iter(scores))


def outcomes(ctx: Context) -> None:
    """Indicators on each new project, linked to the fund's library, with monthly results
    (`indicators` x `periods` per project: 1,000,000 at L). Breakdowns are kept lighter: one
    indicator in five is broken down by sex (two cells per result), and on a project in more
    than one region another one by region (some results' regions fall short of the value); the
    rest have no cells. Results of a year that has ended are all verified (so it can be
    published); the current year's are a mix."""
    s = ctx.session
    standards = list(s.scalars(select(StandardIndicator.id).order_by(StandardIndicator.id)))
    per, periods = ctx.counts["indicators"], ctx.counts["periods"]
    pi_first = next_id(s, ProjectIndicator)
    places: dict[int, list[str]] = {}
    for project_id, code in s.execute(
        select(project_regions.c.project_id, Region.code)
        .join(Region, Region.id == project_regions.c.region_id)
        .order_by(project_regions.c.project_id, Region.code)
    ):
        places.setdefault(project_id, []).append(code)
    indicators = []
    for i, project_id in enumerate(ctx.new_projects):
        several = places.get(project_id, []) if len(places.get(project_id, [])) > 1 else None
        for j in range(per):
            indicators.append((pi_first + i * per + j, j == 0, several if j == 1 else None))
    bulk(
        ctx,
        ProjectIndicator.__table__,
        (
            dict(
                id=ind,
                project_id=ctx.new_projects[k // per],
                standard_id=standards[k % len(standards)] if standards else None,
                name="" if standards else f"Көрсеткіш {k % per + 1}",
                unit="",
                type=IndicatorType.COUNT.value,
                baseline=0,
                target=1_000,
                direction="higher",
                cumulative=False,
                frequency=Frequency.MONTHLY.value,
                by_region=regions is not None,
                by_sex=by_sex,
                by_age=False,
                version_id=1,
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            for k, (ind, by_sex, regions) in enumerate(indicators)
        ),
    )
    first_month = date(ctx.today.year, ctx.today.month, 1)
    months = []
    for m in range(periods, 0, -1):
        y, mo = divmod(first_month.year * 12 + first_month.month - 1 - m, 12)
        start = date(y, mo + 1, 1)
        y2, mo2 = divmod(y * 12 + mo + 1, 12)
        months.append((start, date(y2, mo2 + 1, 1) - timedelta(days=1)))
    r_first = next_id(s, IndicatorResult)
    author = ctx.officers[0]
    statuses = [ResultStatus.VERIFIED] * 6 + [ResultStatus.REPORTED] * 3 + [ResultStatus.QUERIED]
    cells = []
    year_start = date(ctx.today.year, 1, 1)
    shares = random.Random(2027)  # the region splits (ctx.rng draws as it did before)

    def result_rows():
        r = r_first
        for ind, by_sex, regions in indicators:
            for start, end in months:
                value = ctx.rng.randint(0, 60)
                status = ctx.rng.choice(statuses)
                yield dict(
                    id=r,
                    indicator_id=ind,
                    period_start=start,
                    period_end=end,
                    value=value,
                    explanation="",
                    status=(ResultStatus.VERIFIED if end < year_start else status).value,
                    locked=False,
                    milestone_update_id=None,
                    reported_by_id=author,
                    reported_at=ctx.now,
                    reviewed_by_id=None,
                    reviewed_at=None,
                    query_comment="",
                    version_id=1,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
                if by_sex:
                    half = value // 2
                    cells.append(dict(result_id=r, dimension="sex", category="female", value=half))
                    cells.append(
                        dict(result_id=r, dimension="sex", category="male", value=value - half)
                    )
                if regions:
                    first = value * shares.randint(0, 100) // 100
                    short = shares.choice((0, 0, 0, min(3, value - first)))
                    for code, v in ((regions[0], first), (regions[1], value - first - short)):
                        cells.append(dict(result_id=r, dimension="region", category=code, value=v))
                r += 1

    bulk(ctx, IndicatorResult.__table__, result_rows())
    bulk(ctx, ResultCell.__table__, iter(cells))


def reminders_and_notifications(ctx: Context) -> None:
    """What a year of reminders leaves behind: the reminders log (one row per milestone reminder
    already sent), in-app notifications per grantee (most read), and the email outbox (mostly
    sent, a few failed) that the reminders admin page looks through."""
    s = ctx.session
    rules = list(s.scalars(select(ReminderRule.id).order_by(ReminderRule.id)))
    if not rules:
        return
    project_org = {}
    for pid, org in s.execute(select(Project.id, Project.organisation_id)):
        project_org[pid] = org
    past = [(m, p) for m, p in ctx.new_milestones[::2]]
    bulk(
        ctx,
        Reminder.__table__,
        (
            dict(
                rule_id=rules[0],
                object_id=m,
                recipient_id=ctx.grantees_by_org[project_org[p]],
                occurrence=ctx.today - timedelta(days=1 + k % 360),
                due_at=ctx.now - timedelta(days=1 + k % 360),
                status=ReminderStatus.SENT.value,
                created_at=ctx.now - timedelta(days=1 + k % 360),
            )
            for k, (m, p) in enumerate(past)
        ),
    )
    users = sorted(set(ctx.grantees_by_org.values()))
    per = ctx.counts["notifications"]
    bulk(
        ctx,
        Notification.__table__,
        (
            dict(
                user_id=u,
                subject=f"Еске салу: кезең {k + 1}",
                body="Кезең бойынша есеп беру мерзімі жақындады.",
                url="/milestones/1",
                created_at=ctx.now - timedelta(days=per - k),
                read_at=None if k >= per - 3 else ctx.now,
                digest_pending=False,
            )
            for u in users
            for k in range(per)
        ),
    )
    bulk(
        ctx,
        OutboxEmail.__table__,
        (
            dict(
                recipient_id=u,
                to_address=f"user{u}@bench.fundtracker.kz",
                subject="Еске салу",
                body_text="Кезең бойынша есеп беру мерзімі жақындады.",
                body_html="",
                status=(EmailStatus.FAILED if k % 50 == 0 else EmailStatus.SENT).value,
                attempts=5 if k % 50 == 0 else 1,
                next_attempt_at=ctx.now,
                sent_at=None if k % 50 == 0 else ctx.now,
                last_error="refused" if k % 50 == 0 else "",
                created_at=ctx.now,
            )
            for k, u in enumerate(users * 10)
        ),
    )


def board_and_inkind(ctx: Context) -> None:
    """The board's register (issue #21): `meetings` held, one a month back from today, each
    deciding up to 12 applications; and `deliveries` in-kind deliveries per new project from the
    demo's catalogue, in every state."""
    session, rng = ctx.session, ctx.rng
    applications = list(session.scalars(select(Application.id).order_by(Application.id)))
    rng.shuffle(applications)
    meeting_id = next_id(session, BoardMeeting)
    item_id = next_id(session, AgendaItem)
    meetings, items, decisions = [], [], []
    for m in range(ctx.counts["meetings"]):
        held = ctx.today - timedelta(days=30 * (m + 1))
        meetings.append(
            dict(
                id=meeting_id + m,
                number=f"B-{m + 1}/{held.year}",
                held_on=held,
                location="",
                status="held",
                members_total=7,
                members_present=5,
                attendees="",
                version_id=1,
                created_at=ctx.now,
                updated_at=ctx.now,
            )
        )
        for position in range(1, 13):
            if not applications:
                break
            application = applications.pop()
            items.append(
                dict(
                    id=item_id,
                    meeting_id=meeting_id + m,
                    position=position,
                    kind="application",
                    application_id=application,
                    title=f"Application {application}",
                    notes="",
                    amount=None,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
            )
            decisions.append(
                dict(
                    item_id=item_id,
                    number=f"B-{m + 1}/{held.year}/{position}",
                    outcome=rng.choice(("approved", "approved", "rejected", "deferred")),
                    text_kk="",
                    text_ru="Решение совета.",
                    text_en="",
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
            )
            item_id += 1
    bulk(ctx, BoardMeeting.__table__, iter(meetings))
    bulk(ctx, AgendaItem.__table__, iter(items))
    bulk(ctx, BoardDecision.__table__, iter(decisions))

    catalogue = list(session.execute(select(InKindItem.id, InKindItem.unit_value)))
    if not catalogue:
        return
    states = ("planned", "delivered", "confirmed", "confirmed", "confirmed", "disputed")

    def deliveries():
        for project in ctx.new_projects:
            for _ in range(ctx.counts["deliveries"]):
                item, value = rng.choice(catalogue)
                state = rng.choice(states)
                quantity = rng.randint(1, 20)
                delivered = state != "planned"
                yield dict(
                    project_id=project,
                    item_id=item,
                    status=state,
                    unit_value=value,
                    quantity_planned=quantity,
                    planned_on=ctx.today - timedelta(days=60),
                    facility="Facility",
                    region_id=rng.choice(ctx.regions),
                    quantity_delivered=quantity if delivered else None,
                    delivered_on=ctx.today - timedelta(days=30) if delivered else None,
                    quantity_received=(quantity - 1 if state == "disputed" else quantity)
                    if state in ("confirmed", "disputed")
                    else None,
                    discrepancy="",
                    resolution="",
                    version_id=1,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )

    bulk(ctx, InKindDelivery.__table__, deliveries())


def follow_ups(ctx: Context) -> None:
    """Follow-ups after closure (issue #21) of the generated closed projects (a tenth of them):
    one a year after an end date the project is closed on, the second one answered, most of
    them accepted with their breakdown by sex, the rest waiting for the officer or the grantee.
    M: about 100 closed projects, 300 follow-ups; L: about 1,000 and 3,000."""
    closed = ctx.session.execute(
        select(Project.id, Project.end_date).where(
            Project.id.in_(ctx.new_projects), Project.status == ProjectStatus.CLOSED
        )
    ).all()
    first = next_id(ctx.session, FollowUp)
    rows, cells = [], []
    for n, (project_id, end_date) in enumerate(closed):
        closed_on = min(end_date, ctx.today - timedelta(days=ctx.rng.randint(200, 800)))
        for k, months in enumerate((6, 12, 24)):
            follow_up_id = first + 3 * n + k
            due = add_months(closed_on, months)
            answered = due <= ctx.today + timedelta(days=30) and ctx.rng.random() < 0.8
            status = FollowUpStatus.SCHEDULED
            if answered:
                status = ctx.rng.choice([FollowUpStatus.ACCEPTED] * 4 + [FollowUpStatus.SUBMITTED])
            people = ctx.rng.randint(0, 400) if answered else None
            moment = to_utc(min(due, ctx.today), time_of_day(10, 0)) if answered else None
            rows.append(
                dict(
                    id=follow_up_id,
                    project_id=project_id,
                    months_after=months,
                    due_date=due,
                    status=status.value,
                    still_running=(ctx.rng.random() < 0.85) if answered else None,
                    stopped_on=None,
                    stopped_why="",
                    people_served=people,
                    story="",
                    submitted_by_id=None,
                    submitted_at=moment,
                    reviewed_by_id=None,
                    reviewed_at=moment if status == FollowUpStatus.ACCEPTED else None,
                    review_comment="",
                    version_id=1,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
            )
            if people:
                female = ctx.rng.randint(0, people)
                cells += [
                    dict(
                        follow_up_id=follow_up_id, dimension="sex", category="female", value=female
                    ),
                    dict(
                        follow_up_id=follow_up_id,
                        dimension="sex",
                        category="male",
                        value=people - female,
                    ),
                ]
    bulk(ctx, FollowUp.__table__, iter(rows))
    bulk(ctx, FollowUpCell.__table__, iter(cells))


def stale_publications(ctx: Context) -> None:
    """The demo publishes its periods when seeded; the results and accepted updates added here
    change every period from the earliest of them on, so those publications no longer match the
    data and are removed (the fund would publish them again: bench/publish.py does, for a
    year)."""
    months = ctx.today.year * 12 + ctx.today.month - 1 - ctx.counts["periods"]
    earliest = min(date(months // 12, months % 12 + 1, 1), ctx.today - timedelta(days=700))
    stale = select(Publication.id).where(Publication.period_end >= earliest)
    ctx.session.execute(delete(PublishedCell).where(PublishedCell.publication_id.in_(stale)))
    ctx.session.execute(delete(Publication).where(Publication.period_end >= earliest))


def analyse(session: Session) -> None:
    """Statistics, as a real database has them after a bulk load."""
    dialect = session.get_bind().dialect.name
    session.commit()
    if dialect == "postgresql":
        with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    elif dialect == "sqlite":
        session.execute(text("ANALYZE"))
        session.execute(text("PRAGMA optimize"))
        session.commit()


# Each capability's tables add a function here (session work only; no commit).
FAMILIES: list[Callable[[Context], None]] = [
    organisations_and_users,
    projects,
    plan_and_delivery,
    history,
    applications,
    outcomes,
    follow_ups,
    stale_publications,
    reminders_and_notifications,
    board_and_inkind,
]


def generate(session: Session, scale: str, seed: int = 2026) -> dict[str, int]:
    """Seed the demo, then bulk-add rows up to `scale`. Commits at the end."""
    from fundtracker.demo import almaty_today, seed_demo

    seed_demo(session)
    session.commit()
    counts = SCALES[scale]
    if counts is None:
        analyse(session)
        return {}
    ctx = Context(
        session=session,
        scale=scale,
        counts=counts,
        rng=random.Random(seed),
        today=almaty_today(),
        now=datetime.now(UTC),
        regions=list(session.scalars(select(Region.id))),
        areas=list(session.scalars(select(ProgrammeArea.id))),
        officers=list(session.scalars(select(User.id).where(User.role == Role.OFFICER))),
    )
    for family in FAMILIES:
        started = time.perf_counter()
        family(ctx)
        print(f"  {family.__name__}: {time.perf_counter() - started:.1f} s", flush=True)
    fix_sequences(session)
    session.commit()
    started = time.perf_counter()
    analyse(session)
    print(f"  analyse: {time.perf_counter() - started:.1f} s", flush=True)
    return ctx.inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="S")
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from fundtracker import create_app
    from fundtracker.core.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        inserted = generate(db.session, args.scale)
        took = time.perf_counter() - started
        print(f"scale {args.scale}: {sum(inserted.values()):,} rows in {took:.0f} s")
        for table, n in sorted(inserted.items()):
            print(f"  {table:<28} {n:>10,}")


if __name__ == "__main__":
    main()
