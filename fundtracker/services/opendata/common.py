"""What the 360Giving and IATI files share: who publishes, which projects, and clean text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fundtracker.core.text import clean_line, clean_text
from fundtracker.models import Application, Project
from fundtracker.services.transparency import public_project_clause

# The copies of the standards' schemas shipped with the package (fundtracker/standards/README.md).
STANDARDS = Path(str(resources.files("fundtracker") / "standards"))

# The language of the one-language fields of 360Giving: English where the project has it, else
# Russian, else Kazakh (IATI carries every language the project has, each with its xml:lang).
GIVING_LANGUAGES = ("en", "ru", "kk")
IATI_LANGUAGES = ("kk", "ru", "en")

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

# Characters XML 1.0 cannot carry at all (lxml refuses them, a parser would too): C0 controls
# but tab and line breaks, surrogates and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Publisher:
    """Who the files say publishes and funds the grants (settings FUND_ORG_ID, FUND_NAME,
    OPENDATA_360G_PREFIX, OPENDATA_LICENSE)."""

    org_id: str
    name: str
    prefix: str
    license: str = DEFAULT_LICENSE

    @classmethod
    def from_config(cls, config) -> Publisher:
        return cls(
            org_id=config["FUND_ORG_ID"],
            name=config["FUND_NAME"],
            prefix=config["OPENDATA_360G_PREFIX"],
            license=config.get("OPENDATA_LICENSE") or DEFAULT_LICENSE,
        )


def line(value: str | None) -> str:
    """One-line text as published: cleaned (fundtracker.core.text) and safe in XML."""
    return _NOT_XML.sub("", clean_line(value or "") or "")


def text(value: str | None) -> str:
    """Multi-line text as published."""
    return _NOT_XML.sub("", clean_text(value or "") or "")


def first_language(obj, field: str, *, one_line: bool = True) -> str:
    """`field` in the first language of GIVING_LANGUAGES in which it is not empty after
    cleaning."""
    clean = line if one_line else text
    for code in GIVING_LANGUAGES:
        value = clean(getattr(obj, f"{field}_{code}", ""))
        if value:
            return value
    return ""


def per_language(obj, field: str, *, one_line: bool = True) -> list[tuple[str, str]]:
    """[(language, text)] for each language in which `field` is not empty after cleaning."""
    clean = line if one_line else text
    out = []
    for code in IATI_LANGUAGES:
        value = clean(getattr(obj, f"{field}_{code}", ""))
        if value:
            out.append((code, value))
    return out


def tenge(tiyn: int) -> int | float:
    """An amount in tiyn as a number of tenge: an int when whole (exact at any size)."""
    whole, rest = divmod(tiyn, 100)
    return whole if rest == 0 else round(tiyn / 100, 2)


def tenge_decimal(tiyn: int) -> str:
    """An amount in tiyn as an exact xsd:decimal of tenge."""
    whole, rest = divmod(tiyn, 100)
    return str(whole) if rest == 0 else f"{whole}.{rest:02d}"


def iso_datetime(value: datetime | None) -> str:
    """An aware datetime as RFC 3339 in UTC, to the second."""
    value = value or datetime.now(UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_projects(session: Session) -> list[Project]:
    """The public projects (fundtracker.services.transparency), by code, with what the files
    need loaded up front."""
    return list(
        session.scalars(
            select(Project)
            .where(public_project_clause())
            .options(
                selectinload(Project.organisation),
                selectinload(Project.area),
                selectinload(Project.regions),
                selectinload(Project.tranches),
            )
            .order_by(Project.code)
        )
    )


def calls_of(session: Session, projects: list[Project]) -> dict:
    """{project id: the call its application answered} for the projects that came from one."""
    ids = [p.id for p in projects]
    if not ids:
        return {}
    rows = session.scalars(
        select(Application)
        .where(Application.project_id.in_(ids))
        .options(selectinload(Application.call))
    )
    return {a.project_id: a.call for a in rows}
