"""Demo data: partner organisations, accounts of every role and 67 projects with their budgets,
milestones, tranches, reports and activity.

`seed_demo` is idempotent: organisations are matched by BIN, users by email and projects by code,
and only what is missing is created; a project gets its delivery records only while it has no
milestones, tranches or budget lines. Regions and programme areas come from the migration and are
looked up by code. The function only adds and flushes; the caller commits.
"""

from __future__ import annotations

import enum
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.i18n import LANGUAGES
from fundtracker.core.time import FUND_TZ
from fundtracker.core.time import today as fund_today
from fundtracker.demo.applications import seed_applications
from fundtracker.demo.outcomes import seed_outcomes
from fundtracker.demo.reminders import seed_reminders
from fundtracker.models import (
    BudgetCategory,
    BudgetLine,
    Milestone,
    MilestoneComment,
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
    bin_is_valid,
)
from fundtracker.services.users import UserData, create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed in the report on purpose
DEMO_DOMAIN = "demo.fundtracker.kz"

# ---------------------------------------------------------------------------------------------
# Regions: the word forms that project titles need.


class RegionForms(NamedTuple):
    kk: str  # nominative, "Қарағанды облысы"
    ru_prep: str  # prepositional, after «в»
    ru_gen: str  # genitive
    en: str


REGION_FORMS: dict[str, RegionForms] = {
    "KZ-10": RegionForms("Абай облысы", "области Абай", "области Абай", "Abai Region"),
    "KZ-11": RegionForms(
        "Ақмола облысы", "Акмолинской области", "Акмолинской области", "Akmola Region"
    ),
    "KZ-15": RegionForms(
        "Ақтөбе облысы", "Актюбинской области", "Актюбинской области", "Aktobe Region"
    ),
    "KZ-19": RegionForms(
        "Алматы облысы", "Алматинской области", "Алматинской области", "Almaty Region"
    ),
    "KZ-23": RegionForms(
        "Атырау облысы", "Атырауской области", "Атырауской области", "Atyrau Region"
    ),
    "KZ-27": RegionForms(
        "Батыс Қазақстан облысы",
        "Западно-Казахстанской области",
        "Западно-Казахстанской области",
        "West Kazakhstan Region",
    ),
    "KZ-31": RegionForms(
        "Жамбыл облысы", "Жамбылской области", "Жамбылской области", "Jambyl Region"
    ),
    "KZ-33": RegionForms("Жетісу облысы", "области Жетісу", "области Жетісу", "Jetisu Region"),
    "KZ-35": RegionForms(
        "Қарағанды облысы", "Карагандинской области", "Карагандинской области", "Karaganda Region"
    ),
    "KZ-39": RegionForms(
        "Қостанай облысы", "Костанайской области", "Костанайской области", "Kostanay Region"
    ),
    "KZ-43": RegionForms(
        "Қызылорда облысы", "Кызылординской области", "Кызылординской области", "Kyzylorda Region"
    ),
    "KZ-47": RegionForms(
        "Маңғыстау облысы", "Мангистауской области", "Мангистауской области", "Mangystau Region"
    ),
    "KZ-55": RegionForms(
        "Павлодар облысы", "Павлодарской области", "Павлодарской области", "Pavlodar Region"
    ),
    "KZ-59": RegionForms(
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанской области",
        "Северо-Казахстанской области",
        "North Kazakhstan Region",
    ),
    "KZ-61": RegionForms(
        "Түркістан облысы", "Туркестанской области", "Туркестанской области", "Turkistan Region"
    ),
    "KZ-62": RegionForms("Ұлытау облысы", "области Ұлытау", "области Ұлытау", "Ulytau Region"),
    "KZ-63": RegionForms(
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанской области",
        "Восточно-Казахстанской области",
        "East Kazakhstan Region",
    ),
    "KZ-71": RegionForms("Астана қаласы", "городе Астане", "города Астаны", "Astana"),
    "KZ-75": RegionForms("Алматы қаласы", "городе Алматы", "города Алматы", "Almaty"),
    "KZ-79": RegionForms("Шымкент қаласы", "городе Шымкенте", "города Шымкента", "Shymkent"),
}

_KK_REGION = " облысы"
_KK_CITY = " қаласы"


def _kk_case(nominative: str, case: str) -> str:
    """ "Қарағанды облысы" -> "Қарағанды облысында" (loc), "...облысындағы" (attr),
    "...облысының" (gen). Both nouns end in -сы, so the endings are regular."""
    stem = nominative[:-1]  # "облыс", "қалас"
    return {"loc": stem + "ында", "attr": stem + "ындағы", "gen": nominative + "ның"}[case]


def _kk_place(codes: tuple[str, ...], case: str) -> str:
    names = [REGION_FORMS[c].kk for c in codes]
    if len(names) == 1:
        return _kk_case(names[0], case)
    first, second = names
    for suffix, plural in ((_KK_REGION, " облыстары"), (_KK_CITY, " қалалары")):
        if first.endswith(suffix) and second.endswith(suffix):
            stems = f"{first.removesuffix(suffix)} және {second.removesuffix(suffix)}"
            return _kk_case(stems + plural, case)
    # "Алматы қаласы мен Алматы облысында": the last noun alone takes the case ending.
    return f"{first} мен {_kk_case(second, case)}"


