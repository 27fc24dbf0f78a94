"""Demo projects: their kinds (data/kinds.toml), the projects themselves (data/projects.toml) and
the titles made from both, with the region names in the right grammatical case
(data/regions.toml). Regions and programme areas come from the migrations, looked up by code.

Projects are matched by code, so seeding again adds only what is missing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.core.i18n import LANGUAGES
from fundtracker.demo.tables import load
from fundtracker.models import Organisation, ProgrammeArea, Project, ProjectStatus, Region, User

# ---------------------------------------------------------------------------------------------
# Regions: the word forms that project titles need.


class RegionForms(NamedTuple):
    kk: str  # nominative, "Қарағанды облысы"
    ru_prep: str  # prepositional, after «в»
    ru_gen: str  # genitive
    en: str


@cache
def region_forms() -> dict[str, RegionForms]:
    """Word forms of each region's name, by region code."""
    return {code: RegionForms(**forms) for code, forms in load("regions").items()}


_KK_REGION = " облысы"
_KK_CITY = " қаласы"


def _kk_case(nominative: str, case: str) -> str:
    """ "Қарағанды облысы" -> "Қарағанды облысында" (loc), "...облысындағы" (attr),
    "...облысының" (gen). Both nouns end in -сы, so the endings are regular."""
    stem = nominative[:-1]  # "облыс", "қалас"
    return {"loc": stem + "ында", "attr": stem + "ындағы", "gen": nominative + "ның"}[case]


def _kk_place(codes: tuple[str, ...], case: str) -> str:
    names = [region_forms()[c].kk for c in codes]
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
    forms = [region_forms()[c] for c in codes]
    return {
        "kk": {case: _kk_place(codes, case) for case in ("loc", "attr", "gen")},
        "ru": {
            "loc": "в " + " и ".join(f.ru_prep for f in forms),
            "gen": " и ".join(f.ru_gen for f in forms),
        },
        "en": {"loc": "in " + " and ".join(f.en for f in forms)},
    }


# ---------------------------------------------------------------------------------------------
# Kinds of project and the projects.


class Kind(NamedTuple):
    area: str
    title_kk: str
    title_ru: str
    title_en: str
    summary_kk: str
    summary_ru: str
    summary_en: str


@cache
def kinds() -> dict[str, Kind]:
    """Kinds of project by key: programme area, and title templates and summaries."""
    return {key: Kind(**kind) for key, kind in load("kinds").items()}


class ProjectSpec(NamedTuple):
    kind: str
    organisation: int  # the organisation's number, 1-based
    regions: tuple[str, ...]
    start: date
    months: int
    amount_tenge: int
    status: ProjectStatus


@cache
def project_specs() -> tuple[ProjectSpec, ...]:
    """The demo projects, in order of start date (the order their codes are numbered in)."""
    return tuple(
        ProjectSpec(
            row["kind"],
            row["organisation"],
            tuple(row["regions"]),
            row["start"],
            row["months"],
            row["amount_tenge"],
            ProjectStatus(row["status"]),
        )
        for row in load("projects")["project"]
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
    return spec.start, _add_months(spec.start, spec.months) - timedelta(days=1)


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


@cache
def project_texts() -> tuple[ProjectText, ...]:
    """Codes, titles, summaries and dates of the demo projects, in the order of
    `project_specs()`. Titles that would repeat (the same nationwide programme in several years)
    get the project's years appended."""
    per_year: Counter[int] = Counter()
    drafts: list[tuple[ProjectSpec, str, date, date, dict[str, str]]] = []
    for spec in project_specs():
        start, end = _dates(spec)
        per_year[start.year] += 1
        code = f"QH-{start.year}-{per_year[start.year]:03d}"
        kind = kinds()[spec.kind]
        titles = {lang: _title(kind, lang, spec, start) for lang in LANGUAGES}
        drafts.append((spec, code, start, end, titles))
    repeated = Counter(titles["ru"] for *_, titles in drafts)
    texts = []
    for spec, code, start, end, titles in drafts:
        if repeated[titles["ru"]] > 1:
            titles = {lang: t + _years_suffix(lang, start, end) for lang, t in titles.items()}
        kind = kinds()[spec.kind]
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
    return tuple(texts)


def specs_by_code() -> dict[str, ProjectSpec]:
    """Each demo project's spec under its code."""
    return {text.code: spec for spec, text in zip(project_specs(), project_texts(), strict=True)}


# ---------------------------------------------------------------------------------------------
# Seeding.


def reference_data(session: Session) -> tuple[dict[str, Region], dict[str, ProgrammeArea]]:
    """Regions and programme areas by code; all the demo names must exist."""
    regions = {r.code: r for r in session.scalars(select(Region))}
    areas = {a.code: a for a in session.scalars(select(ProgrammeArea))}
    missing = sorted(set(region_forms()) - set(regions)) + sorted(
        {k.area for k in kinds().values()} - set(areas)
    )
    if missing:
        raise RuntimeError(
            "Reference data missing (run the migrations first): " + ", ".join(missing)
        )
    return regions, areas


def seed_projects(
    session: Session,
    organisations: list[Organisation],
    officers: list[User],
    regions: dict[str, Region],
    areas: dict[str, ProgrammeArea],
) -> int:
    """Add the demo projects that are missing, the officers taking them in turn; return how many
    were created."""
    created = 0
    for index, (spec, text) in enumerate(zip(project_specs(), project_texts(), strict=True)):
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
                area=areas[kinds()[spec.kind].area],
                status=spec.status,
                awarded_amount=spec.amount_tenge * 100,
                start_date=text.start,
                end_date=text.end,
                # Agreements are signed a fortnight before the work starts (open data shows a
                # project from then on).
                agreement_signed_on=text.start - timedelta(days=14),
                officer=officers[index % len(officers)],
                regions=[regions[code] for code in spec.regions],
            )
        )
        created += 1
    session.flush()
    return created
