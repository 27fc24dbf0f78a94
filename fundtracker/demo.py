"""Demo data: partner organisations, accounts of every role and 67 projects.

`seed_demo` is idempotent: organisations are matched by BIN, users by email and projects by code,
and only what is missing is created. Regions and programme areas come from the migration and are
looked up by code. The function only adds and flushes; the caller commits.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.models import (
    Organisation,
    ProgrammeArea,
    Project,
    ProjectStatus,
    Region,
    Role,
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
    ProjectSpec("palliative", 22, ("KZ-71",), "2026-02-01", 24, 119_600_000, _A),
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
        titles = {lang: _title(kind, lang, spec, start) for lang in ("kk", "ru", "en")}
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


def seed_demo(session: Session) -> str:
    """Create the demo organisations, users and projects that are missing; return a report.

    Only adds and flushes: the caller commits (or rolls back)."""
    regions, areas = _reference_data(session)
    organisations, orgs_created = _seed_organisations(session, regions)
    users, users_created = _seed_users(session, organisations)
    officers = [user for spec, user, _ in users if spec.role == Role.OFFICER]
    projects_created = _seed_projects(session, organisations, officers, regions, areas)

    lines = [
        "FundTracker demo data",
        f"  organisations: {len(organisations)} ({orgs_created} created)",
        f"  users:         {len(users)} ({users_created} created)",
        f"  projects:      {len(PROJECTS)} ({projects_created} created)",
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
