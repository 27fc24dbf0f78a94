"""Demo data for grant applications: two open calls for proposals and a closed one
(data/calls.toml), and two applications to the first call, one waiting for screening and one under
review. Safe to run again: a call that exists (by its English title) is left alone, and so is an
application (by its title)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import to_utc
from fundtracker.core.time import today as almaty_today
from fundtracker.demo.organisations import DEMO_DOMAIN
from fundtracker.demo.tables import load
from fundtracker.models import (
    Application,
    ApplicationBeneficiary,
    ApplicationBudgetLine,
    ApplicationIndicator,
    ApplicationMilestone,
    ApplicationStatus,
    ApplicationTransition,
    BeneficiaryCategory,
    BudgetCategory,
    Call,
    CallCriterion,
    CallStatus,
    ProgrammeArea,
    Region,
    ReviewAssignment,
    User,
    utcnow,
)
from fundtracker.services.reviews import screening_items


def _calls() -> list[dict[str, Any]]:
    data = load("calls")
    return [{**call, "status": CallStatus(call["status"])} for call in data["call"]]


# Read at import, unlike the larger tables: the file is small and CALLS is imported by name.
CALLS: list[dict[str, Any]] = _calls()
# Each criterion's names by language ("name_kk", ...) and its weight.
CRITERIA: list[dict[str, Any]] = load("calls")["criteria"]
# What every call asks of applicants: {"eligibility": {"kk": ..., ...}, "documents": {...}}.
TEXTS: dict[str, dict[str, str]] = {
    kind: load("calls")[kind] for kind in ("eligibility", "documents")
}


def seed_applications(session: Session, today: date | None = None) -> int:
    """Add the demo calls that are missing; returns how many were created. Flushes only."""
    today = today or almaty_today()
    areas = {a.code: a for a in session.scalars(select(ProgrammeArea))}
    existing = set(session.scalars(select(Call.title_en)))
    created = 0
    for spec in CALLS:
        if spec["title_en"] in existing or spec["area"] not in areas:
            continue
        call = Call(
            area=areas[spec["area"]],
            title_kk=spec["title_kk"],
            title_ru=spec["title_ru"],
            title_en=spec["title_en"],
            description_kk=spec["description_kk"],
            description_ru=spec["description_ru"],
            description_en=spec["description_en"],
            eligibility_kk=TEXTS["eligibility"]["kk"],
            eligibility_ru=TEXTS["eligibility"]["ru"],
            eligibility_en=TEXTS["eligibility"]["en"],
            opens_at=to_utc(today + timedelta(days=spec["opens"]), time(9, 0)),
            closes_at=to_utc(today + timedelta(days=spec["closes"]), time(18, 0)),
            budget_envelope=spec["envelope"],
            max_request=spec["max"],
            required_documents_kk=TEXTS["documents"]["kk"],
            required_documents_ru=TEXTS["documents"]["ru"],
            required_documents_en=TEXTS["documents"]["en"],
            status=spec["status"],
            criteria=[
                CallCriterion(
                    name_kk=c["name_kk"],
                    name_ru=c["name_ru"],
                    name_en=c["name_en"],
                    weight=c["weight"],
                    position=i,
                )
                for i, c in enumerate(CRITERIA)
            ],
        )
        session.add(call)
        created += 1
    session.flush()
    _seed_demo_applications(session, today)
    return created


# Two applications to the first call, from organisations other than grantee@'s (whose account
# the browser journeys use): one waiting for screening, one with reviewer2@ who has not declared
# their interests yet.
DEMO_APPLICATIONS = [
    (
        f"grantee2@{DEMO_DOMAIN}",
        "Ерте араласу орталығы",
        ApplicationStatus.SUBMITTED,
    ),
    (
        f"grantee3@{DEMO_DOMAIN}",
        "Балаларға арналған оңалту кабинеттері",
        ApplicationStatus.UNDER_REVIEW,
    ),
]


def _seed_demo_applications(session: Session, today: date) -> None:
    call = session.scalar(select(Call).where(Call.title_en == CALLS[0]["title_en"]))
    officer = session.scalar(select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    reviewer = session.scalar(select(User).where(User.email == f"reviewer2@{DEMO_DOMAIN}"))
    if call is None or officer is None or reviewer is None:
        return
    for email, title, status in DEMO_APPLICATIONS:
        applicant = session.scalar(select(User).where(User.email == email))
        if applicant is None or session.scalar(
            select(Application.id).where(Application.title == title)
        ):
            continue
        region = session.scalar(select(Region).where(Region.id == applicant.organisation.region_id))
        start = date(today.year + 1, 1, 1)
        application = Application(
            call=call,
            organisation_id=applicant.organisation_id,
            created_by_id=applicant.id,
            status=status,
            title=title,
            summary="Ерте араласу, оңалту және отбасыларды қолдау: 60 бала мен ата-аналары.",
            start_date=start,
            end_date=date(start.year, 12, 31),
            regions=[region],
            screening={},
            submitted_at=utcnow(),
            beneficiaries=[
                ApplicationBeneficiary(category=BeneficiaryCategory.CHILDREN_AUTISM, count=60),
                ApplicationBeneficiary(category=BeneficiaryCategory.FAMILIES, count=55),
            ],
            budget_lines=[
                ApplicationBudgetLine(
                    category=BudgetCategory.EQUIPMENT,
                    description="Сенсорлық бөлме",
                    amount=45_000_000_00,
                ),
                ApplicationBudgetLine(
                    category=BudgetCategory.PERSONNEL, description="Мамандар", amount=30_000_000_00
                ),
            ],
            milestones=[
                ApplicationMilestone(
                    title="Кабинеттер жабдықталды",
                    due_date=date(start.year, 5, 31),
                    tranche_amount=45_000_000_00,
                ),
                ApplicationMilestone(
                    title="Алғашқы 60 бала қабылданды",
                    due_date=date(start.year, 11, 30),
                    tranche_amount=30_000_000_00,
                ),
            ],
            indicators=[
                ApplicationIndicator(
                    name="Қызмет алған балалар", unit="бала", baseline=0, target=60
                )
            ],
        )
        steps = [
            (None, ApplicationStatus.DRAFT, applicant),
            (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, applicant),
        ]
        if status == ApplicationStatus.UNDER_REVIEW:
            application.screening = dict.fromkeys(screening_items(), True)
            steps += [
                (ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENED, officer),
                (ApplicationStatus.SCREENED, ApplicationStatus.UNDER_REVIEW, officer),
            ]
            application.assignments = [
                ReviewAssignment(reviewer_id=reviewer.id, assigned_by_id=officer.id)
            ]
        application.transitions = [
            ApplicationTransition(actor_id=actor.id, from_status=frm, to_status=to)
            for frm, to, actor in steps
        ]
        session.add(application)
    session.flush()
