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

from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.orm import Session

from fundtracker.models import (
    BudgetCategory,
    BudgetLine,
    Milestone,
    MilestoneStatus,
    MilestoneUpdate,
    Organisation,
    ProgrammeArea,
    Project,
    ProjectEvent,
    ProjectStatus,
    Region,
    Role,
    Tranche,
    TrancheStatus,
    UpdateSpending,
    UpdateStatus,
    User,
    project_regions,
)

BATCH = 5_000
SCALES = {
    # total projects, milestones per project, updates per milestone, history rows per project
    "S": None,
    "M": dict(projects=1_000, milestones=10, updates=3, events=100),
    "L": dict(projects=10_000, milestones=10, updates=3, events=100),
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
                yield dict(
                    id=u_id,
                    milestone_id=m,
                    author_id=author,
                    status=(
                        UpdateStatus.SUBMITTED if last else UpdateStatus.REVISION_REQUESTED
                    ).value,
                    narrative="Жұмыс жоспар бойынша жүріп жатыр.",
                    progress=min(100, 30 * (k + 1)),
                    beneficiaries=ctx.rng.randint(0, 200),
                    submitted_at=ctx.now,
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


# Each capability's tables add a function here (session work only; no commit).
FAMILIES: list[Callable[[Context], None]] = [
    organisations_and_users,
    projects,
    plan_and_delivery,
    history,
]


def generate(session: Session, scale: str, seed: int = 2026) -> dict[str, int]:
    """Seed the demo, then bulk-add rows up to `scale`. Commits at the end."""
    from fundtracker.demo import almaty_today, seed_demo

    seed_demo(session)
    session.commit()
    counts = SCALES[scale]
    if counts is None:
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
    return ctx.inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="S")
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from fundtracker import create_app
    from fundtracker.extensions import db

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
