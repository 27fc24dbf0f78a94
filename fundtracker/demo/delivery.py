"""Demo delivery records: each project's budget lines, milestones and tranches, and the history
of its reports, reviews, payments, comments and timeline events up to yesterday, consistent with
its status and with `today` (see `schedule`).

A project gets its delivery records only while it has no milestones, tranches or budget lines.
Randomness is seeded per project, so the same `today` always gives the same history.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import FUND_TZ
from fundtracker.demo.plans import (
    STAGES_BY_COUNT,
    KindDelivery,
    LineSpec,
    Profile,
    deliveries,
    narratives,
    profiles,
    revision_threads,
    stage_text,
)
from fundtracker.demo.projects import specs_by_code
from fundtracker.demo.schedule import (
    MILESTONE_STATUS,
    Fate,
    almaty_today,
    assign_scenarios,
    due_dates,
    fates,
    journey_dues,
    journey_project_code,
    milestone_count,
)
from fundtracker.models import (
    BudgetCategory,
    BudgetLine,
    Milestone,
    MilestoneComment,
    MilestoneUpdate,
    Project,
    ProjectEvent,
    Role,
    Tranche,
    TrancheStatus,
    UpdateSpending,
    UpdateStatus,
    User,
)

MONEY_UNIT = 100_000  # budget lines and tranches are in whole thousands of tenge (in tiyn)


def split(total: int, weights: list[float]) -> list[int]:
    """`total` in parts proportional to `weights`, in money units; the last part takes the rest."""
    scale = sum(weights)
    parts = [int(total * w / scale) // MONEY_UNIT * MONEY_UNIT for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a day in Almaty, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=FUND_TZ).astimezone(UTC)


def _lower_first(text: str) -> str:
    """Lower-case the first letter, unless it starts an abbreviation (CFTR, ABA)."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


FRONT_LOADED = {BudgetCategory.EQUIPMENT, BudgetCategory.CONSTRUCTION}


