"""Demo outcomes: the fund's standard indicator library in Kazakh, Russian and English, indicators
on the demo projects, verified results over the periods that have ended (with breakdowns by
region, sex and age group), and a few impact stories with consent.

Idempotent: the library is matched by code, and a project that has indicators is left alone.
Only adds and flushes: the caller commits.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

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


LIBRARY: tuple[Std, ...] = (
    Std(
        "RARE-TREATED",
        "healthcare",
        "Сирек кездесетін ауру бойынша ем алған балалар",
        "Дети, получившие лечение редкого заболевания",
        "Children treated for a rare disease",
        "бала",
        "детей",
        "children",
        "Children who received disease-specific therapy paid by the project in the period.",
        "Дети, получившие в периоде патогенетическую терапию за счёт проекта.",
        "Кезеңде жоба қаражатына патогенетикалық ем алған балалар.",
    ),
    Std(
        "CHILD-DIAGNOSED",
        "healthcare",
        "Диагноз қойылған балалар",
        "Дети, которым поставлен диагноз",
        "Children diagnosed",
        "бала",
        "детей",
        "children",
        "Children who received a confirmed diagnosis (genetic or developmental) in the period.",
        "Дети, которым в периоде подтверждён диагноз (генетический или нарушение развития).",
        "Кезеңде диагнозы (генетикалық немесе даму бұзылысы) расталған балалар.",
    ),
    Std(
        "ASD-SERVICES",
        "social_protection",
        "Аутизм спектрі бұзылысы бар, қызмет алған балалар",
        "Дети с расстройством аутистического спектра, получившие услуги",
        "Children with autism spectrum disorder receiving services",
        "бала",
        "детей",
        "children",
        "Children with an ASD diagnosis who received at least one course of services.",
        "Дети с диагнозом РАС, получившие хотя бы один курс услуг.",
        "АСБ диагнозы бар, кемінде бір курс қызмет алған балалар.",
    ),
    Std(
        "REHAB-PLACES",
        "healthcare",
        "Құрылған оңалту орындары",
        "Созданные места для реабилитации",
        "Rehabilitation places created",
        "орын",
        "мест",
        "places",
        "Places in rehabilitation centres opened by the project, in total so far.",
        "Места в реабилитационных центрах, открытые проектом, всего на дату.",
        "Жоба ашқан оңалту орталықтарындағы орындар, күнге дейін барлығы.",
    ),
    Std(
        "CHILD-REHAB",
        "healthcare",
        "Оңалту курсынан өткен балалар",
        "Дети, прошедшие курс реабилитации",
        "Children who completed rehabilitation",
        "бала",
        "детей",
        "children",
        "Children who completed a course of rehabilitation, a device fitting or a cochlear "
        "implant follow-up in the period.",
        "Дети, завершившие в периоде курс реабилитации, подбор средства или сопровождение "
        "после кохлеарной имплантации.",
        "Кезеңде оңалту курсын, құрал таңдауды немесе кохлеарлық имплантациядан кейінгі "
        "сүйемелдеуді аяқтаған балалар.",
    ),
    Std(
        "SPECIALISTS-TRAINED",
        None,
        "Оқытылған мамандар",
        "Обученные специалисты",
        "Specialists trained",
        "маман",
        "специалистов",
        "specialists",
        "Doctors, teachers, therapists and social workers who completed a course of at least "
        "36 hours.",
        "Врачи, педагоги, терапевты и социальные работники, завершившие курс не менее 36 часов.",
        "Кемінде 36 сағаттық курсты аяқтаған дәрігерлер, педагогтар, терапевтер және "
        "әлеуметтік қызметкерлер.",
    ),
    Std(
        "FAMILIES-SUPPORTED",
        "social_protection",
        "Қолдау алған отбасылар",
        "Семьи, получившие поддержку",
        "Families supported",
        "отбасы",
        "семей",
        "families",
        "Families that received counselling, respite care or material support in the period.",
        "Семьи, получившие в периоде консультации, передышку или материальную помощь.",
        "Кезеңде кеңес, демалыс күтімі немесе материалдық көмек алған отбасылар.",
    ),
    Std(
        "CHILD-EDUCATION",
        "education",
        "Қолдау көрсетілген білім беруге қамтылған балалар мен студенттер",
        "Дети и студенты, охваченные поддержанным обучением",
        "Children and students in supported education",
        "адам",
        "человек",
        "people",
        "Pupils and students who studied with the project's support (grants, schools, labs).",
        "Ученики и студенты, обучавшиеся при поддержке проекта (гранты, школы, лаборатории).",
        "Жобаның қолдауымен (гранттар, мектептер, зертханалар) білім алған оқушылар мен "
        "студенттер.",
    ),
    Std(
        "PATIENTS-SERVED",
        "healthcare",
        "Жаңа жабдықпен тексерілген немесе емделген балалар",
        "Дети, обследованные или пролеченные на новом оборудовании",
        "Children examined or treated with new equipment",
        "бала",
        "детей",
        "children",
        "Children examined or treated with equipment the project bought, in the period.",
        "Дети, обследованные или пролеченные на купленном проектом оборудовании, в периоде.",
        "Кезеңде жоба сатып алған жабдықпен тексерілген немесе емделген балалар.",
    ),
    Std(
        "PEOPLE-EMPLOYED",
        "social_protection",
        "Жұмысқа орналасқан мүгедектігі бар адамдар",
        "Трудоустроенные люди с инвалидностью",
        "People with disabilities employed",
        "адам",
        "человек",
        "people",
        "People with disabilities who started paid work with the project's support.",
        "Люди с инвалидностью, начавшие оплачиваемую работу при поддержке проекта.",
        "Жобаның қолдауымен ақылы жұмысқа кіріскен мүгедектігі бар адамдар.",
    ),
)


class Plan(NamedTuple):
    code: str
    per_quarter: int  # typical value per quarter (or, cumulative, places opened in all)
    cumulative: bool = False
    by_age: bool = True
    by_sex: bool = True
    ages: tuple[float, ...] = (1, 3, 3, 2, 0)  # weights for 0-2, 3-6, 7-11, 12-17, 18+


CHILD = (1, 3, 3, 2, 0)
YOUNG = (3, 4, 2, 1, 0)
TEENS = (0, 0, 1, 3, 4)

PLANS: dict[str, tuple[Plan, ...]] = {
    "sma": (Plan("RARE-TREATED", 14, ages=YOUNG),),
    "dmd": (Plan("RARE-TREATED", 9, ages=CHILD),),
    "cf": (Plan("RARE-TREATED", 22, ages=CHILD),),
    "mps": (Plan("RARE-TREATED", 6, ages=CHILD),),
    "eb": (Plan("RARE-TREATED", 7, ages=CHILD),),
    "pku": (Plan("RARE-TREATED", 18, ages=YOUNG), Plan("CHILD-DIAGNOSED", 9, ages=YOUNG)),
    "genetics": (Plan("CHILD-DIAGNOSED", 60, ages=YOUNG),),
    "cochlear": (Plan("CHILD-REHAB", 11, ages=YOUNG),),
    "rehab_centre": (Plan("REHAB-PLACES", 60, True, False, False), Plan("CHILD-REHAB", 45)),
    "nicu": (Plan("PATIENTS-SERVED", 120, ages=(1, 0, 0, 0, 0)),),
    "mri": (Plan("PATIENTS-SERVED", 300),),
    "mobile_clinic": (Plan("PATIENTS-SERVED", 250),),
    "palliative": (Plan("FAMILIES-SUPPORTED", 30, by_age=False),),
    "oncology": (Plan("RARE-TREATED", 25),),
    "rehab_training": (Plan("SPECIALISTS-TRAINED", 40, by_age=False),),
    "hub_school": (Plan("CHILD-EDUCATION", 180, ages=(0, 0, 2, 3, 0)),),
    "inclusive": (Plan("CHILD-EDUCATION", 90, ages=(0, 1, 3, 2, 0)),),
    "student_grants": (Plan("CHILD-EDUCATION", 120, ages=(0, 0, 0, 1, 6)),),
    "stem_labs": (Plan("CHILD-EDUCATION", 220, ages=(0, 0, 1, 3, 0)),),
    "teacher_training": (Plan("SPECIALISTS-TRAINED", 70, by_age=False),),
    "boarding_school": (Plan("CHILD-EDUCATION", 60, ages=(0, 0, 2, 3, 0)),),
    "special_school": (Plan("CHILD-EDUCATION", 45, ages=(0, 1, 3, 2, 0)),),
    "autism_centre": (
        Plan("ASD-SERVICES", 35, ages=YOUNG),
        Plan("FAMILIES-SUPPORTED", 30, by_age=False),
    ),
    "early_intervention": (
        Plan("CHILD-DIAGNOSED", 25, ages=(3, 2, 0, 0, 0)),
        Plan("ASD-SERVICES", 20, ages=(2, 3, 0, 0, 0)),
    ),
    "prostheses": (Plan("CHILD-REHAB", 8, ages=TEENS),),
    "orphan_graduates": (
        Plan("FAMILIES-SUPPORTED", 15, by_age=False),
        Plan("PEOPLE-EMPLOYED", 6, by_age=False),
    ),
    "family_support": (Plan("FAMILIES-SUPPORTED", 55, by_age=False),),
    "respite": (Plan("FAMILIES-SUPPORTED", 25, by_age=False),),
    "employment": (Plan("PEOPLE-EMPLOYED", 9, ages=TEENS),),
}


STORIES = (
    (
        "sma",
        "Айлин алғашқы қадамын жасады",
        "Терапияның екінші жылында үш жасар Айлин тірексіз тұра бастады. Анасы: «Біз бұған "
        "сенбеген едік», — дейді.",
    ),
    (
        "autism_centre",
        "Первые слова в пять лет",
        "После года занятий в центре Тимур начал говорить короткими фразами и пошёл в "
        "обычный детский сад с тьютором.",
    ),
    (
        "rehab_centre",
        "Back to school after rehabilitation",
        "After two courses in the new centre, a ten-year-old boy from a village near Kostanay "
        "walks with crutches and has returned to his class.",
    ),
    (
        "hub_school",
        "Ауыл мектебіндегі робототехника",
        "Тірек мектептің оқушылары облыстық робототехника олимпиадасында екінші орын алды.",
    ),
)


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
    existing = {s.code: s for s in session.scalars(select(StandardIndicator))}
    created = 0
    for std in LIBRARY:
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
        )
        session.add(row)
        existing[std.code] = row
        created += 1
    session.flush()
    return existing, created


def seed_outcomes(session: Session, today: date, kinds: dict[str, str]) -> Counter[str]:
    """Indicators, results and stories for the demo projects that have no indicators yet.
    `kinds`: project code -> kind of project (demo.KINDS), which decides its indicators."""
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
        plans = PLANS.get(kinds[project.code], ())
        quarters = periods_between(Frequency.QUARTERLY, project.start_date, project.end_date)
        ended = [(s, e) for s, e in quarters if e < today]
        for plan in plans:
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
    for kind, title, body in STORIES:
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
