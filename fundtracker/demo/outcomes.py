"""Demo outcomes: the fund's standard indicator library in Kazakh, Russian and English, indicators
on the demo projects, verified results over the periods that have ended (with breakdowns by
region, sex and age group), and a few impact stories with consent. The library, the indicators
each kind of project reports on and the stories are in data/outcomes.toml; the values of results
are drawn here, seeded per project.

Idempotent: the library is matched by code, and a project that has indicators is left alone.
Only adds and flushes: the caller commits.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from fundtracker.demo.tables import load
from fundtracker.models import (
    AGE_GROUPS,
    SEXES,
    Frequency,
    ImpactStory,
    IndicatorResult,
    IndicatorType,
    ProgrammeArea,
    Project,
    ProjectIndicator,
    ProjectStatus,
    ResultCell,
    ResultStatus,
    Role,
    StandardIndicator,
    User,
    WellbeingDomain,
    utcnow,
)
from fundtracker.services.outcomes import periods_between


class Std(NamedTuple):
    code: str
    area: str | None
    name_kk: str
    name_ru: str
    name_en: str
    unit_kk: str
    unit_ru: str
    unit_en: str
    definition_en: str
    definition_ru: str
    definition_kk: str
    domains: tuple[str, ...] = ()  # codes of the child well-being domains it informs


@cache
def standard_indicators() -> tuple[Std, ...]:
    """The standard indicators, in the order they are created."""
    return tuple(
        Std(**{"area": None, **row, "domains": tuple(row.get("domains", ()))})
        for row in load("outcomes")["indicator"]
    )


class Plan(NamedTuple):
    code: str  # of the standard indicator
    per_quarter: int  # typical value per quarter (or, cumulative, places opened in all)
    cumulative: bool
    by_age: bool
    by_sex: bool
    ages: tuple[float, ...]  # weights for 0-2, 3-6, 7-11, 12-17, 18+


@cache
def plans() -> dict[str, tuple[Plan, ...]]:
    """The indicators each kind of project reports on, by kind."""
    data = load("outcomes")
    profiles = {name: tuple(weights) for name, weights in data["ages"].items()}

    def plan(row: dict) -> Plan:
        ages = row.get("ages", "child")
        return Plan(
            row["indicator"],
            row["per_quarter"],
            row.get("cumulative", False),
            row.get("by_age", True),
            row.get("by_sex", True),
            profiles[ages] if isinstance(ages, str) else tuple(ages),
        )

    return {kind: tuple(plan(row) for row in rows) for kind, rows in data["plans"].items()}


class Story(NamedTuple):
    kind: str  # told of the first demo project, by code, of this kind
    title: str
    body: str


@cache
def stories() -> tuple[Story, ...]:
    return tuple(Story(**row) for row in load("outcomes")["story"])


def _split(total: int, weights, rng: random.Random) -> list[int]:
    """`total` in whole parts roughly proportional to `weights`; they add up to `total`."""
    weights = [w * rng.uniform(0.7, 1.3) if w else 0 for w in weights]
    scale = sum(weights) or 1
    parts = [int(total * w / scale) for w in weights]
    rest = total - sum(parts)
    nonzero = [i for i, w in enumerate(weights) if w] or [0]
    for k in range(rest):
        parts[nonzero[k % len(nonzero)]] += 1
    return parts


def _library(session: Session) -> tuple[dict[str, StandardIndicator], int]:
    areas = {a.code: a for a in session.scalars(select(ProgrammeArea))}
    domains = {d.code: d for d in session.scalars(select(WellbeingDomain))}
    existing = {s.code: s for s in session.scalars(select(StandardIndicator))}
    created = 0
    for std in standard_indicators():
        if std.code in existing:
            continue
        row = StandardIndicator(
            code=std.code,
            name_kk=std.name_kk,
            name_ru=std.name_ru,
            name_en=std.name_en,
            unit_kk=std.unit_kk,
            unit_ru=std.unit_ru,
            unit_en=std.unit_en,
            definition_kk=std.definition_kk,
            definition_ru=std.definition_ru,
            definition_en=std.definition_en,
            type=IndicatorType.COUNT,
            area=areas.get(std.area) if std.area else None,
            domains=[domains[code] for code in std.domains if code in domains],
        )
        session.add(row)
        existing[std.code] = row
        created += 1
    session.flush()
    return existing, created


def seed_outcomes(session: Session, today: date, kinds: dict[str, str]) -> Counter[str]:
    """Indicators, results and stories for the demo projects that have no indicators yet.
    `kinds`: project code -> kind of project (a key of `projects.kinds()`), which decides its
    indicators."""
    counts: Counter[str] = Counter()
    library, counts["standard indicators"] = _library(session)
    projects = session.scalars(
        select(Project).where(Project.code.in_(kinds)).order_by(Project.code)
    ).all()
    done = set(session.scalars(select(ProjectIndicator.project_id).distinct()))
    officer = session.scalar(select(User).where(User.role == Role.OFFICER).order_by(User.id))
    pending: list[tuple[IndicatorResult, list[tuple[str, str, int]]]] = []
    for project in projects:
        if project.id in done:
            continue
        rng = random.Random(project.code)
        kind_plans = plans().get(kinds[project.code], ())
        quarters = periods_between(Frequency.QUARTERLY, project.start_date, project.end_date)
        ended = [(s, e) for s, e in quarters if e < today]
        for plan in kind_plans:
            indicator = ProjectIndicator(
                project=project,
                standard=library[plan.code],
                type=IndicatorType.COUNT,
                baseline=0,
                target=plan.per_quarter if plan.cumulative else plan.per_quarter * len(quarters),
                cumulative=plan.cumulative,
                frequency=Frequency.QUARTERLY,
                by_region=len(project.regions) > 1,
                by_sex=plan.by_sex,
                by_age=plan.by_age,
            )
            session.add(indicator)
            counts["project indicators"] += 1
            opened = 0
            for i, (start, end) in enumerate(ended):
                if plan.cumulative:
                    opened = min(plan.per_quarter, opened + rng.choice((0, 10, 15, 20)))
                    value = opened
                else:
                    value = max(0, round(plan.per_quarter * rng.uniform(0.6, 1.25)))
                recent = i == len(ended) - 1 and project.status in (
                    ProjectStatus.ACTIVE,
                    ProjectStatus.AT_RISK,
                )
                result = IndicatorResult(
                    indicator=indicator,
                    period_start=start,
                    period_end=end,
                    value=value,
                    status=ResultStatus.REPORTED if recent else ResultStatus.VERIFIED,
                    locked=(today - end).days > 365,
                    reported_at=utcnow(),
                    reviewed_by_id=None if recent or officer is None else officer.id,
                    reviewed_at=None if recent else utcnow(),
                )
                session.add(result)
                breakdowns = []
                if indicator.by_region:
                    codes = [r.code for r in project.regions]
                    breakdowns.append(("region", codes, [1] * len(codes)))
                if plan.by_sex:
                    breakdowns.append(("sex", list(SEXES), [1, 1]))
                if plan.by_age:
                    breakdowns.append(("age", list(AGE_GROUPS), list(plan.ages)))
                counts["results"] += 1
                pending.append(
                    (
                        result,
                        [
                            (dimension, category, v)
                            for dimension, cats, weights in breakdowns
                            for category, v in zip(cats, _split(value, weights, rng), strict=True)
                        ],
                    )
                )
    session.flush()  # the results get their ids; their cells go in one statement
    cells = [
        {"result_id": result.id, "dimension": d, "category": c, "value": v}
        for result, items in pending
        for d, c, v in items
    ]
    if cells:
        session.execute(insert(ResultCell), cells)
        counts["breakdown cells"] = len(cells)
    counts["stories"] = _stories(session, projects, kinds)
    session.flush()
    return counts


def _stories(session: Session, projects, kinds: dict[str, str]) -> int:
    if session.scalar(select(ImpactStory.id).limit(1)) is not None:
        return 0
    created = 0
    for kind, title, body in stories():
        project = next((p for p in projects if kinds[p.code] == kind), None)
        author = (
            session.scalar(
                select(User)
                .where(User.organisation_id == project.organisation_id)
                .order_by(User.id)
                .limit(1)
            )
            if project is not None
            else None
        )
        if project is None or author is None:
            continue
        session.add(
            ImpactStory(project=project, title=title, body=body, consent=True, author_id=author.id)
        )
        created += 1
    return created