class DeliverySeeder:
    """Adds budget lines, milestones, tranches, updates, comments and timeline events to demo
    projects, and counts what it adds."""

    def __init__(self, session: Session, today: date):
        self.session = session
        self.today = today
        self.latest = today - timedelta(days=1)  # the seeded history ends yesterday
        self.created: Counter[str] = Counter()
        self.threads = 0  # revision threads are used in turn

    def _day(self, day: date) -> date:
        return min(day, self.latest)

    def _event(self, project: Project, actor: User, kind: str, at: datetime, **data) -> None:
        comment = data.pop("comment", "")
        self.session.add(
            ProjectEvent(
                project_id=project.id,
                actor_id=actor.id,
                kind=kind,
                data=data,
                comment=comment,
                created_at=at,
            )
        )
        self.created["events"] += 1

    def seed(
        self,
        project: Project,
        kind: KindDelivery,
        dues: list[date],
        scenario: str,
        officer: User,
        authors: list[User],
    ) -> None:
        rng = random.Random(f"delivery:{project.code}")
        lang = "kk" if authors[0].locale == "kk" else "ru"
        profile = profiles()[kind.profile]
        lines = self._budget(project, kind, profile, lang, rng)
        shares = [rng.uniform(0.95, 1.0) for _ in lines]  # of each line spent by the end
        share = (100 - profile.advance) / len(dues)
        amounts = split(project.awarded_amount, [profile.advance] + [share] * len(dues))
        if profile.advance:
            self._advance(project, amounts[0], officer, rng)
        amounts = amounts[1:]
        planned_at = _at(self._day(project.start_date - timedelta(days=10)), 11)
        for index, (due, stage, fate, amount) in enumerate(
            zip(
                dues,
                STAGES_BY_COUNT[len(dues)],
                fates(scenario, dues, self.today),
                amounts,
                strict=True,
            )
        ):
            title, description, deliverables = stage_text(profile.stages[stage], lang, kind)
            milestone = Milestone(
                project=project,
                title=title,
                description=description,
                deliverables=deliverables,
                due_date=due,
                status=MILESTONE_STATUS[fate],
                created_at=planned_at,
                updated_at=planned_at,
            )
            tranche = Tranche(
                project=project,
                milestone=milestone,
                amount=amount,
                planned_date=due + timedelta(days=rng.randint(7, 14)),
                status=TrancheStatus.PLANNED,
                created_at=planned_at,
                updated_at=planned_at,
            )
            self.session.add_all([milestone, tranche])
            self.created["milestones"] += 1
            self.created["tranches"] += 1
            if fate == Fate.PLANNED:
                continue
            report = {
                "title": title,
                "description": description,
                "deliverables": _lower_first(deliverables),
                "people": rng.randint(*kind.reach),
            }
            done = (index + 1) / len(dues)
            author = authors[index % len(authors)]
            if fate == Fate.DRAFT:
                self._draft(milestone, author, lines, shares, done - 0.4 / len(dues), report, lang)
                continue
            update = MilestoneUpdate(
                milestone=milestone,
                author_id=author.id,
                narrative=narratives()[lang].done.format(**report),
                progress=100,
                beneficiaries=report["people"],
                spending=self._spending(lines, shares, done),
            )
            self.session.add(update)
            self.created["updates"] += 1
            if fate in (Fate.ACCEPTED, Fate.APPROVED):
                self._accept(milestone, tranche, update, fate, officer, rng)
            elif fate == Fate.SUBMITTED:
                self._submit(milestone, update, author, rng)
            else:
                self._revise(milestone, update, officer, author, lang, rng)

    def _budget(
        self,
        project: Project,
        kind: KindDelivery,
        profile: Profile,
        lang: str,
        rng: random.Random,
    ) -> list[BudgetLine]:
        specs = kind.lines or profile.lines
        main = LineSpec(kind.main[0], profile.main_weight, kind.main[1], kind.main[2])
        specs = [main, *specs]
        amounts = split(project.awarded_amount, [s.weight * rng.uniform(0.85, 1.15) for s in specs])
        lines = [
            BudgetLine(
                project=project,
                category=spec.category,
                description=spec.kk if lang == "kk" else spec.ru,
                amount=amount,
            )
            for spec, amount in zip(specs, amounts, strict=True)
        ]
        self.session.add_all(lines)
        self.created["budget lines"] += len(lines)
        return lines

    def _spending(
        self, lines: list[BudgetLine], shares: list[float], done: float
    ) -> list[UpdateSpending]:
        """Spending to date per line: equipment and works early, the rest as the work goes."""
        spending = []
        for line, share in zip(lines, shares, strict=True):
            progress = done**0.5 if line.category in FRONT_LOADED else done
            amount = int(line.amount * share * progress) // 100 * 100  # whole tenge
            spending.append(UpdateSpending(budget_line=line, amount=amount))
        return spending

    def _pay(
        self, project: Project, tranche: Tranche, officer: User, day: date, rng: random.Random
    ) -> None:
        tranche.status = TrancheStatus.PAID
        tranche.paid_on = day
        tranche.paid_by_id = officer.id
        tranche.payment_reference = f"ПП-{day.year}-{rng.randrange(100, 3000):04d}"
        tranche.updated_at = _at(day, 17, rng.randint(0, 59))
        self._event(
            project,
            officer,
            "tranche_paid",
            tranche.updated_at,
            amount=tranche.amount,
            paid_on=day.isoformat(),
            reference=tranche.payment_reference,
        )

    def _advance(self, project: Project, amount: int, officer: User, rng: random.Random) -> None:
        tranche = Tranche(
            project=project,
            amount=amount,
            planned_date=project.start_date,
            status=TrancheStatus.PLANNED,
            created_at=_at(self._day(project.start_date - timedelta(days=10)), 11),
        )
        tranche.updated_at = tranche.created_at
        self.session.add(tranche)
        self.created["tranches"] += 1
        if project.start_date <= self.latest:
            tranche.approved_at = _at(self._day(project.start_date - timedelta(days=3)), 12)
            tranche.approved_by_id = officer.id
            paid_on = self._day(project.start_date + timedelta(days=rng.randint(3, 10)))
            self._pay(project, tranche, officer, paid_on, rng)

    def _accept(
        self,
        milestone: Milestone,
        tranche: Tranche,
        update: MilestoneUpdate,
        fate: Fate,
        officer: User,
        rng: random.Random,
    ) -> None:
        """Accepted near the due date; or, for a tranche still awaiting payment, a few days
        ago."""
        due = milestone.due_date
        if fate == Fate.ACCEPTED:
            accepted = self._day(due + timedelta(days=rng.randint(2, 8)))
            submitted = self._day(due - timedelta(days=rng.randint(0, 3)))
        else:
            recently = self.today - timedelta(days=rng.randint(4, 9))
            accepted = self._day(max(due + timedelta(days=rng.randint(3, 6)), recently))
            submitted = max(due - timedelta(days=2), accepted - timedelta(days=5))
        update.status = UpdateStatus.ACCEPTED
        update.submitted_at = _at(submitted, rng.randint(9, 12), rng.randint(0, 59))
        update.created_at = update.submitted_at - timedelta(days=rng.randint(1, 5))
        update.reviewed_at = update.updated_at = _at(
            accepted, rng.randint(14, 16), rng.randint(0, 59)
        )
        update.reviewed_by_id = officer.id
        milestone.accepted_at = milestone.updated_at = update.reviewed_at
        tranche.approved_at = update.reviewed_at + timedelta(minutes=5)
        tranche.approved_by_id = officer.id
        tranche.status = TrancheStatus.APPROVED
        tranche.updated_at = tranche.approved_at
        project = milestone.project
        self._event(
            project, officer, "milestone_accepted", update.reviewed_at, milestone=milestone.title
        )
        if fate == Fate.APPROVED:
            self._event(
                project, officer, "tranche_approved", tranche.approved_at, amount=tranche.amount
            )
        else:
            paid_on = self._day(accepted + timedelta(days=rng.randint(7, 16)))
            self._pay(project, tranche, officer, paid_on, rng)

    def _submit(
        self, milestone: Milestone, update: MilestoneUpdate, author: User, rng: random.Random
    ) -> None:
        """Submitted a few days ago and waiting for the officer."""
        update.status = UpdateStatus.SUBMITTED
        submitted = self.today - timedelta(days=rng.randint(2, 9))
        update.submitted_at = update.updated_at = _at(submitted, rng.randint(9, 17))
        update.created_at = update.submitted_at - timedelta(days=rng.randint(1, 4))
        milestone.updated_at = update.submitted_at
        self._event(
            milestone.project,
            author,
            "update_submitted",
            update.submitted_at,
            milestone=milestone.title,
            progress=update.progress,
        )

    def _revise(
        self,
        milestone: Milestone,
        update: MilestoneUpdate,
        officer: User,
        author: User,
        lang: str,
        rng: random.Random,
    ) -> None:
        """Sent back with the officer's comment; the grantee answered and is revising it."""
        threads = revision_threads()[lang]
        request, reply = threads[self.threads % len(threads)]
        self.threads += 1
        due = milestone.due_date
        if due >= self.today:  # an early report
            submitted = self.today - timedelta(days=rng.randint(14, 20))
        else:
            submitted = self._day(max(due - timedelta(days=1), self.today - timedelta(days=40)))
        reviewed = self._day(submitted + timedelta(days=rng.randint(3, 6)))
        replied = self._day(reviewed + timedelta(days=rng.randint(1, 2)))
        update.status = UpdateStatus.REVISION_REQUESTED
        update.submitted_at = _at(submitted, 10, rng.randint(0, 59))
        update.created_at = update.submitted_at - timedelta(days=2)
        update.reviewed_at = update.updated_at = _at(reviewed, 15, rng.randint(0, 59))
        update.reviewed_by_id = officer.id
        update.review_comment = request
        milestone.updated_at = update.reviewed_at
        self.session.add_all(
            [
                MilestoneComment(
                    milestone=milestone,
                    author_id=officer.id,
                    body=request,
                    created_at=update.reviewed_at,
                ),
                MilestoneComment(
                    milestone=milestone,
                    author_id=author.id,
                    body=reply,
                    created_at=_at(replied, 18, rng.randint(0, 59)),
                ),
            ]
        )
        self.created["comments"] += 2
        project = milestone.project
        self._event(
            project,
            author,
            "update_submitted",
            update.submitted_at,
            milestone=milestone.title,
            progress=update.progress,
        )
        self._event(
            project,
            officer,
            "revision_requested",
            update.reviewed_at,
            milestone=milestone.title,
            comment=request,
        )

    def _draft(
        self,
        milestone: Milestone,
        author: User,
        lines: list[BudgetLine],
        shares: list[float],
        done: float,
        report: dict,
        lang: str,
    ) -> None:
        """A report the grantee has started on a late milestone but not submitted."""
        progress = 60
        at = _at(self.latest - timedelta(days=3), 12)
        self.session.add(
            MilestoneUpdate(
                milestone=milestone,
                author_id=author.id,
                status=UpdateStatus.DRAFT,
                narrative=narratives()[lang].draft.format(progress=progress, **report),
                progress=progress,
                beneficiaries=report["people"],
                spending=self._spending(lines, shares, done),
                created_at=at,
                updated_at=at,
            )
        )
        self.created["updates"] += 1


