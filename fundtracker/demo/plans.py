"""How each kind of demo project is planned and budgeted (data/delivery.toml), and what grantees
and officers write about its milestones (data/reports.toml), in Kazakh and Russian: grantees
write in either.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from fundtracker.demo.tables import load
from fundtracker.models import BudgetCategory


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


# The stages of a five-stage profile that a plan of 3, 4 or 5 milestones uses.
STAGES_BY_COUNT = {3: (0, 2, 4), 4: (0, 2, 3, 4), 5: (0, 1, 2, 3, 4)}


def _texts(stage: dict[str, str]) -> tuple[str, str, str]:
    return stage["title"], stage["description"], stage["deliverables"]


def _lines(rows: list[dict[str, Any]]) -> tuple[LineSpec, ...]:
    return tuple(
        LineSpec(BudgetCategory(row["category"]), row["weight"], row["kk"], row["ru"])
        for row in rows
    )


@cache
def profiles() -> dict[str, Profile]:
    """Types of plan by name."""
    result = {}
    for name, row in load("delivery")["profile"].items():
        stages = tuple(Stage(_texts(s["kk"]), _texts(s["ru"])) for s in row["stage"])
        if len(stages) != 5:
            raise ValueError(f"profile {name} has {len(stages)} stages, not 5")
        result[name] = Profile(
            stages, row["main_weight"], _lines(row["line"]), row.get("advance", 0)
        )
    return result


@cache
def deliveries() -> dict[str, KindDelivery]:
    """How each kind of project (a key of `projects.kinds()`) is planned."""
    result = {}
    for kind, row in load("delivery")["kind"].items():
        main = row["main"]
        supplies = row.get("supplies", {"kk": "", "ru": ""})
        result[kind] = KindDelivery(
            row["profile"],
            (BudgetCategory(main["category"]), main["kk"], main["ru"]),
            tuple(row["reach"]),
            (supplies["kk"], supplies["ru"]),
            _lines(row.get("line", [])),
        )
    return result


class Narrative(NamedTuple):
    """What a grantee writes in a report: the template of a finished milestone's and of a draft;
    fields {title}, {description}, {deliverables}, {people}, {progress}."""

    done: str
    draft: str


@cache
def narratives() -> dict[str, Narrative]:
    """Report templates by language."""
    return {lang: Narrative(**row) for lang, row in load("reports")["narrative"].items()}


@cache
def revision_threads() -> dict[str, tuple[tuple[str, str], ...]]:
    """(officer's request, grantee's reply) when a report goes back for revision, by language."""
    return {
        lang: tuple((row["request"], row["reply"]) for row in rows)
        for lang, rows in load("reports")["revision"].items()
    }


def stage_text(stage: Stage, lang: str, kind: KindDelivery) -> tuple[str, str, str]:
    """A stage's title, description and deliverables in `lang`, for a project of `kind`."""
    supplies = kind.supplies[0 if lang == "kk" else 1]
    title, description, deliverables = (t.format(s=supplies) for t in getattr(stage, lang))
    return title[0].upper() + title[1:], description, deliverables