def _place_words(codes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Template fields for a project in one or two regions, per language."""
    forms = [REGION_FORMS[c] for c in codes]
    return {
        "kk": {case: _kk_place(codes, case) for case in ("loc", "attr", "gen")},
        "ru": {
            "loc": "в " + " и ".join(f.ru_prep for f in forms),
            "gen": " и ".join(f.ru_gen for f in forms),
        },
        "en": {"loc": "in " + " and ".join(f.en for f in forms)},
    }


# ---------------------------------------------------------------------------------------------
# Organisations.


class OrgSpec(NamedTuple):
    name: str
    region: str
    registered: str  # YYMM, the first four digits of the BIN
    address: str
    contact: str  # the organisation's grantee user
    locale: str


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec(
        "«Қамқорлық» қоғамдық қоры",
        "KZ-71",
        "0904",
        "Астана қаласы, Сығанақ көшесі, 18/2, 304-кеңсе",
        "Айгүл Нұрпейісова",
        "kk",
    ),
    OrgSpec(
        "ОФ «Ассоциация родителей детей с аутизмом»",
        "KZ-75",
        "1311",
        "г. Алматы, ул. Жамбыла, 114, офис 7",
        "Наталья Пак",
        "ru",
    ),
    OrgSpec(
        "КГП на ПХВ «Областная детская больница»",
        "KZ-35",
        "0102",
        "г. Караганда, ул. Ерубаева, 56",
        "Жанар Бекова",
        "ru",
    ),
    OrgSpec(
        "«Мейірім» қайырымдылық қоры",
        "KZ-79",
        "1005",
        "Шымкент қаласы, Тәуке хан даңғылы, 37",
        "Бақытжан Әбдірахманов",
        "kk",
    ),
    OrgSpec(
        "ОО «Ассоциация пациентов с редкими заболеваниями»",
        "KZ-71",
        "1409",
        "г. Астана, пр. Кабанбай батыра, 11/5, офис 210",
        "Ольга Миронова",
        "ru",
    ),
    OrgSpec(
        "«Сенім» оңалту орталығы ЖШС",
        "KZ-43",
        "1503",
        "Қызылорда қаласы, Әйтеке би көшесі, 27",
        "Мадина Оспанова",
        "kk",
    ),
    OrgSpec(
        "«Ақсу ауылының тірек мектебі (ресурстық орталық)» КММ",
        "KZ-11",
        "0008",
        "Ақмола облысы, Бурабай ауданы, Ақсу ауылы, Мектеп көшесі, 1",
        "Серік Жұмабаев",
        "kk",
    ),
    OrgSpec(
        "КГУ «Областной центр психолого-педагогической коррекции»",
        "KZ-39",
        "0607",
        "г. Костанай, ул. Байтурсынова, 70",
        "Татьяна Руденко",
        "ru",
    ),
    OrgSpec(
        "«Ана мен бала» қоғамдық қоры",
        "KZ-47",
        "1106",
        "Ақтау қаласы, 14-шағын аудан, 32-үй, 5-кеңсе",
        "Гаухар Тілеуова",
        "kk",
    ),
    OrgSpec(
        "ОЮЛ «Ассоциация инклюзивного образования Казахстана»",
        "KZ-71",
        "1702",
        "г. Астана, ул. Достык, 5, офис 401",
        "Алия Кенжебаева",
        "ru",
    ),
    OrgSpec(
        "«Облыстық көпбейінді балалар ауруханасы» ШЖҚ МКК",
        "KZ-61",
        "1807",
        "Түркістан қаласы, Есім хан көшесі, 12",
        "Ермек Сыздықов",
        "kk",
    ),
    OrgSpec(
        "«Үміт» мүмкіндігі шектеулі балаларды қолдау қоғамдық бірлестігі",
        "KZ-31",
        "0411",
        "Тараз қаласы, Төле би көшесі, 62",
        "Ләззат Мұхамеджанова",
        "kk",
    ),
    OrgSpec(
        "ОФ «Шаг навстречу»",
        "KZ-63",
        "1201",
        "г. Усть-Каменогорск, ул. Казахстан, 94",
        "Ирина Шевченко",
        "ru",
    ),
    OrgSpec(
        "КГУ «Центр поддержки детей, оставшихся без попечения родителей»",
        "KZ-59",
        "0303",
        "г. Петропавловск, ул. Жамбыла, 208",
        "Светлана Морозова",
        "ru",
    ),
    OrgSpec(
        "«Ерекше бала» қоғамдық қоры",
        "KZ-23",
        "1604",
        "Атырау қаласы, Сәтбаев даңғылы, 15",
        "Айжан Досмағамбетова",
        "kk",
    ),
    OrgSpec(
        "ОФ «Білім әлемі»",
        "KZ-27",
        "0810",
        "г. Уральск, ул. Досмухамедова, 42",
        "Рустем Габдуллин",
        "ru",
    ),
    OrgSpec(
        "«Ерте көмек» орталығы ЖШС",
        "KZ-15",
        "1909",
        "Ақтөбе қаласы, Әбілқайыр хан даңғылы, 40",
        "Әсел Қайыржанова",
        "kk",
    ),
    OrgSpec(
        "ОО «Доступная среда»",
        "KZ-55",
        "0705",
        "г. Павлодар, ул. Торайгырова, 64",
        "Андрей Ким",
        "ru",
    ),
    OrgSpec(
        "«Жетісу жастары» қоғамдық қоры",
        "KZ-33",
        "1012",
        "Талдықорған қаласы, Қабанбай батыр көшесі, 26",
        "Дәурен Әлібеков",
        "kk",
    ),
    OrgSpec(
        "ТОО «Қадам-Протез»",
        "KZ-79",
        "1508",
        "г. Шымкент, пр. Республики, 21",
        "Марат Исмаилов",
        "ru",
    ),
    OrgSpec(
        "«Ұлытау өңірі» қайырымдылық қоры",
        "KZ-62",
        "2207",
        "Жезқазған қаласы, Алашахан даңғылы, 9",
        "Бауыржан Төлеуов",
        "kk",
    ),
    OrgSpec(
        "ОФ «Паллиативная помощь детям»",
        "KZ-75",
        "1610",
        "г. Алматы, мкр. Орбита-3, 42, офис 3",
        "Вера Богданова",
        "ru",
    ),
    OrgSpec(
        "КГП на ПХВ «Областной детский многопрофильный центр»",
        "KZ-10",
        "0506",
        "г. Семей, ул. Шакарима, 120",
        "Қуаныш Мұратов",
        "kk",
    ),
    OrgSpec(
        "«Ақ жүрек» қайырымдылық қоры",
        "KZ-19",
        "1302",
        "Қонаев қаласы, Абай көшесі, 11",
        "Жазира Серікбаева",
        "kk",
    ),
    OrgSpec(
        "Корпоративный фонд «Инклюзия и развитие»",
        "KZ-75",
        "2003",
        "г. Алматы, пр. Абая, 52в, офис 515",
        "Камила Юсупова",
        "en",
    ),
    OrgSpec(
        "«Отбасы» орталығы қоғамдық қоры",
        "KZ-35",
        "1111",
        "Қарағанды қаласы, Бұқар жырау даңғылы, 49",
        "Гүлжан Ахметжанова",
        "kk",
    ),
    OrgSpec(
        "«Дарын» облыстық мамандандырылған мектеп-интернаты КММ",
        "KZ-61",
        "0209",
        "Түркістан облысы, Кентау қаласы, Ахмет Ясауи көшесі, 3",
        "Нұржан Бейсенов",
        "kk",
    ),
    OrgSpec(
        "ОФ «Самал»",
        "KZ-47",
        "1404",
        "г. Актау, 7-й микрорайон, 18, офис 2",
        "Алтынай Жанұзақова",
        "kk",
    ),
    OrgSpec(
        "КГП на ПХВ «Областной перинатальный центр»",
        "KZ-59",
        "0112",
        "г. Петропавловск, ул. Пушкина, 71",
        "Людмила Фролова",
        "ru",
    ),
    OrgSpec(
        "«Кемел болашақ» білім беру қоры",
        "KZ-39",
        "1808",
        "Қостанай қаласы, Әл-Фараби даңғылы, 65",
        "Талғат Есімов",
        "kk",
    ),
)

_BIN_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def bin_check_digit(first11: str) -> int | None:
    """The check digit for 11 BIN digits, or None when no digit makes the number valid."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _BIN_WEIGHTS_2, strict=True)) % 11
    return None if check == 10 else check


def demo_bin(registered: str, number: int) -> str:
    """A valid BIN: registration year and month, '4' (legal entity), '0' (head office), a serial
    number and the check digit. Serials that admit no check digit are skipped."""
    serial = (number * 7919 + 10357) % 100000
    while True:
        first11 = f"{registered}40{serial:05d}"
        check = bin_check_digit(first11)
        if check is not None:
            return f"{first11}{check}"
        serial = (serial + 1) % 100000


# ---------------------------------------------------------------------------------------------
# Fund staff accounts (grantee accounts follow the organisations).


class UserSpec(NamedTuple):
    email: str
    name: str
    role: Role
    locale: str
    organisation: int | None = None  # 1-based index into ORGANISATIONS


STAFF: tuple[UserSpec, ...] = (
    UserSpec(f"admin@{DEMO_DOMAIN}", "Арман Жақсылықов", Role.ADMIN, "en"),
    UserSpec(f"officer@{DEMO_DOMAIN}", "Гульнара Ахметова", Role.OFFICER, "ru"),
    UserSpec(f"officer2@{DEMO_DOMAIN}", "Нұрлан Сәрсенбаев", Role.OFFICER, "kk"),
    UserSpec(f"officer3@{DEMO_DOMAIN}", "Елена Ковальчук", Role.OFFICER, "en"),
    UserSpec(f"reviewer@{DEMO_DOMAIN}", "Динара Омарова", Role.REVIEWER, "ru"),
    UserSpec(f"reviewer2@{DEMO_DOMAIN}", "Асхат Тұрсынов", Role.REVIEWER, "kk"),
    UserSpec(f"board@{DEMO_DOMAIN}", "Сәуле Есенова", Role.BOARD, "kk"),
    UserSpec(f"board2@{DEMO_DOMAIN}", "Айгерім Смағұлова", Role.BOARD, "en"),
)

SECOND_GRANTEE = UserSpec(f"grantee-b@{DEMO_DOMAIN}", "Ерболат Қасымов", Role.GRANTEE, "ru", 1)


def grantee_email(number: int) -> str:
    return f"grantee@{DEMO_DOMAIN}" if number == 1 else f"grantee{number}@{DEMO_DOMAIN}"


def _all_users() -> list[UserSpec]:
    grantees = [
        UserSpec(grantee_email(n), org.contact, Role.GRANTEE, org.locale, n)
        for n, org in enumerate(ORGANISATIONS, start=1)
    ]
    return [*STAFF, grantees[0], SECOND_GRANTEE, *grantees[1:]]


# ---------------------------------------------------------------------------------------------
# Projects: kinds of project (titles and summaries in three languages) and the 67 projects.


class Kind(NamedTuple):
    area: str
    title_kk: str
    title_ru: str
    title_en: str
    summary_kk: str
    summary_ru: str
    summary_en: str


# Title fields: {loc}, {attr}, {gen} (kk) / {loc}, {gen} (ru) / {loc} (en) name the project's one
# or two regions; {acad} is an academic year. Kinds without them are nationwide programmes.
KINDS: dict[str, Kind] = {
    # Healthcare
    "sma": Kind(
        "healthcare",
        "Жұлындық бұлшықет атрофиясы бар балаларды дәрі-дәрмекпен қамтамасыз ету",
        "Лекарственное обеспечение детей со спинальной мышечной атрофией",
        "Medicines for children with spinal muscular atrophy",
        "Жұлындық бұлшықет атрофиясы (ЖБА) диагнозы қойылған балаларды патогенетикалық "
        "терапиямен қамтамасыз ету. Дәрі-дәрмек орталықтандырылып сатып алынады, емнің барысын "
        "республикалық және өңірлік мамандар бақылайды.",
        "Обеспечение детей с диагнозом «спинальная мышечная атрофия» (СМА) патогенетической "
        "терапией. Препараты закупаются централизованно, за ходом лечения наблюдают "
        "республиканские и региональные специалисты.",
        "Provides disease-modifying therapy to children diagnosed with spinal muscular atrophy "
        "(SMA). The medicines are procured centrally, and national and regional specialists "
        "monitor the treatment.",
    ),
    "dmd": Kind(
        "healthcare",
        "Дюшенн бұлшықет дистрофиясы бар балаларды емдеу",
        "Лечение детей с мышечной дистрофией Дюшенна",
        "Treatment of children with Duchenne muscular dystrophy",
        "Дюшенн бұлшықет дистрофиясы бар балаларға генетикалық тексеру жүргізу, таргеттік "
        "терапия мен қолдаушы ем беру. Балалар невропатологтары мен оңалту мамандары "
        "отбасыларға кеңес береді.",
        "Генетическое подтверждение диагноза, таргетная терапия и поддерживающее лечение для "
        "детей с мышечной дистрофией Дюшенна. Детские неврологи и реабилитологи консультируют "
        "семьи.",
        "Genetic confirmation of the diagnosis, targeted therapy and supportive care for children "
        "with Duchenne muscular dystrophy. Paediatric neurologists and rehabilitation specialists "
        "advise the families.",
    ),
    "cf": Kind(
        "healthcare",
        "Муковисцидозы бар балаларды таргеттік терапиямен қамтамасыз ету",
        "Таргетная терапия для детей с муковисцидозом",
        "Targeted therapy for children with cystic fibrosis",
        "Муковисцидозы бар балаларға CFTR модуляторларын сатып алу және емнің нәтижесін "
        "бақылау. Жоба өкпе асқынуларын азайтуға және балалардың өмір сапасын жақсартуға "
        "бағытталған.",
        "Закупка модуляторов CFTR для детей с муковисцидозом и контроль результатов лечения. "
        "Проект направлен на снижение лёгочных осложнений и улучшение качества жизни детей.",
        "Purchase of CFTR modulators for children with cystic fibrosis and follow-up of the "
        "results. The project aims to reduce lung complications and improve the children's "
        "quality of life.",
    ),
    "mps": Kind(
        "healthcare",
        "Мукополисахаридозы бар балаларға ферменттік алмастыру терапиясы",
        "Ферментозаместительная терапия для детей с мукополисахаридозом",
        "Enzyme replacement therapy for children with mucopolysaccharidosis",
        "Мукополисахаридоздың I, II және VI типтері бар балаларды ферменттік алмастыру "
        "препараттарымен үздіксіз қамтамасыз ету. Инфузиялар өңірлік балалар ауруханаларында "
        "жүргізіледі.",
        "Непрерывное обеспечение детей с мукополисахаридозом I, II и VI типов "
        "ферментозаместительными препаратами. Инфузии проводятся в региональных детских "
        "больницах.",
        "Uninterrupted supply of enzyme replacement medicines for children with "
        "mucopolysaccharidosis types I, II and VI. The infusions are given in regional children's "
        "hospitals.",
    ),
    "eb": Kind(
        "healthcare",
        "Буллезді эпидермолизі бар балаларды арнайы таңғыш материалдармен қамтамасыз ету",
        "Обеспечение детей с буллёзным эпидермолизом специальными перевязочными материалами",
        "Special wound dressings for children with epidermolysis bullosa",
        "«Көбелек балаларға» — буллезді эпидермолизі бар балаларға жараны жарақаттамайтын таңғыш "
        "материалдар мен күтім құралдарын жеткізу. Ата-аналар мен патронаж мейірбикелері тері "
        "күтіміне оқытылады.",
        "Поставка атравматичных перевязочных материалов и средств ухода «детям-бабочкам» — "
        "детям с буллёзным эпидермолизом. Родители и патронажные медсёстры обучаются уходу за "
        "кожей.",
        "Supplies non-adherent dressings and care products to 'butterfly children' living with "
        "epidermolysis bullosa. Parents and community nurses are trained in skin care.",
    ),
    "pku": Kind(
        "healthcare",
        "Фенилкетонуриясы бар балаларды емдік тағаммен қамтамасыз ету",
        "Обеспечение детей с фенилкетонурией лечебным питанием",
        "Medical nutrition for children with phenylketonuria",
        "Фенилкетонуриясы бар балаларға фенилаланинсіз емдік қоспаларды жыл бойы жеткізу. "
        "Неонаталдық скрининг арқылы анықталған әрбір бала диетотерапияны уақтылы бастайды.",
        "Круглогодичная поставка безфенилаланиновых лечебных смесей детям с фенилкетонурией. "
        "Каждый ребёнок, выявленный при неонатальном скрининге, своевременно начинает "
        "диетотерапию.",
        "Year-round supply of phenylalanine-free medical formula to children with "
        "phenylketonuria, so that every child found by newborn screening starts diet therapy on "
        "time.",
    ),
    "genetics": Kind(
        "healthcare",
        "Сирек кездесетін аурулардың генетикалық диагностикасын дамыту",
        "Развитие генетической диагностики редких заболеваний",
        "Genetic diagnosis of rare diseases",
        "Медициналық-генетикалық зертхананы жаңғырту және экзомдық секвенирлеуді енгізу. Сирек "
        "ауруға күдік бар балалардың диагнозы бірнеше жылдың орнына бірнеше аптада нақтыланады.",
        "Модернизация медико-генетической лаборатории и внедрение экзомного секвенирования. "
        "Детям с подозрением на редкое заболевание диагноз подтверждается за несколько недель "
        "вместо нескольких лет.",
        "Upgrades a medical genetics laboratory and introduces exome sequencing, so that children "
        "suspected of having a rare disease are diagnosed within weeks rather than years.",
    ),
    "cochlear": Kind(
        "healthcare",
        "Есту қабілеті бұзылған балаларға кохлеарлық имплантация жасау",
        "Кохлеарная имплантация детям с нарушениями слуха",
        "Cochlear implants for children with hearing loss",
        "Екі жақты терең саңыраулығы бар балаларға кохлеарлық имплант орнату және отадан кейін "
        "сурдопедагогпен есту-сөйлеу оңалтуын өткізу.",
        "Установка кохлеарных имплантов детям с двусторонней глубокой тугоухостью и "
        "послеоперационная слухоречевая реабилитация с сурдопедагогом.",
        "Cochlear implant surgery for children with profound bilateral hearing loss, followed by "
        "auditory-verbal rehabilitation with a teacher of the deaf.",
    ),
    "rehab_centre": Kind(
        "healthcare",
        "{loc} балаларды оңалту орталығын ашу",
        "Открытие реабилитационного центра для детей {loc}",
        "Opening a children's rehabilitation centre {loc}",
        "1,5 жастан 18 жасқа дейінгі балаларға арналған оңалту орталығын жабдықтау және іске "
        "қосу. Орталықта кинезиотерапия, емдік дене шынықтыру, логопед пен психолог көмегі "
        "көрсетіледі; шалғай аудандардан келген балалар мен ата-аналарға тұратын орын беріледі.",
        "Оснащение и запуск реабилитационного центра для детей от 1,5 до 18 лет. В центре "
        "доступны кинезиотерапия, ЛФК, помощь логопеда и психолога; детям и родителям из "
        "отдалённых районов предоставляется проживание.",
        "Equips and opens a rehabilitation centre for children aged 1.5 to 18. It offers "
        "kinesiotherapy, therapeutic exercise, speech therapy and psychological support, with "
        "accommodation for children and parents from remote districts.",
    ),
    "nicu": Kind(
        "healthcare",
        "{loc} жаңа туған нәрестелерге арналған реанимация бөлімшесін жабдықтау",
        "Оснащение отделения реанимации новорождённых {loc}",
        "Equipping a neonatal intensive care unit {loc}",
        "Шала туған нәрестелерге арналған кювездер, өкпені жасанды желдету аппараттары мен "
        "мониторлар сатып алу. Жоба нәресте өлімін азайтуға және ауыр жағдайдағы нәрестелерді "
        "басқа қалаларға тасымалдау жағдайларын қысқартуға бағытталған.",
        "Закупка кювезов для недоношенных детей, аппаратов искусственной вентиляции лёгких и "
        "мониторов. Проект направлен на снижение младенческой смертности и сокращение перевозок "
        "тяжёлых новорождённых в другие города.",
        "Buys incubators for premature babies, ventilators and monitors, to reduce infant "
        "mortality and the number of critically ill newborns who have to be transferred to other "
        "cities.",
    ),
    "mri": Kind(
        "healthcare",
        "{attr} балалар ауруханасына МРТ аппаратын сатып алу",
        "Приобретение аппарата МРТ для детской больницы {loc}",
        "An MRI scanner for a children's hospital {loc}",
        "Балалар ауруханасына магниттік-резонанстық томограф сатып алу, орнату және "
        "қызметкерлерді оқыту. Балаларды анестезиямен тексеру мүмкіндігі пайда болып, кезек "
        "күту уақыты қысқарады.",
        "Приобретение и монтаж магнитно-резонансного томографа для детской больницы, обучение "
        "персонала. Появляется возможность обследовать детей под анестезией, сокращается время "
        "ожидания.",
        "Purchase and installation of an MRI scanner for a children's hospital, with staff "
        "training. Children can be scanned under anaesthesia and waiting times fall.",
    ),
    "mobile_clinic": Kind(
        "healthcare",
        "{gen} шалғай ауылдарындағы балаларға арналған жылжымалы медициналық кешен",
        "Передвижной медицинский комплекс для детей отдалённых сёл {gen}",
        "A mobile medical unit for children in remote villages {loc}",
        "Ультрадыбыстық аппаратпен, ЭКГ және зертханалық жабдықпен жарақталған жылжымалы кешен "
        "сатып алу. Педиатр, невропатолог және кардиолог бригадасы ауылдарды кесте бойынша "
        "аралап, балаларды тексереді.",
        "Приобретение передвижного комплекса с аппаратом УЗИ, ЭКГ и лабораторным оборудованием. "
        "Бригада педиатра, невролога и кардиолога по графику объезжает сёла и осматривает детей.",
        "Buys a mobile unit fitted with ultrasound, ECG and laboratory equipment. A paediatrician, "
        "a neurologist and a cardiologist visit villages on a schedule to examine children.",
    ),
    "palliative": Kind(
        "healthcare",
        "{loc} балаларға паллиативтік көмек көрсету",
        "Паллиативная помощь детям {loc}",
        "Palliative care for children {loc}",
        "Өмірін шектейтін аурулары бар балаларға үйде және стационарда паллиативтік көмек "
        "көрсететін көшпелі топ құру. Отбасылар психологиялық қолдау мен медициналық бұйымдар "
        "алады.",
        "Создание выездной службы паллиативной помощи детям с жизнеограничивающими "
        "заболеваниями на дому и в стационаре. Семьи получают психологическую поддержку и "
        "медицинские изделия.",
        "Sets up a mobile palliative care team for children with life-limiting conditions, at "
        "home and in hospital. Families receive psychological support and medical supplies.",
    ),
    "oncology": Kind(
        "healthcare",
        "{attr} балалар онкологиясы және гематологиясы бөлімшелерін жаңғырту",
        "Модернизация отделений детской онкологии и гематологии {loc}",
        "Upgrading paediatric oncology and haematology units {loc}",
        "Бөлімшелерге ламинарлық бокстар, инфузоматтар және препараттарды дайындауға арналған "
        "жабдық сатып алу. Балалар химиотерапияны үйіне жақын жерде, қауіпсіз жағдайда алады.",
        "Закупка ламинарных боксов, инфузоматов и оборудования для приготовления препаратов. "
        "Дети получают химиотерапию ближе к дому и в безопасных условиях.",
        "Buys laminar-flow cabinets, infusion pumps and drug-preparation equipment, so that "
        "children receive chemotherapy closer to home and in safe conditions.",
    ),
    "rehab_training": Kind(
        "healthcare",
        "Балаларды оңалту саласының мамандарын даярлау",
        "Подготовка специалистов по детской реабилитации",
        "Training specialists in paediatric rehabilitation",
        "Дәрігерлерге, кинезиотерапевтерге және эрготерапевтерге халықаралық сарапшылардың "
        "қатысуымен оқу курстарын өткізу. Оқудан өткен мамандар өз өңірлерінде әріптестерін "
        "оқытады.",
        "Учебные курсы для врачей, кинезиотерапевтов и эрготерапевтов с участием международных "
        "экспертов. Прошедшие обучение специалисты обучают коллег в своих регионах.",
        "Courses for doctors, kinesiotherapists and occupational therapists run with "
        "international experts. Those trained then teach colleagues in their own regions.",
    ),
    # Education
    "hub_school": Kind(
        "education",
        "{gen} тірек мектептерін (ресурстық орталықтарын) жаңғырту",
        "Модернизация опорных школ (ресурсных центров) {gen}",
        "Upgrading rural hub schools {loc}",
        "Ауылдық тірек мектептерді пән кабинеттерімен, робототехника жинақтарымен және цифрлық "
        "зертханалармен жабдықтау. Маңайдағы шағын жинақты мектептердің оқушылары тірек "
        "мектепте сессиялық сабақтарға қатысады.",
        "Оснащение сельских опорных школ предметными кабинетами, наборами по робототехнике и "
        "цифровыми лабораториями. Ученики соседних малокомплектных школ посещают в опорной школе "
        "сессионные занятия.",
        "Equips rural hub schools with subject classrooms, robotics kits and digital "
        "laboratories. Pupils from nearby small schools attend block sessions at the hub school.",
    ),
    "inclusive": Kind(
        "education",
        "{gen} мектептерінде инклюзивті білім беруді қолдау кабинеттерін ашу",
        "Открытие кабинетов поддержки инклюзии в школах {gen}",
        "Opening inclusive education support rooms in schools {loc}",
        "Жалпы білім беретін мектептерде ерекше білім беру қажеттіліктері бар балаларға "
        "арналған кабинеттерді жабдықтау. Арнайы педагогтар мен тьюторлар оқытылып, мұғалімдер "
        "әдістемелік қолдау алады.",
        "Оснащение в общеобразовательных школах кабинетов для детей с особыми образовательными "
        "потребностями. Обучаются специальные педагоги и тьюторы, учителя получают методическую "
        "поддержку.",
        "Equips rooms in mainstream schools for children with special educational needs. Special "
        "educators and teaching assistants are trained, and teachers receive methodological "
        "support.",
    ),
    "student_grants": Kind(
        "education",
        "Әлеуметтік осал отбасылардан шыққан студенттерге білім беру гранттары ({acad} оқу жылы)",
        "Образовательные гранты для студентов из социально уязвимых семей ({acad} учебный год)",
        "Grants for students from socially vulnerable families ({acad} academic year)",
        "Көпбалалы және толық емес отбасылардан шыққан студенттердің, жетім балалар мен "
        "мүгедектігі бар жастардың оқу ақысын толық төлеу. Грант иегерлері жатақханамен және "
        "тәлімгерлік қолдаумен де қамтамасыз етіледі.",
        "Полная оплата обучения студентов из многодетных и неполных семей, сирот и молодых людей "
        "с инвалидностью. Обладатели грантов также обеспечиваются местом в общежитии и "
        "поддержкой наставников.",
        "Pays full tuition for students from large and single-parent families, orphans and young "
        "people with disabilities. Grant holders also receive a place in a hall of residence and "
        "mentoring.",
    ),
    "stem_labs": Kind(
        "education",
        "{gen} ауыл мектептерінде STEM-зертханалар құру",
        "Создание STEM-лабораторий в сельских школах {gen}",
        "STEM laboratories for rural schools {loc}",
        "Ауыл мектептеріне физика, химия және биология бойынша цифрлық зертханалар, "
        "3D-принтерлер мен робототехника жинақтарын жеткізу. Мұғалімдер жаңа жабдықпен жұмыс "
        "істеуге оқытылады.",
        "Поставка в сельские школы цифровых лабораторий по физике, химии и биологии, "
        "3D-принтеров и наборов по робототехнике. Учителя проходят обучение работе с новым "
        "оборудованием.",
        "Supplies rural schools with digital physics, chemistry and biology labs, 3D printers and "
        "robotics kits, and trains teachers to use them.",
    ),
    "teacher_training": Kind(
        "education",
        "Инклюзивті білім беру бойынша педагогтардың біліктілігін арттыру",
        "Повышение квалификации педагогов в области инклюзивного образования",
        "Professional development for teachers in inclusive education",
        "Мектеп мұғалімдері, психологтар мен логопедтер үшін аралас форматтағы оқу бағдарламасы. "
        "Әр өңірде тәжірибе алмасуға арналған әдістемелік орталық жұмыс істейді.",
        "Программа обучения в смешанном формате для учителей, школьных психологов и логопедов. "
        "В каждом регионе работает методический центр для обмена опытом.",
        "A blended learning programme for teachers, school psychologists and speech therapists, "
        "with a methodological centre in each region for sharing experience.",
    ),
    "boarding_school": Kind(
        "education",
        "{attr} мектеп-интернат жатақханасын жөндеу және жабдықтау",
        "Ремонт и оснащение общежития школы-интерната {loc}",
        "Renovating and furnishing a boarding school dormitory {loc}",
        "Шалғай ауылдардан келіп оқитын балаларға арналған жатақхананы күрделі жөндеу, жиһаз бен "
        "тұрмыстық техника сатып алу. Жатақханада тәрбиешілер мен психолог жұмыс істейді.",
        "Капитальный ремонт общежития для детей из отдалённых сёл, закупка мебели и бытовой "
        "техники. В общежитии работают воспитатели и психолог.",
        "Major renovation of the dormitory for children from remote villages, with new furniture "
        "and appliances. House parents and a psychologist work with the children.",
    ),
    "special_school": Kind(
        "education",
        "{attr} көру қабілеті бұзылған балаларға арналған арнайы мектепті жабдықтау",
        "Оснащение специальной школы для детей с нарушениями зрения {loc}",
        "Equipping a special school for visually impaired children {loc}",
        "Брайль принтерлерін, тифлотехникалық құралдар мен аудиооқулықтар сатып алу. Мұғалімдер "
        "тифлопедагогика бойынша біліктілігін арттырады.",
        "Закупка принтеров Брайля, тифлотехнических средств и аудиоучебников. Учителя проходят "
        "повышение квалификации по тифлопедагогике.",
        "Buys Braille printers, assistive devices and audio textbooks; teachers take refresher "
        "courses in teaching visually impaired children.",
    ),
    # Social protection
    "autism_centre": Kind(
        "social_protection",
        "{loc} аутистік спектр бұзылысы бар балаларға арналған орталық ашу",
        "Открытие центра для детей с расстройствами аутистического спектра {loc}",
        "Opening a centre for children with autism spectrum disorder {loc}",
        "Аутистік спектр бұзылысы (АСБ) бар балаларға ерте диагностика, қолданбалы мінез-құлық "
        "талдауы (ABA) және сенсорлық интеграция сабақтарын ұсынатын орталық. Ата-аналар үйде "
        "сабақ жүргізуге үйретіледі.",
        "Центр ранней диагностики, занятий по прикладному анализу поведения (ABA) и сенсорной "
        "интеграции для детей с расстройствами аутистического спектра (РАС). Родителей обучают "
        "заниматься с ребёнком дома.",
        "A centre offering early diagnosis, applied behaviour analysis (ABA) and sensory "
        "integration sessions for children with autism spectrum disorder (ASD). Parents learn how "
        "to continue the work at home.",
    ),
    "early_intervention": Kind(
        "social_protection",
        "{loc} ерте араласу орталығын ашу",
        "Открытие центра раннего вмешательства {loc}",
        "Opening an early intervention centre {loc}",
        "Дамуында ерекшеліктері бар немесе даму кідірісі қаупі бар 0–3 жастағы балалар мен "
        "олардың отбасыларына арналған орталық. Мамандар тобы үйге барып, отбасымен бірге жеке "
        "қолдау бағдарламасын құрады.",
        "Центр для детей от 0 до 3 лет с особенностями развития или риском задержки развития и "
        "их семей. Междисциплинарная команда выезжает на дом и вместе с семьёй составляет "
        "индивидуальную программу поддержки.",
        "A centre for children aged 0 to 3 with developmental difficulties or at risk of delay, "
        "and their families. A multidisciplinary team makes home visits and draws up an "
        "individual support plan with each family.",
    ),
    "prostheses": Kind(
        "social_protection",
        "Мүгедектігі бар адамдарды заманауи протездермен қамтамасыз ету",
        "Обеспечение людей с инвалидностью современными протезами",
        "Modern prostheses for people with disabilities",
        "Аяқ-қол ампутациясынан кейін мүгедектігі бар балалар мен ересектерге бионикалық және "
        "модульдік протездер жасау. Протездеуден кейін оңалту курсы мен протезді пайдалануға "
        "үйрету қарастырылған.",
        "Изготовление бионических и модульных протезов для детей и взрослых с инвалидностью "
        "после ампутации конечностей. Предусмотрены курс реабилитации и обучение пользованию "
        "протезом.",
        "Makes bionic and modular prostheses for children and adults who have lost a limb, "
        "followed by a rehabilitation course and training in using the prosthesis.",
    ),
    "orphan_graduates": Kind(
        "social_protection",
        "{gen} балалар үйлерінің түлектерін дербес өмірге бейімдеу",
        "Подготовка выпускников детских домов {gen} к самостоятельной жизни",
        "Preparing care leavers for independent life {loc}",
        "Балалар үйлерінің түлектеріне арналған әлеуметтік жатақхана және тәлімгерлік "
        "бағдарлама. Жастар кәсіп алады, жұмысқа орналасуға көмек алып, қаржылық сауаттылыққа "
        "үйренеді.",
        "Социальное общежитие и программа наставничества для выпускников детских домов. "
        "Молодые люди получают профессию, помощь в трудоустройстве и обучаются финансовой "
        "грамотности.",
        "A supported hostel and mentoring programme for young people leaving children's homes, "
        "who gain a trade, help in finding work and financial literacy training.",
    ),
    "family_support": Kind(
        "social_protection",
        "Жетім балаларды тәрбиелеп отырған отбасыларды қолдау",
        "Поддержка семей, воспитывающих детей-сирот",
        "Support for families raising orphaned children",
        "Қамқоршы және патронаттық отбасыларға психологиялық, заңгерлік және материалдық көмек. "
        "Әлеуметтік қызметкерлер отбасыларды сүйемелдеп, балалардың балалар үйіне қайтарылуының "
        "алдын алады.",
        "Психологическая, юридическая и материальная помощь опекунским и патронатным семьям. "
        "Социальные работники сопровождают семьи и предотвращают возврат детей в детские дома.",
        "Psychological, legal and material help for guardian and foster families. Social workers "
        "support the families and help prevent children being returned to children's homes.",
    ),
    "respite": Kind(
        "social_protection",
        "{loc} мүгедектігі бар балаларға арналған күндізгі болу орталығын ашу",
        "Открытие центра дневного пребывания для детей с инвалидностью {loc}",
        "Opening a day-care centre for children with disabilities {loc}",
        "Ауыр мүгедектігі бар балаларға күндізгі күтім және дамыту сабақтары. Ата-аналар, "
        "әсіресе аналар, жұмыс істеуге және демалуға мүмкіндік алады.",
        "Дневной уход и развивающие занятия для детей с тяжёлой инвалидностью. Родители, прежде "
        "всего матери, получают возможность работать и отдыхать.",
        "Day care and developmental activities for children with severe disabilities, giving "
        "parents, mostly mothers, the chance to work and to rest.",
    ),
    "employment": Kind(
        "social_protection",
        "{loc} мүгедектігі бар жастарды сүйемелдеп жұмысқа орналастыру",
        "Сопровождаемое трудоустройство молодёжи с инвалидностью {loc}",
        "Supported employment for young people with disabilities {loc}",
        "Мүгедектігі бар жастарды кәсіптік оқыту, жұмыс берушілермен жұмыс және жұмыс орнында "
        "тәлімгердің сүйемелдеуі. Жұмыс орындарын бейімдеуге шағын гранттар беріледі.",
        "Профессиональное обучение молодых людей с инвалидностью, работа с работодателями и "
        "сопровождение наставником на рабочем месте. Предусмотрены малые гранты на адаптацию "
        "рабочих мест.",
        "Vocational training for young people with disabilities, work with employers and "
        "on-the-job support from a job coach, with small grants to adapt workplaces.",
    ),
    "wheelchairs": Kind(
        "social_protection",
        "Мүгедектігі бар балаларды белсенді арбалармен және оңалту құралдарымен қамтамасыз ету",
        "Обеспечение детей с инвалидностью активными колясками и средствами реабилитации",
        "Active wheelchairs and mobility aids for children with disabilities",
        "Баланың бойы мен диагнозына қарай жеке таңдалған арбалар, вертикализаторлар мен "
        "жүруге арналған құралдар сатып алу. Отбасыларға құралдарды пайдалану бойынша кеңес "
        "беріледі.",
        "Закупка индивидуально подобранных колясок, вертикализаторов и ходунков с учётом роста "
        "и диагноза ребёнка. Семьи получают консультации по использованию средств реабилитации.",
        "Buys wheelchairs, standing frames and walkers individually fitted to each child's size "
        "and condition, and advises families on their use.",
    ),
}


class ProjectSpec(NamedTuple):
    kind: str
    organisation: int  # 1-based index into ORGANISATIONS
    regions: tuple[str, ...]
    start: str  # ISO date
    months: int
    amount_tenge: int
    status: ProjectStatus


_A = ProjectStatus.ACTIVE
_R = ProjectStatus.AT_RISK
_S = ProjectStatus.SUSPENDED
_D = ProjectStatus.COMPLETED
_C = ProjectStatus.CLOSED

# In order of start date; codes are numbered per year in this order. Abai, Jetisu and Ulytau
# regions appear only in projects that start after 8 June 2022.
PROJECTS: tuple[ProjectSpec, ...] = (
    # 2021
    ProjectSpec(
        "sma",
        5,
        ("KZ-71", "KZ-75", "KZ-79", "KZ-35", "KZ-61", "KZ-63"),
        "2021-02-01",
        24,
        3_215_000_000,
        _C,
    ),
    ProjectSpec("mps", 5, ("KZ-71", "KZ-15", "KZ-23", "KZ-55"), "2021-04-01", 24, 982_600_000, _C),
    ProjectSpec("nicu", 3, ("KZ-35",), "2021-05-01", 12, 412_380_000, _C),
    ProjectSpec("autism_centre", 2, ("KZ-75",), "2021-06-01", 24, 214_750_000, _C),
    ProjectSpec(
        "student_grants",
        19,
        ("KZ-75", "KZ-19", "KZ-31", "KZ-61", "KZ-43", "KZ-79"),
        "2021-08-01",
        12,
        796_000_000,
        _C,
    ),
    ProjectSpec("hub_school", 7, ("KZ-11",), "2021-09-01", 15, 296_500_000, _C),
    ProjectSpec("cochlear", 11, ("KZ-61", "KZ-79", "KZ-31"), "2021-10-01", 12, 870_400_000, _C),
    ProjectSpec(
        "family_support", 1, ("KZ-71", "KZ-11", "KZ-35"), "2021-11-01", 24, 210_000_000, _C
    ),
    # 2022
    ProjectSpec(
        "cf", 5, ("KZ-71", "KZ-75", "KZ-35", "KZ-63", "KZ-27"), "2022-01-15", 24, 1_254_000_000, _C
    ),
    ProjectSpec("early_intervention", 17, ("KZ-15",), "2022-02-01", 18, 118_200_000, _C),
    ProjectSpec("early_intervention", 8, ("KZ-39",), "2022-02-15", 18, 96_450_000, _C),
    ProjectSpec("early_intervention", 9, ("KZ-47",), "2022-03-01", 18, 102_300_000, _C),
    ProjectSpec("autism_centre", 12, ("KZ-31",), "2022-03-15", 24, 188_650_000, _C),
    ProjectSpec("autism_centre", 15, ("KZ-23",), "2022-04-01", 24, 176_200_000, _C),
    ProjectSpec(
        "prostheses",
        20,
        ("KZ-79", "KZ-61", "KZ-75", "KZ-71", "KZ-19"),
        "2022-04-15",
        12,
        384_000_000,
        _C,
    ),
    ProjectSpec("hub_school", 16, ("KZ-27",), "2022-05-01", 18, 342_800_000, _C),
    ProjectSpec("hub_school", 21, ("KZ-62", "KZ-35"), "2022-07-01", 18, 318_900_000, _D),
    ProjectSpec("early_intervention", 13, ("KZ-63",), "2022-07-15", 24, 154_900_000, _D),
    ProjectSpec("autism_centre", 2, ("KZ-71",), "2022-08-01", 24, 221_300_000, _D),
    ProjectSpec(
        "student_grants",
        19,
        ("KZ-33", "KZ-19", "KZ-31", "KZ-61", "KZ-43", "KZ-10", "KZ-62"),
        "2022-08-15",
        12,
        850_000_000,
        _C,
    ),
    ProjectSpec("autism_centre", 4, ("KZ-79",), "2022-09-01", 24, 197_500_000, _C),
    ProjectSpec("eb", 22, ("KZ-75", "KZ-19", "KZ-33"), "2022-10-01", 24, 185_300_000, _D),
    # 2023
    ProjectSpec("inclusive", 25, ("KZ-75",), "2023-01-10", 12, 84_600_000, _C),
    ProjectSpec("rehab_centre", 23, ("KZ-10",), "2023-01-15", 24, 248_700_000, _D),
    ProjectSpec("rehab_centre", 6, ("KZ-43",), "2023-02-01", 24, 236_400_000, _D),
    ProjectSpec("rehab_centre", 28, ("KZ-47",), "2023-02-15", 24, 251_900_000, _D),
    ProjectSpec(
        "sma",
        5,
        ("KZ-71", "KZ-75", "KZ-79", "KZ-35", "KZ-61", "KZ-15", "KZ-55", "KZ-39"),
        "2023-03-01",
        24,
        4_850_000_000,
        _D,
    ),
    ProjectSpec("rehab_centre", 24, ("KZ-19",), "2023-03-01", 24, 244_150_000, _D),
    ProjectSpec("rehab_centre", 4, ("KZ-79",), "2023-03-15", 24, 262_800_000, _D),
    ProjectSpec("inclusive", 8, ("KZ-39", "KZ-59"), "2023-04-01", 24, 132_400_000, _D),
    ProjectSpec("rehab_centre", 21, ("KZ-62",), "2023-04-01", 30, 259_600_000, _D),
    ProjectSpec("orphan_graduates", 14, ("KZ-59",), "2023-05-15", 24, 74_800_000, _D),
    ProjectSpec("genetics", 3, ("KZ-35", "KZ-71", "KZ-75"), "2023-06-01", 18, 618_000_000, _C),
    ProjectSpec("mobile_clinic", 15, ("KZ-23",), "2023-07-01", 24, 145_600_000, _D),
    ProjectSpec(
        "student_grants",
        19,
        ("KZ-33", "KZ-71", "KZ-75", "KZ-79", "KZ-61", "KZ-31", "KZ-47"),
        "2023-08-15",
        12,
        912_000_000,
        _C,
    ),
    ProjectSpec("stem_labs", 30, ("KZ-39",), "2023-09-01", 12, 124_700_000, _C),
    ProjectSpec(
        "dmd", 5, ("KZ-71", "KZ-75", "KZ-63", "KZ-59"), "2023-12-01", 36, 1_920_000_000, _A
    ),
    # 2024
    ProjectSpec(
        "cf",
        5,
        ("KZ-71", "KZ-75", "KZ-79", "KZ-35", "KZ-55", "KZ-10"),
        "2024-01-15",
        36,
        1_598_000_000,
        _R,
    ),
    ProjectSpec("nicu", 11, ("KZ-61",), "2024-02-01", 30, 486_900_000, _A),
    ProjectSpec("hub_school", 19, ("KZ-33",), "2024-02-15", 30, 384_200_000, _A),
    ProjectSpec(
        "mps", 5, ("KZ-71", "KZ-61", "KZ-31", "KZ-43", "KZ-27"), "2024-03-01", 36, 1_146_500_000, _A
    ),
    ProjectSpec("hub_school", 16, ("KZ-27", "KZ-23"), "2024-03-01", 36, 448_700_000, _A),
    ProjectSpec("mri", 3, ("KZ-35",), "2024-04-01", 12, 642_000_000, _C),
    ProjectSpec(
        "prostheses",
        20,
        ("KZ-79", "KZ-61", "KZ-31", "KZ-75", "KZ-71", "KZ-35"),
        "2024-04-15",
        30,
        452_600_000,
        _A,
    ),
    ProjectSpec("palliative", 22, ("KZ-75", "KZ-19"), "2024-05-01", 36, 96_300_000, _A),
    ProjectSpec("respite", 12, ("KZ-31",), "2024-05-15", 36, 58_400_000, _A),
    ProjectSpec(
        "cochlear",
        11,
        ("KZ-61", "KZ-79", "KZ-31", "KZ-43", "KZ-47"),
        "2024-06-01",
        30,
        1_048_000_000,
        _A,
    ),
    ProjectSpec(
        "student_grants",
        30,
        ("KZ-39", "KZ-11", "KZ-59", "KZ-55", "KZ-15", "KZ-71"),
        "2024-08-15",
        12,
        1_185_000_000,
        _D,
    ),
    ProjectSpec(
        "teacher_training",
        10,
        ("KZ-71", "KZ-11", "KZ-35", "KZ-62", "KZ-10"),
        "2024-09-01",
        27,
        48_350_000,
        _A,
    ),
    ProjectSpec(
        "wheelchairs", 18, ("KZ-55", "KZ-59", "KZ-39", "KZ-11"), "2024-10-01", 24, 263_750_000, _A
    ),
    # 2025
    ProjectSpec(
        "sma",
        5,
        ("KZ-71", "KZ-75", "KZ-79", "KZ-35", "KZ-61", "KZ-63", "KZ-27"),
        "2025-01-15",
        24,
        4_120_000_000,
        _A,
    ),
    ProjectSpec("inclusive", 10, ("KZ-71",), "2025-01-20", 24, 96_800_000, _R),
    ProjectSpec("nicu", 29, ("KZ-59",), "2025-02-01", 18, 521_700_000, _R),
    ProjectSpec("pku", 5, ("KZ-71", "KZ-75", "KZ-79"), "2025-03-01", 24, 238_500_000, _A),
    ProjectSpec("employment", 18, ("KZ-55",), "2025-03-15", 24, 36_200_000, _S),
    ProjectSpec("oncology", 23, ("KZ-10", "KZ-63"), "2025-04-01", 24, 451_200_000, _A),
    ProjectSpec("mri", 11, ("KZ-61",), "2025-05-01", 18, 708_400_000, _A),
    ProjectSpec("mobile_clinic", 21, ("KZ-62",), "2025-06-01", 24, 167_900_000, _A),
    ProjectSpec("boarding_school", 27, ("KZ-61",), "2025-06-15", 18, 236_300_000, _A),
    ProjectSpec("stem_labs", 16, ("KZ-27",), "2025-09-01", 12, 186_450_000, _A),
    ProjectSpec(
        "rehab_training", 6, ("KZ-43", "KZ-71", "KZ-61", "KZ-47"), "2025-09-01", 24, 73_900_000, _A
    ),
    # 2026
    ProjectSpec("hub_school", 19, ("KZ-33", "KZ-31"), "2026-01-15", 24, 412_000_000, _A),
    # Run by organisation #1, so that grantee@ has a running project (the browser journey's).
    ProjectSpec("palliative", 1, ("KZ-71",), "2026-02-01", 24, 119_600_000, _A),
    ProjectSpec("inclusive", 25, ("KZ-75", "KZ-19"), "2026-02-15", 24, 138_900_000, _A),
    ProjectSpec("orphan_graduates", 26, ("KZ-35", "KZ-62"), "2026-03-01", 24, 109_800_000, _A),
    ProjectSpec("special_school", 24, ("KZ-19",), "2026-04-01", 12, 88_300_000, _A),
    ProjectSpec("stem_labs", 30, ("KZ-11", "KZ-59"), "2026-05-01", 18, 204_600_000, _A),
)


class ProjectText(NamedTuple):
    code: str
    title_kk: str
    title_ru: str
    title_en: str
    summary_kk: str
    summary_ru: str
    summary_en: str
    start: date
    end: date


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return day.replace(year=day.year + month_index // 12, month=month_index % 12 + 1)


def _dates(spec: ProjectSpec) -> tuple[date, date]:
    start = date.fromisoformat(spec.start)
    return start, _add_months(start, spec.months) - timedelta(days=1)


def _title(kind: Kind, lang: str, spec: ProjectSpec, start: date) -> str:
    template = getattr(kind, f"title_{lang}")
    fields: dict[str, str] = {"acad": f"{start.year}–{start.year + 1}"}
    if "{" in template.replace("{acad}", ""):
        if len(spec.regions) > 2:
            raise ValueError(f"a {spec.kind} project names one or two regions")
        fields |= _place_words(spec.regions)[lang]
    return template.format(**fields)


def _years_suffix(lang: str, start: date, end: date) -> str:
    if start.year == end.year:
        return {"kk": f" ({start.year} ж.)", "ru": f" ({start.year} г.)"}.get(
            lang, f" ({start.year})"
        )
    years = f"{start.year}–{end.year}"
    return {"kk": f" ({years} жж.)", "ru": f" ({years} гг.)"}.get(lang, f" ({years})")


def project_texts() -> list[ProjectText]:
    """Codes, titles, summaries and dates of the demo projects. Titles that would repeat (the
    same nationwide programme in several years) get the project's years appended."""
    per_year: Counter[int] = Counter()
    drafts: list[tuple[ProjectSpec, str, date, date, dict[str, str]]] = []
    for spec in PROJECTS:
        start, end = _dates(spec)
        per_year[start.year] += 1
        code = f"QH-{start.year}-{per_year[start.year]:03d}"
        kind = KINDS[spec.kind]
        titles = {lang: _title(kind, lang, spec, start) for lang in LANGUAGES}
        drafts.append((spec, code, start, end, titles))
    repeated = Counter(titles["ru"] for *_, titles in drafts)
    texts = []
    for spec, code, start, end, titles in drafts:
        if repeated[titles["ru"]] > 1:
            titles = {lang: t + _years_suffix(lang, start, end) for lang, t in titles.items()}
        kind = KINDS[spec.kind]
        texts.append(
            ProjectText(
                code,
                titles["kk"],
                titles["ru"],
                titles["en"],
                kind.summary_kk,
                kind.summary_ru,
                kind.summary_en,
                start,
                end,
            )
        )
    return texts


# ---------------------------------------------------------------------------------------------
# Delivery: how each kind of project is budgeted and planned, in Kazakh and Russian (grantees
# write in either).


class Stage(NamedTuple):
    """A step of a plan: (title, description, deliverables) in Kazakh and in Russian. `{s}` stands
    for the supplies of a medicines programme, in the genitive."""

    kk: tuple[str, str, str]
    ru: tuple[str, str, str]


class LineSpec(NamedTuple):
    category: BudgetCategory
    weight: int  # share of the budget in percent, before a little jitter
    kk: str
    ru: str


class Profile(NamedTuple):
    """How a type of project is planned and budgeted. Plans of three or four milestones leave out
    the second stage (three-stage plans the fourth as well); the kind's main budget line comes
    first, with `main_weight`. `advance` is the percentage of the award paid when the project
    starts (medicines are paid for before delivery); the rest follows accepted milestones."""

    stages: tuple[Stage, Stage, Stage, Stage, Stage]
    main_weight: int
    lines: tuple[LineSpec, ...]
    advance: int = 0


class KindDelivery(NamedTuple):
    profile: str
    main: tuple[BudgetCategory, str, str]  # the main budget line: category, kk, ru
    reach: tuple[int, int]  # people reached in a reporting period
    supplies: tuple[str, str] = ("", "")  # `{s}`: kk and ru genitive
    lines: tuple[LineSpec, ...] = ()  # all budget lines, instead of the profile's


STAGES_BY_COUNT = {3: (0, 2, 4), 4: (0, 2, 3, 4), 5: (0, 1, 2, 3, 4)}

_B = BudgetCategory
_FINAL_REPORT = (
    "Қорытынды мазмұнды және қаржылық есеп.",
    "Итоговый содержательный и финансовый отчёт.",
)


def _admin(weight: int) -> LineSpec:
    return LineSpec(_B.ADMINISTRATION, weight, "Әкімшілік шығыстар", "Административные расходы")


PROFILES: dict[str, Profile] = {
    "medicines": Profile(
        (
            Stage(
                (
                    "{s} бірінші партиясын сатып алу және жеткізу",
                    "Сатып алу рәсімдерін өткізу, {s} бірінші партиясын қабылдау және өңірлерге "
                    "тарату.",
                    "Жеткізу шарты, жүкқұжаттар және өңірлермен қабылдау-тапсыру актілері.",
                ),
                (
                    "Закуп и поставка первой партии {s}",
                    "Проведение закупочных процедур, приёмка первой партии {s} и распределение по "
                    "регионам.",
                    "Договор поставки, накладные и акты приёма-передачи с регионами.",
                ),
            ),
            Stage(
                (
                    "Балаларды бағдарламаға енгізу және емді бастау",
                    "Өңірлік мамандар балалардың тізімін растайды, ем кестесі бекітіліп, алғашқы "
                    "курстар басталады.",
                    "Пациенттердің иесіздендірілген тізілімі және ем кестесі.",
                ),
                (
                    "Включение детей в программу и начало терапии",
                    "Региональные специалисты подтверждают списки детей, утверждается график "
                    "лечения, начинаются первые курсы.",
                    "Обезличенный регистр пациентов и график лечения.",
                ),
            ),
            Stage(
                (
                    "{s} екінші партиясын жеткізу",
                    "Нақты тұтынуға сәйкес {s} екінші партиясын жеткізу, емді үзіліссіз "
                    "жалғастыру.",
                    "Жүкқұжаттар, қойма есебі және өңірлердегі қалдықтар туралы анықтама.",
                ),
                (
                    "Поставка второй партии {s}",
                    "Поставка второй партии {s} по фактическому потреблению, лечение "
                    "продолжается без перерывов.",
                    "Накладные, складской учёт и справка об остатках в регионах.",
                ),
            ),
            Stage(
                (
                    "Ем нәтижелерін аралық бағалау",
                    "Мамандар балалардың жағдайын стандартты шкалалар бойынша бағалап, қажет болса "
                    "ем жоспарын түзетеді.",
                    "Аралық бағалау есебі және мамандар консилиумының хаттамасы.",
                ),
                (
                    "Промежуточная оценка результатов лечения",
                    "Специалисты оценивают состояние детей по стандартным шкалам и при "
                    "необходимости корректируют план лечения.",
                    "Отчёт о промежуточной оценке и протокол консилиума специалистов.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп және емнің тиімділігін бағалау",
                    "Бағдарламаның қорытындысы: қамтылған балалар саны, ем нәтижелері және "
                    "қаражаттың жұмсалуы.",
                    _FINAL_REPORT[0],
                ),
                (
                    "Итоговый отчёт и оценка эффективности терапии",
                    "Подведение итогов программы: охват детей, результаты лечения и "
                    "расходование средств.",
                    _FINAL_REPORT[1],
                ),
            ),
        ),
        86,
        (
            LineSpec(
                _B.SERVICES, 5, "Сақтау және өңірлерге жеткізу", "Хранение и доставка в регионы"
            ),
            LineSpec(
                _B.PERSONNEL,
                5,
                "Бағдарлама үйлестірушісі және емді бақылайтын мамандар",
                "Координатор программы и специалисты, наблюдающие лечение",
            ),
            LineSpec(
                _B.TRAINING,
                2,
                "Ата-аналар мен патронаж мейірбикелерін оқыту",
                "Обучение родителей и патронажных медсестёр",
            ),
            _admin(2),
        ),
        advance=20,
    ),
    "equipment": Profile(
        (
            Stage(
                (
                    "Жабдықты сатып алу рәсімдерін өткізу",
                    "Техникалық ерекшелікті бекіту, баға ұсыныстарын жинау және жеткізушімен "
                    "шарт жасасу.",
                    "Техникалық ерекшелік, сатып алу хаттамасы және жеткізу шарты.",
                ),
                (
                    "Проведение закупки оборудования",
                    "Утверждение технической спецификации, сбор ценовых предложений и заключение "
                    "договора с поставщиком.",
                    "Техническая спецификация, протокол закупки и договор поставки.",
                ),
            ),
            Stage(
                (
                    "Үй-жайды дайындау",
                    "Жабдық орнатылатын үй-жайды жөндеу, электр желісі мен желдетуді талаптарға "
                    "сәйкестендіру.",
                    "Орындалған жұмыстар актісі және фотоесеп.",
                ),
                (
                    "Подготовка помещений",
                    "Ремонт помещений под монтаж оборудования, приведение электросетей и "
                    "вентиляции в соответствие требованиям.",
                    "Акт выполненных работ и фотоотчёт.",
                ),
            ),
            Stage(
                (
                    "Жабдықты жеткізу, орнату және пайдалануға беру",
                    "Жеткізуші жабдықты әкеліп орнатады, сынақтан өткізеді және пайдалануға "
                    "береді.",
                    "Жүкқұжаттар, монтаждау және пайдалануға беру актілері.",
                ),
                (
                    "Поставка, монтаж и ввод оборудования в эксплуатацию",
                    "Поставщик доставляет и монтирует оборудование, проводит испытания и вводит "
                    "его в эксплуатацию.",
                    "Накладные, акты монтажа и ввода в эксплуатацию.",
                ),
            ),
            Stage(
                (
                    "Медициналық персоналды оқыту",
                    "Дәрігерлер мен мейірбикелер жаңа жабдықпен жұмыс істеуге өндірушінің "
                    "бағдарламасы бойынша оқытылады.",
                    "Оқыту бағдарламасы, қатысушылар тізімі және сертификаттар.",
                ),
                (
                    "Обучение медицинского персонала",
                    "Врачи и медсёстры проходят обучение работе с новым оборудованием по "
                    "программе производителя.",
                    "Программа обучения, списки участников и сертификаты.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп: жабдықты пайдалану нәтижелері",
                    "Жаңа жабдықпен тексерілген және емделген балалар саны, кезек күту уақытының "
                    "өзгерісі туралы қорытынды.",
                    "Қорытынды мазмұнды және қаржылық есеп, пайдалану статистикасы.",
                ),
                (
                    "Итоговый отчёт: результаты работы на новом оборудовании",
                    "Итоги: сколько детей обследовано и пролечено на новом оборудовании, как "
                    "изменилось время ожидания.",
                    "Итоговый содержательный и финансовый отчёт, статистика использования.",
                ),
            ),
        ),
        72,
        (
            LineSpec(
                _B.CONSTRUCTION,
                10,
                "Үй-жайды жабдық орнатуға дайындау",
                "Подготовка помещений под монтаж оборудования",
            ),
            LineSpec(
                _B.SERVICES,
                8,
                "Жеткізу, монтаждау және іске қосу-баптау жұмыстары",
                "Доставка, монтаж и пусконаладочные работы",
            ),
            LineSpec(
                _B.TRAINING, 6, "Медициналық персоналды оқыту", "Обучение медицинского персонала"
            ),
            _admin(4),
        ),
    ),
    "implants": Profile(
        (
            Stage(
                (
                    "Балаларды іріктеу және аудиологиялық тексеру",
                    "Сурдологтар балаларды тексеріп, кохлеарлық имплантацияға көрсетілімдерді "
                    "растайды.",
                    "Сурдологиялық комиссияның хаттамасы және балалардың иесіздендірілген тізімі.",
                ),
                (
                    "Отбор детей и аудиологическое обследование",
                    "Сурдологи обследуют детей и подтверждают показания к кохлеарной имплантации.",
                    "Протокол сурдологической комиссии и обезличенный список детей.",
                ),
            ),
            Stage(
                (
                    "Кохлеарлық импланттарды сатып алу",
                    "Импланттар мен сөйлеу процессорларын сатып алу рәсімдерін өткізу және "
                    "жеткізу.",
                    "Жеткізу шарты және жүкқұжаттар.",
                ),
                (
                    "Закупка кохлеарных имплантов",
                    "Закупка и поставка имплантов и речевых процессоров.",
                    "Договор поставки и накладные.",
                ),
            ),
            Stage(
                (
                    "Имплантация операциялары",
                    "Балаларға кохлеарлық имплант орнату операцияларын жүргізу.",
                    "Операциялар журналы және шығару эпикриздерінің иесіздендірілген көшірмелері.",
                ),
                (
                    "Операции по кохлеарной имплантации",
                    "Проведение операций по установке кохлеарных имплантов.",
                    "Журнал операций и обезличенные выписки.",
                ),
            ),
            Stage(
                (
                    "Процессорларды баптау және есту-сөйлеу оңалтуы",
                    "Сөйлеу процессорларын алғаш қосу және баптау, сурдопедагогпен сабақтар.",
                    "Баптау хаттамалары және сабақтар журналы.",
                ),
                (
                    "Настройка процессоров и слухоречевая реабилитация",
                    "Первое подключение и настройка речевых процессоров, занятия с сурдопедагогом.",
                    "Протоколы настройки и журнал занятий.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп және оңалту нәтижелері",
                    "Балалардың есту және сөйлеу дамуындағы нәтижелер туралы қорытынды.",
                    _FINAL_REPORT[0],
                ),
                (
                    "Итоговый отчёт и результаты реабилитации",
                    "Итоги слухового и речевого развития детей после имплантации.",
                    _FINAL_REPORT[1],
                ),
            ),
        ),
        70,
        (
            LineSpec(_B.SERVICES, 18, "Имплантация операциялары", "Операции по имплантации"),
            LineSpec(
                _B.PERSONNEL,
                7,
                "Сурдопедагогтардың оңалту сабақтары",
                "Реабилитационные занятия сурдопедагогов",
            ),
            LineSpec(_B.TRAVEL, 3, "Отбасылардың операцияға баруы", "Проезд семей на операцию"),
            _admin(2),
        ),
    ),
    "devices": Profile(
        (
            Stage(
                (
                    "Қатысушыларды іріктеу және қажеттілікті бағалау",
                    "Медициналық-әлеуметтік сараптама деректері бойынша қатысушылар тізімін жасау "
                    "және әрқайсысының қажеттілігін бағалау.",
                    "Қатысушылардың иесіздендірілген тізімі және іріктеу комиссиясының хаттамасы.",
                ),
                (
                    "Отбор участников и оценка потребностей",
                    "Формирование списка участников по данным медико-социальной экспертизы и "
                    "оценка потребностей каждого.",
                    "Обезличенный список участников и протокол отборочной комиссии.",
                ),
            ),
            Stage(
                (
                    "Бұйымдарды сатып алу және жеткізу",
                    "Сатып алу рәсімдерін өткізіп, бұйымдардың бірінші легін жеткізу.",
                    "Жеткізу шарты және жүкқұжаттар.",
                ),
                (
                    "Закупка и поставка изделий",
                    "Проведение закупки и поставка первой партии изделий.",
                    "Договор поставки и накладные.",
                ),
            ),
            Stage(
                (
                    "Бұйымдарды жеке бейімдеу және беру",
                    "Мамандар әр қатысушыға бұйымды жеке бейімдеп, оны пайдалануға үйретеді.",
                    "Қатысушылар немесе олардың заңды өкілдері қол қойған беру актілері.",
                ),
                (
                    "Индивидуальная подгонка и выдача изделий",
                    "Специалисты подгоняют изделие для каждого участника и обучают им "
                    "пользоваться.",
                    "Акты выдачи, подписанные участниками или их законными представителями.",
                ),
            ),
            Stage(
                (
                    "Оңалту курсы",
                    "Бұйым алған қатысушылар оңалту курсынан өтіп, оны күнделікті өмірде "
                    "пайдалануды үйренеді.",
                    "Оңалту бағдарламасы және қатысушылардың жеке карталары.",
                ),
                (
                    "Курс реабилитации",
                    "Получившие изделия проходят курс реабилитации и учатся пользоваться ими в "
                    "повседневной жизни.",
                    "Программа реабилитации и индивидуальные карты участников.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп",
                    "Бұйым алған адамдар саны, оларды пайдалану нәтижелері және қаражаттың "
                    "жұмсалуы туралы қорытынды.",
                    _FINAL_REPORT[0],
                ),
                (
                    "Итоговый отчёт",
                    "Итоги: сколько людей получили изделия, как ими пользуются, как израсходованы "
                    "средства.",
                    _FINAL_REPORT[1],
                ),
            ),
        ),
        68,
        (
            LineSpec(
                _B.SERVICES,
                15,
                "Бұйымдарды жеке бейімдеу және жөндеу",
                "Индивидуальная подгонка и ремонт изделий",
            ),
            LineSpec(
                _B.PERSONNEL,
                10,
                "Оңалту мамандарының жұмысы",
                "Работа специалистов по реабилитации",
            ),
            LineSpec(
                _B.TRAINING, 4, "Қатысушылар мен отбасыларды оқыту", "Обучение участников и семей"
            ),
            _admin(3),
        ),
    ),
    "centre": Profile(
        (
            Stage(
                (
                    "Үй-жайды жөндеу және бейімдеу",
                    "Үй-жайды жөндеу, пандустар орнату және кедергісіз орта жасау.",
                    "Жобалау-сметалық құжаттама, орындалған жұмыстар актісі және фотоесеп.",
                ),
                (
                    "Ремонт и адаптация помещений",
                    "Ремонт помещений, устройство пандусов и создание безбарьерной среды.",
                    "Проектно-сметная документация, акт выполненных работ и фотоотчёт.",
                ),
            ),
            Stage(
                (
                    "Мамандарды іріктеу және оқыту",
                    "Мамандар тобын жасақтау және оларды заманауи әдістерге оқыту.",
                    "Штат кестесі, оқыту бағдарламасы және сертификаттар.",
                ),
                (
                    "Подбор и обучение специалистов",
                    "Формирование команды специалистов и их обучение современным методикам.",
                    "Штатное расписание, программа обучения и сертификаты.",
                ),
            ),
            Stage(
                (
                    "Жабдықтау және алғашқы балаларды қабылдау",
                    "Жабдық пен жиһазды сатып алып орнату, ашылу және алғашқы балаларды қабылдау.",
                    "Жеткізу шарттары, пайдалануға беру актілері және қабылдау кестесі.",
                ),
                (
                    "Оснащение и приём первых детей",
                    "Закупка и установка оборудования и мебели, открытие и приём первых детей.",
                    "Договоры поставки, акты ввода в эксплуатацию и график приёма.",
                ),
            ),
            Stage(
                (
                    "Балалармен жеке бағдарламалар бойынша жұмыс",
                    "Балалармен жеке бағдарламалар бойынша сабақтар, ата-аналарға кеңес беру және "
                    "оларды оқыту.",
                    "Сабақтар журналы және балалар дамуының иесіздендірілген карталары.",
                ),
                (
                    "Работа с детьми по индивидуальным программам",
                    "Занятия с детьми по индивидуальным программам, консультации и обучение "
                    "родителей.",
                    "Журнал занятий и обезличенные карты развития детей.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп және жұмыс нәтижелері",
                    "Қамтылған балалар саны, олардың дамуындағы өзгерістер және ата-аналардың "
                    "пікірі туралы қорытынды.",
                    "Қорытынды мазмұнды және қаржылық есеп, ата-аналар сауалнамасының нәтижелері.",
                ),
                (
                    "Итоговый отчёт и результаты работы",
                    "Итоги: сколько детей получили помощь, как изменилось их развитие, что "
                    "говорят родители.",
                    "Итоговый содержательный и финансовый отчёт, результаты анкетирования "
                    "родителей.",
                ),
            ),
        ),
        33,
        (
            LineSpec(
                _B.CONSTRUCTION,
                32,
                "Үй-жайды жөндеу және кедергісіз орта жасау",
                "Ремонт помещений и создание безбарьерной среды",
            ),
            LineSpec(_B.PERSONNEL, 24, "Мамандардың еңбекақысы", "Оплата труда специалистов"),
            LineSpec(_B.TRAINING, 6, "Мамандарды оқыту", "Обучение специалистов"),
            _admin(5),
        ),
    ),
    "schools": Profile(
        (
            Stage(
                (
                    "Мектептерді іріктеу және қажеттілікті бағалау",
                    "Білім басқармасымен бірге мектептерді іріктеу және әр мектептің жабдыққа "
                    "қажеттілігін анықтау.",
                    "Мектептер тізімі, қажеттілікті бағалау нәтижелері және келісім хаттары.",
                ),
                (
                    "Отбор школ и оценка потребностей",
                    "Отбор школ вместе с управлением образования и определение потребностей "
                    "каждой школы в оборудовании.",
                    "Список школ, результаты оценки потребностей и письма-согласия.",
                ),
            ),
            Stage(
                (
                    "Кабинеттерді жөндеу және дайындау",
                    "Жабдық орнатылатын кабинеттерде ағымдағы жөндеу жүргізу және электр желісін "
                    "жаңарту.",
                    "Орындалған жұмыстар актілері және фотоесеп.",
                ),
                (
                    "Ремонт и подготовка кабинетов",
                    "Текущий ремонт кабинетов под новое оборудование и обновление электропроводки.",
                    "Акты выполненных работ и фотоотчёт.",
                ),
            ),
            Stage(
                (
                    "Жабдықты жеткізу және орнату",
                    "Кабинеттерге жабдықты, оқу құралдарын және бағдарламалық қамтамасыз етуді "
                    "жеткізу және орнату.",
                    "Жүкқұжаттар және әр мектеппен қабылдау-тапсыру актілері.",
                ),
                (
                    "Поставка и установка оборудования",
                    "Поставка и установка в кабинетах оборудования, учебных пособий и "
                    "программного обеспечения.",
                    "Накладные и акты приёма-передачи с каждой школой.",
                ),
            ),
            Stage(
                (
                    "Мұғалімдерді оқыту",
                    "Мұғалімдер жаңа жабдықпен жұмыс істеу және оны сабақта қолдану бойынша "
                    "курстардан өтеді.",
                    "Оқыту бағдарламасы, қатысушылар тізімі және сертификаттар.",
                ),
                (
                    "Обучение учителей",
                    "Учителя проходят курсы по работе с новым оборудованием и его использованию "
                    "на уроках.",
                    "Программа обучения, списки участников и сертификаты.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп және оқу жылының нәтижелері",
                    "Жабдықты пайдалану, оқушыларды қамту және оқу нәтижелері туралы қорытынды.",
                    "Қорытынды мазмұнды және қаржылық есеп, сабаққа қатысу статистикасы.",
                ),
                (
                    "Итоговый отчёт и результаты учебного года",
                    "Итоги использования оборудования, охват учеников и учебные результаты.",
                    "Итоговый содержательный и финансовый отчёт, статистика посещаемости.",
                ),
            ),
        ),
        62,
        (
            LineSpec(_B.CONSTRUCTION, 14, "Кабинеттерді жөндеу", "Ремонт кабинетов"),
            LineSpec(_B.TRAINING, 14, "Мұғалімдерді оқыту", "Обучение учителей"),
            LineSpec(_B.SERVICES, 6, "Жеткізу және орнату", "Доставка и установка"),
            _admin(4),
        ),
    ),
    "grants": Profile(
        (
            Stage(
                (
                    "Грант иегерлерін конкурстық іріктеу",
                    "Өтінімдерді қабылдау, құжаттарды тексеру және конкурстық комиссияның шешімі.",
                    "Конкурс хаттамасы және грант иегерлерінің иесіздендірілген тізімі.",
                ),
                (
                    "Конкурсный отбор грантополучателей",
                    "Приём заявок, проверка документов и решение конкурсной комиссии.",
                    "Протокол конкурса и обезличенный список грантополучателей.",
                ),
            ),
            Stage(
                (
                    "ЖОО-лармен шарттар жасасу",
                    "Әр грант иегері үшін жоғары оқу орнымен үшжақты шарт жасасу.",
                    "Қол қойылған үшжақты шарттар.",
                ),
                (
                    "Заключение договоров с вузами",
                    "Заключение трёхсторонних договоров с вузами по каждому грантополучателю.",
                    "Подписанные трёхсторонние договоры.",
                ),
            ),
            Stage(
                (
                    "Күзгі семестрдің оқу ақысын төлеу",
                    "ЖОО-ларға күзгі семестрдің оқу ақысын аудару және жатақханадағы орындарды "
                    "төлеу.",
                    "Төлем тапсырмалары және ЖОО-лардың анықтамалары.",
                ),
                (
                    "Оплата обучения за осенний семестр",
                    "Перечисление вузам оплаты за осенний семестр и оплата мест в общежитиях.",
                    "Платёжные поручения и справки вузов.",
                ),
            ),
            Stage(
                (
                    "Тәлімгерлік және аралық аттестаттау",
                    "Тәлімгерлер студенттерді сүйемелдейді, қысқы сессияның нәтижелері жиналады.",
                    "Сессия нәтижелері және тәлімгерлердің есептері.",
                ),
                (
                    "Наставничество и промежуточная аттестация",
                    "Наставники сопровождают студентов, собираются результаты зимней сессии.",
                    "Результаты сессии и отчёты наставников.",
                ),
            ),
            Stage(
                (
                    "Көктемгі семестрді төлеу және қорытынды есеп",
                    "Көктемгі семестрдің оқу ақысын төлеу және оқу жылын қорытындылау.",
                    "Төлем тапсырмалары, үлгерім туралы анықтамалар және қорытынды есеп.",
                ),
                (
                    "Оплата весеннего семестра и итоговый отчёт",
                    "Оплата весеннего семестра и подведение итогов учебного года.",
                    "Платёжные поручения, справки об успеваемости и итоговый отчёт.",
                ),
            ),
        ),
        82,
        (
            LineSpec(_B.OTHER, 12, "Жатақханадағы орындарды төлеу", "Оплата мест в общежитиях"),
            LineSpec(
                _B.PERSONNEL,
                4,
                "Тәлімгерлер және бағдарлама үйлестірушісі",
                "Наставники и координатор программы",
            ),
            _admin(2),
        ),
    ),
    "programme": Profile(
        (
            Stage(
                (
                    "Бағдарламаны іске қосу және қатысушыларды іріктеу",
                    "Бағдарлама командасын жасақтау, іріктеу өлшемдерін жариялау және алғашқы "
                    "қатысушыларды таңдау.",
                    "Іріктеу ережесі, комиссия хаттамасы және қатысушылардың иесіздендірілген "
                    "тізімі.",
                ),
                (
                    "Запуск программы и отбор участников",
                    "Формирование команды программы, публикация критериев отбора и отбор первых "
                    "участников.",
                    "Положение об отборе, протокол комиссии и обезличенный список участников.",
                ),
            ),
            Stage(
                (
                    "Әдістемелік материалдарды әзірлеу",
                    "Бағдарламаның оқу және әдістемелік материалдарын дайындау және сарапшылармен "
                    "келісу.",
                    "Әдістемелік нұсқаулық және оқу модульдері.",
                ),
                (
                    "Разработка методических материалов",
                    "Подготовка учебных и методических материалов программы и согласование их с "
                    "экспертами.",
                    "Методическое пособие и учебные модули.",
                ),
            ),
            Stage(
                (
                    "Қатысушылармен жұмыстың бірінші кезеңі",
                    "Қатысушылар оқудан, кеңес беруден және сүйемелдеуден өтеді, нәтижелер ай "
                    "сайын тіркеледі.",
                    "Іс-шаралар журналы, қатысу тізімдері және аралық мониторинг есебі.",
                ),
                (
                    "Первый этап работы с участниками",
                    "Участники проходят обучение, консультации и сопровождение, результаты "
                    "фиксируются ежемесячно.",
                    "Журнал мероприятий, списки посещаемости и промежуточный отчёт мониторинга.",
                ),
            ),
            Stage(
                (
                    "Қатысушылармен жұмыстың екінші кезеңі",
                    "Бірінші кезеңнің тәжірибесін ескере отырып, бағдарламаны жаңа қатысушыларға "
                    "кеңейту.",
                    "Іс-шаралар журналы, қатысушылардың сауалнамалары және аралық есеп.",
                ),
                (
                    "Второй этап работы с участниками",
                    "Расширение программы на новых участников с учётом опыта первого этапа.",
                    "Журнал мероприятий, анкеты участников и промежуточный отчёт.",
                ),
            ),
            Stage(
                (
                    "Қорытынды есеп және нәтижелерді бағалау",
                    "Бағдарлама нәтижелерін тәуелсіз бағалау және тәжірибені таратуға ұсыныстар.",
                    "Қорытынды мазмұнды және қаржылық есеп, бағалау есебі.",
                ),
                (
                    "Итоговый отчёт и оценка результатов",
                    "Независимая оценка результатов программы и рекомендации по распространению "
                    "опыта.",
                    "Итоговый содержательный и финансовый отчёт, отчёт об оценке.",
                ),
            ),
        ),
        15,
        (
            LineSpec(
                _B.PERSONNEL,
                45,
                "Бағдарлама мамандарының еңбекақысы",
                "Оплата труда специалистов программы",
            ),
            LineSpec(_B.TRAINING, 22, "Оқыту және семинарлар", "Обучение и семинары"),
            LineSpec(_B.TRAVEL, 12, "Өңірлерге сапарлар", "Выезды в регионы"),
            _admin(6),
        ),
    ),
}

DELIVERY: dict[str, KindDelivery] = {
    "sma": KindDelivery(
        "medicines",
        (_B.MEDICINES, "Нусинерсен препаратын сатып алу", "Закуп препарата нусинерсен"),
        (40, 70),
        ("нусинерсен препаратының", "препарата нусинерсен"),
    ),
    "dmd": KindDelivery(
        "medicines",
        (
            _B.MEDICINES,
            "Таргеттік терапия препараттарын сатып алу",
            "Закуп препаратов таргетной терапии",
        ),
        (25, 45),
        ("таргеттік терапия препараттарының", "препаратов таргетной терапии"),
    ),
    "cf": KindDelivery(
        "medicines",
        (_B.MEDICINES, "CFTR модуляторларын сатып алу", "Закуп модуляторов CFTR"),
        (60, 110),
        ("CFTR модуляторларының", "модуляторов CFTR"),
    ),
    "mps": KindDelivery(
        "medicines",
        (
            _B.MEDICINES,
            "Ферменттік алмастыру препараттарын сатып алу",
            "Закуп ферментозаместительных препаратов",
        ),
        (20, 35),
        ("ферменттік препараттардың", "ферментозаместительных препаратов"),
    ),
    "pku": KindDelivery(
        "medicines",
        (
            _B.MEDICINES,
            "Фенилаланинсіз емдік қоспаларды сатып алу",
            "Закуп безфенилаланиновых лечебных смесей",
        ),
        (120, 200),
        ("емдік қоспалардың", "лечебных смесей"),
    ),
    "eb": KindDelivery(
        "medicines",
        (
            _B.MEDICINES,
            "Атравматикалық таңғыш материалдарды сатып алу",
            "Закуп атравматичных перевязочных материалов",
        ),
        (30, 60),
        ("таңғыш материалдардың", "перевязочных материалов"),
    ),
    "genetics": KindDelivery(
        "equipment",
        (
            _B.EQUIPMENT,
            "Секвенатор және зертханалық жабдық сатып алу",
            "Закуп секвенатора и лабораторного оборудования",
        ),
        (300, 600),
    ),
    "cochlear": KindDelivery(
        "implants",
        (
            _B.EQUIPMENT,
            "Кохлеарлық импланттар мен сөйлеу процессорларын сатып алу",
            "Закуп кохлеарных имплантов и речевых процессоров",
        ),
        (25, 50),
    ),
    "rehab_centre": KindDelivery(
        "centre",
        (_B.EQUIPMENT, "Оңалту жабдығын сатып алу", "Закуп реабилитационного оборудования"),
        (80, 160),
    ),
    "nicu": KindDelivery(
        "equipment",
        (
            _B.EQUIPMENT,
            "Кювездер, ӨЖЖ аппараттары мен мониторлар сатып алу",
            "Закуп кювезов, аппаратов ИВЛ и мониторов",
        ),
        (150, 300),
    ),
    "mri": KindDelivery(
        "equipment",
        (
            _B.EQUIPMENT,
            "Магниттік-резонанстық томограф сатып алу",
            "Закуп магнитно-резонансного томографа",
        ),
        (400, 900),
    ),
    "mobile_clinic": KindDelivery(
        "equipment",
        (
            _B.EQUIPMENT,
            "Жылжымалы медициналық кешенді сатып алу",
            "Закуп передвижного медицинского комплекса",
        ),
        (800, 1500),
        lines=(
            LineSpec(
                _B.PERSONNEL, 16, "Көшпелі бригаданың еңбекақысы", "Оплата труда выездной бригады"
            ),
            LineSpec(
                _B.TRAVEL,
                8,
                "Бригаданың ауылдарға сапарлары (жанармай, іссапар)",
                "Выезды бригады в сёла (ГСМ, командировочные)",
            ),
            LineSpec(
                _B.SERVICES, 4, "Кешенге техникалық қызмет көрсету", "Техническое обслуживание"
            ),
            _admin(2),
        ),
    ),
    "palliative": KindDelivery(
        "programme",
        (_B.MEDICINES, "Медициналық бұйымдар мен дәрі-дәрмек", "Медицинские изделия и лекарства"),
        (30, 70),
    ),
    "oncology": KindDelivery(
        "equipment",
        (
            _B.EQUIPMENT,
            "Ламинарлық бокстар мен инфузоматтар сатып алу",
            "Закуп ламинарных боксов и инфузоматов",
        ),
        (80, 160),
    ),
    "rehab_training": KindDelivery(
        "programme",
        (_B.SERVICES, "Халықаралық сарапшылардың қызметтері", "Услуги международных экспертов"),
        (60, 150),
    ),
    "hub_school": KindDelivery(
        "schools",
        (
            _B.EQUIPMENT,
            "Пән кабинеттері мен цифрлық зертханаларды жабдықтау",
            "Оснащение предметных кабинетов и цифровых лабораторий",
        ),
        (600, 1400),
    ),
    "inclusive": KindDelivery(
        "schools",
        (
            _B.EQUIPMENT,
            "Инклюзияны қолдау кабинеттерінің жабдығы",
            "Оборудование кабинетов поддержки инклюзии",
        ),
        (150, 400),
    ),
    "student_grants": KindDelivery(
        "grants", (_B.SERVICES, "Оқу ақысын төлеу", "Оплата обучения"), (300, 600)
    ),
    "stem_labs": KindDelivery(
        "schools",
        (
            _B.EQUIPMENT,
            "Цифрлық зертханалар, 3D-принтерлер және робототехника жинақтары",
            "Цифровые лаборатории, 3D-принтеры и наборы по робототехнике",
        ),
        (500, 1200),
    ),
    "teacher_training": KindDelivery(
        "programme",
        (
            _B.SERVICES,
            "Оқу платформасы және әдістемелік материалдар",
            "Учебная платформа и методические материалы",
        ),
        (300, 700),
    ),
    "boarding_school": KindDelivery(
        "centre",
        (
            _B.EQUIPMENT,
            "Жатақханаға жиһаз бен тұрмыстық техника сатып алу",
            "Закуп мебели и бытовой техники для общежития",
        ),
        (120, 200),
        lines=(
            LineSpec(
                _B.CONSTRUCTION, 55, "Жатақхананы күрделі жөндеу", "Капитальный ремонт общежития"
            ),
            LineSpec(
                _B.PERSONNEL,
                10,
                "Тәрбиешілер мен психологтың еңбекақысы",
                "Оплата труда воспитателей и психолога",
            ),
            _admin(5),
        ),
    ),
    "special_school": KindDelivery(
        "schools",
        (
            _B.EQUIPMENT,
            "Брайль принтерлері мен тифлотехникалық құралдар",
            "Принтеры Брайля и тифлотехнические средства",
        ),
        (90, 160),
    ),
    "autism_centre": KindDelivery(
        "centre",
        (
            _B.EQUIPMENT,
            "Сенсорлық бөлме мен ABA кабинеттерін жабдықтау",
            "Оснащение сенсорной комнаты и кабинетов ABA",
        ),
        (40, 90),
    ),
    "early_intervention": KindDelivery(
        "centre",
        (
            _B.EQUIPMENT,
            "Диагностикалық және дамыту жабдығын сатып алу",
            "Закуп диагностического и развивающего оборудования",
        ),
        (60, 140),
    ),
    "prostheses": KindDelivery(
        "devices",
        (
            _B.EQUIPMENT,
            "Бионикалық және модульдік протездердің компоненттері",
            "Компоненты бионических и модульных протезов",
        ),
        (40, 90),
    ),
    "orphan_graduates": KindDelivery(
        "programme",
        (
            _B.SERVICES,
            "Әлеуметтік жатақхананы жалға алу және күтіп ұстау",
            "Аренда и содержание социального общежития",
        ),
        (30, 70),
    ),
    "family_support": KindDelivery(
        "programme",
        (_B.OTHER, "Отбасыларға материалдық көмек", "Материальная помощь семьям"),
        (80, 200),
    ),
    "respite": KindDelivery(
        "centre",
        (
            _B.EQUIPMENT,
            "Күндізгі болу орталығына жиһаз бен оңалту жабдығы",
            "Мебель и реабилитационное оборудование для центра",
        ),
        (25, 50),
    ),
    "employment": KindDelivery(
        "programme",
        (
            _B.OTHER,
            "Жұмыс орындарын бейімдеуге шағын гранттар",
            "Малые гранты на адаптацию рабочих мест",
        ),
        (20, 45),
    ),
    "wheelchairs": KindDelivery(
        "devices",
        (
            _B.EQUIPMENT,
            "Белсенді арбалар мен вертикализаторлар сатып алу",
            "Закуп активных колясок и вертикализаторов",
        ),
        (120, 250),
    ),
}

# What grantees write in their reports ({title}, {description}, {deliverables}, {people},
# {progress}), and what an officer and the grantee say when a report goes back for revision.
NARRATIVES = {
    "kk": (
        "«{title}» кезеңі бойынша жұмыс толық орындалды. {description} Кезең ішінде {people} адам "
        "көмек алды. Есепке қоса берілді: {deliverables}",
        "«{title}» кезеңі бойынша жұмыс жалғасуда, шамамен {progress}% орындалды. {description} "
        "Есепті аяқтап жатырмыз.",
    ),
    "ru": (
        "Этап «{title}» выполнен в полном объёме. {description} Помощь за период получили "
        "{people} чел. К отчёту приложены: {deliverables}",
        "Работа по этапу «{title}» продолжается, выполнено около {progress}%. {description} "
        "Отчёт дорабатываем.",
    ),
}

REVISION_THREADS = {
    "kk": (
        (
            "Қол қойылған орындалған жұмыстар актілерін қоса беріңіз: есепте тек фотосуреттер "
            "бар. Қызметкерлер шығысын да нақтылаңыз — сома ведомостарға сәйкес келмейді.",
            "Рақмет, актілерге қол қойылды. Оларды түзетілген ведомостармен бірге осы аптада "
            "жібереміз.",
        ),
        (
            "Есептен әр өңірде қанша адам көмек алғаны көрінбейді. Өңірлер бойынша бөлінісін және "
            "фотоесепті қосыңызшы.",
            "Түсіндік, өңірлер бойынша кестені және фотосуреттерді қосып, есепті қайта жібереміз.",
        ),
        (
            "Есептегі шығыс сомасы қоса берілген төлем құжаттарына сәйкес келмейді. Тексеріп, "
            "жетіспейтін төлем тапсырмаларын қоса беріңізші.",
            "Тексердік: бір төлем тапсырмасы мұрағатқа түспей қалыпты. Оны қосып, соманы "
            "түзетеміз.",
        ),
    ),
    "ru": (
        (
            "Приложите подписанные акты выполненных работ: в отчёте есть только фотографии. И "
            "уточните расходы на персонал — сумма не совпадает с ведомостями.",
            "Спасибо, акты уже подписаны. Приложим их вместе с исправленными ведомостями до конца "
            "недели.",
        ),
        (
            "В отчёте не видно, сколько человек получили помощь в каждом регионе. Добавьте, "
            "пожалуйста, разбивку по регионам и фотоотчёт.",
            "Поняли, добавим таблицу по регионам и фотографии и отправим отчёт повторно.",
        ),
        (
            "Сумма расходов в отчёте не совпадает с приложенными платёжными документами. "
            "Проверьте, пожалуйста, и приложите недостающие платёжные поручения.",
            "Проверили: одно платёжное поручение не попало в архив. Приложим его и исправим сумму.",
        ),
    ),
}


# ---------------------------------------------------------------------------------------------
# Seeding.

_MOBILE_PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778")


def _phones(count: int) -> list[str]:
    rng = random.Random(2024)
    phones = []
    for _ in range(count):
        digits = f"{rng.randrange(10_000_000):07d}"
        prefix = rng.choice(_MOBILE_PREFIXES)
        phones.append(f"+7 {prefix} {digits[:3]} {digits[3:5]} {digits[5:]}")
    return phones


def _reference_data(session: Session) -> tuple[dict[str, Region], dict[str, ProgrammeArea]]:
    regions = {r.code: r for r in session.scalars(select(Region))}
    areas = {a.code: a for a in session.scalars(select(ProgrammeArea))}
    missing = sorted(set(REGION_FORMS) - set(regions)) + sorted(
        {k.area for k in KINDS.values()} - set(areas)
    )
    if missing:
        raise RuntimeError(
            "Reference data missing (run the migrations first): " + ", ".join(missing)
        )
    return regions, areas


def _seed_organisations(
    session: Session, regions: dict[str, Region]
) -> tuple[list[Organisation], int]:
    organisations: list[Organisation] = []
    created = 0
    for number, (spec, phone) in enumerate(
        zip(ORGANISATIONS, _phones(len(ORGANISATIONS)), strict=True), start=1
    ):
        bin_ = demo_bin(spec.registered, number)
        if not bin_is_valid(bin_):
            raise RuntimeError(f"demo BIN {bin_} is not valid")
        organisation = session.scalar(select(Organisation).where(Organisation.bin == bin_))
        if organisation is None:
            organisation = Organisation(
                name=spec.name,
                bin=bin_,
                region=regions[spec.region],
                address=spec.address,
                contact_name=spec.contact,
                contact_email=grantee_email(number),
                contact_phone=phone,
            )
            session.add(organisation)
            created += 1
        organisations.append(organisation)
    session.flush()
    return organisations, created


def _seed_users(
    session: Session, organisations: list[Organisation]
) -> tuple[list[tuple[UserSpec, User, bool]], int]:
    rows: list[tuple[UserSpec, User, bool]] = []
    created = 0
    for spec in _all_users():
        user = session.scalar(select(User).where(User.email == User.normalise_email(spec.email)))
        is_new = user is None
        if user is None:
            organisation_id = organisations[spec.organisation - 1].id if spec.organisation else None
            user = create_user(
                session,
                None,
                UserData(
                    email=spec.email,
                    name=spec.name,
                    role=spec.role,
                    locale=spec.locale,
                    organisation_id=organisation_id,
                ),
                password=DEMO_PASSWORD,
            )
            created += 1
        rows.append((spec, user, is_new))
    return rows, created


def _seed_projects(
    session: Session,
    organisations: list[Organisation],
    officers: list[User],
    regions: dict[str, Region],
    areas: dict[str, ProgrammeArea],
) -> int:
    created = 0
    for index, (spec, text) in enumerate(zip(PROJECTS, project_texts(), strict=True)):
        if session.scalar(select(Project.id).where(Project.code == text.code)) is not None:
            continue
        session.add(
            Project(
                code=text.code,
                title_kk=text.title_kk,
                title_ru=text.title_ru,
                title_en=text.title_en,
                summary_kk=text.summary_kk,
                summary_ru=text.summary_ru,
                summary_en=text.summary_en,
                organisation=organisations[spec.organisation - 1],
                area=areas[KINDS[spec.kind].area],
                status=spec.status,
                awarded_amount=spec.amount_tenge * 100,
                start_date=text.start,
                end_date=text.end,
                officer=officers[index % len(officers)],
                regions=[regions[code] for code in spec.regions],
            )
        )
        created += 1
    session.flush()
    return created


# ---------------------------------------------------------------------------------------------
# Delivery seeding. Dates follow `today` (in Almaty): what is due before it has mostly happened,
# what is due after it is still planned. Everything else is fixed per project.

MONEY_UNIT = 100_000  # budget lines and tranches are in whole thousands of tenge (in tiyn)
JOURNEY_DUE_IN = 14  # days from today to the milestone the browser journey reports on


def almaty_today() -> date:
    """Today in the fund's time zone; the default `today` of the demo history."""
    return fund_today()


def journey_project_code(session: Session) -> str:
    """The project the browser journey reports on: the first active project, in code order, of
    the first demo organisation (grantee@demo.fundtracker.kz)."""
    code = session.scalar(
        select(Project.code)
        .join(Project.organisation)
        .where(
            Organisation.bin == demo_bin(ORGANISATIONS[0].registered, 1),
            Project.status == ProjectStatus.ACTIVE,
        )
        .order_by(Project.code)
        .limit(1)
    )
    if code is None:
        raise LookupError("the first demo organisation has no active project; run seed-demo")
    return code


def milestone_count(months: int) -> int:
    return 3 if months < 18 else 4 if months < 30 else 5


def due_dates(start: date, end: date, count: int) -> list[date]:
    """`count` due dates spread evenly over the project, the last on its end date."""
    span = (end - start).days
    return [start + timedelta(days=round(span * (i + 1) / count)) for i in range(count)]


def _journey_dues(dues: list[date], today: date) -> list[date]:
    """Bring the next milestone to two weeks from today, unless it falls due in 5-25 days."""
    upcoming = next((i for i, due in enumerate(dues) if due > today), None)
    if upcoming is None or 5 <= (dues[upcoming] - today).days <= 25:
        return dues
    return [*dues[:upcoming], today + timedelta(days=JOURNEY_DUE_IN), *dues[upcoming + 1 :]]


class Fate(enum.StrEnum):
    """What had become of a milestone by today."""

    ACCEPTED = "accepted"  # accepted, its tranche paid
    APPROVED = "approved"  # accepted, its tranche approved and awaiting payment
    SUBMITTED = "submitted"  # an update waits for review
    REVISION = "revision"  # the fund asked for a revision
    DRAFT = "draft"  # planned, the grantee has a draft update
    PLANNED = "planned"


MILESTONE_STATUS = {
    Fate.ACCEPTED: MilestoneStatus.ACCEPTED,
    Fate.APPROVED: MilestoneStatus.ACCEPTED,
    Fate.SUBMITTED: MilestoneStatus.SUBMITTED,
    Fate.REVISION: MilestoneStatus.REVISION_REQUESTED,
    Fate.DRAFT: MilestoneStatus.PLANNED,
    Fate.PLANNED: MilestoneStatus.PLANNED,
}

# Scenarios: "done" (all accepted), "normal", "journey" and the roles below. At-risk projects
# take turns with these (the latest milestone due is overdue), suspended ones take the first.
AT_RISK_ROLES = ("overdue", "overdue_revision", "overdue_draft")
OVERDUE_FATES = {
    "overdue": Fate.PLANNED,
    "overdue_revision": Fate.REVISION,
    "overdue_draft": Fate.DRAFT,
}
# Active projects whose milestones fall due nearest today take these roles, in this order.
ACTIVE_ROLES = (
    "submitted",
    "approved",
    "revision",
    "submitted",
    "approved",
    "submitted",
    "revision",
    "approved",
    "submitted",
)


def _role_fits(role: str, dues: list[date], today: date) -> bool:
    past = sum(due < today for due in dues)
    if role == "revision":  # asked on an early report: a milestone must still be ahead
        return past < len(dues)
    return past > 0 if role == "approved" else True


def assign_scenarios(
    projects: list[tuple[str, ProjectStatus, list[date]]], journey: str | None, today: date
) -> dict[str, str]:
    """Scenario per project code, from (code, status, due dates) in code order. Each active role
    goes to the project with a milestone due nearest today that the role fits."""
    scenarios: dict[str, str] = {}
    active = []
    at_risk = 0
    for code, status, dues in projects:
        if code == journey:
            scenarios[code] = "journey"
        elif status in (ProjectStatus.COMPLETED, ProjectStatus.CLOSED):
            scenarios[code] = "done"
        elif status == ProjectStatus.AT_RISK:
            scenarios[code] = AT_RISK_ROLES[at_risk % len(AT_RISK_ROLES)]
            at_risk += 1
        elif status == ProjectStatus.SUSPENDED:
            scenarios[code] = AT_RISK_ROLES[0]
        else:
            scenarios[code] = "normal"
            active.append((min(abs((due - today).days) for due in dues), code, dues))
    candidates = [(code, dues) for _, code, dues in sorted(active)]
    for role in ACTIVE_ROLES:
        pick = next((c for c in candidates if _role_fits(role, c[1], today)), None)
        if pick is not None:
            scenarios[pick[0]] = role
            candidates.remove(pick)
    return scenarios


def fates(scenario: str, dues: list[date], today: date) -> list[Fate]:
    """What had become of each milestone by today. Revisions in active projects are asked on
    early reports, so that only at-risk and suspended projects have overdue milestones."""
    if scenario == "done":
        return [Fate.ACCEPTED] * len(dues)
    past = sum(due < today for due in dues)
    result = [Fate.ACCEPTED] * past + [Fate.PLANNED] * (len(dues) - past)
    if scenario in OVERDUE_FATES and past:
        result[past - 1] = OVERDUE_FATES[scenario]
    elif scenario == "approved" and past:
        result[past - 1] = Fate.APPROVED
    elif scenario == "revision" and past < len(dues):
        result[past] = Fate.REVISION
    elif scenario == "submitted":
        candidates = [i for i in (past - 1, past) if 0 <= i < len(dues)]
        result[min(candidates, key=lambda i: abs((dues[i] - today).days))] = Fate.SUBMITTED
    return result


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


def _stage_text(stage: Stage, lang: str, kind: KindDelivery) -> tuple[str, str, str]:
    supplies = kind.supplies[0 if lang == "kk" else 1]
    title, description, deliverables = (t.format(s=supplies) for t in getattr(stage, lang))
    return title[0].upper() + title[1:], description, deliverables


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
        profile = PROFILES[kind.profile]
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
            title, description, deliverables = _stage_text(profile.stages[stage], lang, kind)
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
                narrative=NARRATIVES[lang][0].format(**report),
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
        request, reply = REVISION_THREADS[lang][self.threads % len(REVISION_THREADS[lang])]
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
                narrative=NARRATIVES[lang][1].format(progress=progress, **report),
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
    specs = {text.code: spec for spec, text in zip(PROJECTS, project_texts(), strict=True)}
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
            dues[project.code] = _journey_dues(dues[project.code], today)
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
            DELIVERY[specs[project.code].kind],
            dues[project.code],
            scenarios[project.code],
            officer,
            grantees.get(project.organisation_id) or [officer],
        )
        seeder.created["projects"] += 1
    session.flush()
    return seeder.created, journey


def seed_demo(session: Session, today: date | None = None) -> str:
    """Create the demo organisations, users and projects that are missing, and the delivery
    records of projects that have none; return a report. `today` (default: today in Almaty)
    decides what has happened already.

    Only adds and flushes: the caller commits (or rolls back)."""
    regions, areas = _reference_data(session)
    organisations, orgs_created = _seed_organisations(session, regions)
    users, users_created = _seed_users(session, organisations)
    officers = [user for spec, user, _ in users if spec.role == Role.OFFICER]
    projects_created = _seed_projects(session, organisations, officers, regions, areas)
    delivery, journey = seed_delivery(session, today)
    seed_reminders(session, today or almaty_today())
    outcomes = seed_outcomes(
        session,
        today or almaty_today(),
        {t.code: s.kind for s, t in zip(PROJECTS, project_texts(), strict=True)},
    )
    seed_applications(session, today)

    lines = [
        "FundTracker demo data",
        f"  organisations: {len(organisations)} ({orgs_created} created)",
        f"  users:         {len(users)} ({users_created} created)",
        f"  projects:      {len(PROJECTS)} ({projects_created} created)",
        f"  delivery:      {delivery['projects']} projects planned: "
        f"{delivery['budget lines']} budget lines, {delivery['milestones']} milestones,",
        f"                 {delivery['tranches']} tranches, {delivery['updates']} updates, "
        f"{delivery['comments']} comments, {delivery['events']} timeline events",
        f"  journey project (grantee@{DEMO_DOMAIN}): {journey or '-'}",
        f"  outcomes:      {outcomes['project indicators']} indicators, {outcomes['results']} "
        f"results, {outcomes['stories']} stories",
        "",
        f"Password of every demo account created by this command: {DEMO_PASSWORD}",
        "",
        f"  {'role':<9} {'email':<34} {'locale':<6} name / organisation",
    ]
    for spec, user, is_new in users:
        who = user.name
        if spec.organisation:
            who += f" / {ORGANISATIONS[spec.organisation - 1].name}"
        note = "" if is_new else " (existed already)"
        lines.append(f"  {spec.role.value:<9} {user.email:<34} {user.locale:<6} {who}{note}")
    return "\n".join(lines)