def seed_delivery(session: Session, today: date | None = None) -> tuple[Counter[str], str | None]:
    """Give every demo project that has no plan yet its budget, milestones, tranches, reports
    and timeline, consistent with its status and with `today` (default: today in Almaty).
    Returns the counts of what was created and the journey project's code."""
    today = today or almaty_today()
    specs = specs_by_code()
    projects = session.scalars(
        select(Project).where(Project.code.in_(specs)).order_by(Project.code)
    ).all()
    try:
        journey = journey_project_code(session)
    except LookupError:
        journey = None
    dues = {}
    for project in projects:
        months = specs[project.code].months
        dues[project.code] = due_dates(
            project.start_date, project.end_date, milestone_count(months)
        )
        if project.code == journey:
            dues[project.code] = journey_dues(dues[project.code], today)
    scenarios = assign_scenarios(
        [(p.code, p.status, dues[p.code]) for p in projects], journey, today
    )

    planned = set()
    for model in (Milestone, Tranche, BudgetLine):
        planned |= set(session.scalars(select(model.project_id).distinct()))
    grantees: dict[int, list[User]] = {}
    for user in session.scalars(select(User).where(User.role == Role.GRANTEE).order_by(User.id)):
        grantees.setdefault(user.organisation_id, []).append(user)
    any_officer = session.scalar(select(User).where(User.role == Role.OFFICER).order_by(User.id))

    seeder = DeliverySeeder(session, today)
    for project in projects:
        officer = project.officer or any_officer
        if project.id in planned or project.awarded_amount <= 0 or officer is None:
            continue
        seeder.seed(
            project,
            deliveries()[specs[project.code].kind],
            dues[project.code],
            scenarios[project.code],
            officer,
            grantees.get(project.organisation_id) or [officer],
        )
        seeder.created["projects"] += 1
    session.flush()
    return seeder.created, journey
