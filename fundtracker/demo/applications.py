"""Demo data for grant applications: an open call for proposals in each programme area and a
closed one. Safe to run again: a call that exists (by its English title) is left alone."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.time import to_utc
from fundtracker.core.time import today as almaty_today
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
from fundtracker.services.applications import screening_items

CRITERIA = [
    ("Relevance to the fund's priorities / Қор басымдықтарына сәйкестігі", 30),
    ("Feasibility of the plan and the team / Жоспар мен команданың іске асырылуы", 25),
    ("Results for children and families / Балалар мен отбасыларға нәтиже", 30),
    ("Value for money / Қаражаттың тиімділігі", 15),
]

CALLS = [
    {
        "area": "healthcare",
        "title_kk": "Сирек аурулары бар балаларды оңалту орталықтары — 2026",
        "title_ru": "Центры реабилитации детей с редкими заболеваниями — 2026",
        "title_en": "Rehabilitation centres for children with rare diseases, 2026",
        "description_kk": "Өңірлерде сирек аурулары бар балаларға оңалту орталықтарын ашу.",
        "description_ru": "Центры реабилитации для детей с редкими заболеваниями в регионах.",
        "description_en": "Rehabilitation centres for children with rare diseases in the regions.",
        "envelope": 2_000_000_000_00,
        "max": 400_000_000_00,
        "opens": -30,
        "closes": 60,
        "status": CallStatus.PUBLISHED,
    },
    {
        "area": "education",
        "title_kk": "Ауылдық тірек мектептеріндегі инклюзивті білім беру",
        "title_ru": "Инклюзивное образование в сельских опорных школах",
        "title_en": "Inclusive education in rural hub schools",
        "description_kk": "Ерекше білім беру қажеттіліктері бар балаларға арналған кабинеттер.",
        "description_ru": "Кабинеты для детей с особыми образовательными потребностями.",
        "description_en": "Resource rooms for children with special educational needs.",
        "envelope": 800_000_000_00,
        "max": 150_000_000_00,
        "opens": -10,
        "closes": 45,
        "status": CallStatus.PUBLISHED,
    },
    {
        "area": "social_protection",
        "title_kk": "Аутизм спектрі бұзылыстары бар балаларға қызмет көрсету — 2025",
        "title_ru": "Услуги для детей с расстройствами аутистического спектра — 2025",
        "title_en": "Services for children with autism spectrum disorder, 2025",
        "description_kk": "Ерте араласу және отбасыларды қолдау.",
        "description_ru": "Ранняя помощь и поддержка семей.",
        "description_en": "Early intervention and support for families.",
        "envelope": 1_000_000_000_00,
        "max": 250_000_000_00,
        "opens": -200,
        "closes": -120,
        "status": CallStatus.CLOSED,
    },
]


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
            eligibility=(
                "Non-profit organisations registered in Kazakhstan for at least one year.\n"
                "Қазақстанда кемінде бір жыл бұрын тіркелген коммерциялық емес ұйымдар."
            ),
            opens_at=to_utc(today + timedelta(days=spec["opens"]), time(9, 0)),
            closes_at=to_utc(today + timedelta(days=spec["closes"]), time(18, 0)),
            budget_envelope=spec["envelope"],
            max_request=spec["max"],
            required_documents="Charter of the organisation / Ұйымның жарғысы",
            status=spec["status"],
            criteria=[
                CallCriterion(name=name, weight=weight, position=i)
                for i, (name, weight) in enumerate(CRITERIA)
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
        "grantee2@demo.fundtracker.kz",
        "Ерте араласу орталығы",
        ApplicationStatus.SUBMITTED,
    ),
    (
        "grantee3@demo.fundtracker.kz",
        "Балаларға арналған оңалту кабинеттері",
        ApplicationStatus.UNDER_REVIEW,
    ),
]


def _seed_demo_applications(session: Session, today: date) -> None:
    call = session.scalar(select(Call).where(Call.title_en == CALLS[0]["title_en"]))
    officer = session.scalar(select(User).where(User.email == "officer@demo.fundtracker.kz"))
    reviewer = session.scalar(select(User).where(User.email == "reviewer2@demo.fundtracker.kz"))
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
