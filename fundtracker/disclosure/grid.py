"""The fixed grid of periods outcome figures are published on: calendar quarters, half-years and
years. No other range of dates reaches a protected audience, so that two published figures never
differ by a few days' worth of children."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

_KEY = re.compile(r"^(\d{4})(?:-([QH])([1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """One period of the grid: `kind` is "Q", "H" or "Y"; `n` its number in the year."""

    year: int
    kind: str
    n: int

    @property
    def key(self) -> str:
        return str(self.year) if self.kind == "Y" else f"{self.year}-{self.kind}{self.n}"

    @property
    def months(self) -> int:
        return {"Q": 3, "H": 6, "Y": 12}[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, (self.n - 1) * self.months + 1, 1)

    @property
    def end(self) -> date:
        last = self.n * self.months
        following = date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)
        return following - timedelta(days=1)

    @property
    def quarters(self) -> list[int]:
        """The quarters (1 to 4) the period is made of."""
        first = (self.n - 1) * self.months // 3 + 1
        return list(range(first, first + self.months // 3))

    def parts(self) -> list[Period]:
        """The periods it is made of, one level down: a year its half-years, a half-year its
        quarters."""
        if self.kind == "Y":
            return [Period(self.year, "H", 1), Period(self.year, "H", 2)]
        if self.kind == "H":
            return [Period(self.year, "Q", q) for q in self.quarters]
        return []

    def within(self) -> list[Period]:
        """Every period of the grid inside it, itself included, smallest first."""
        out = [Period(self.year, "Q", q) for q in self.quarters]
        if self.kind in ("H", "Y"):
            out += [h for h in Period(self.year, "Y", 1).parts() if h.quarters[0] in self.quarters]
        if self.kind == "Y":
            out.append(self)
        return out

    def label(self) -> str:
        """ "2026 Q1", "2026 H1", "2026", in the current language."""
        if self.kind == "Q":
            return _("%(year)s Q%(n)s", year=self.year, n=self.n)
        if self.kind == "H":
            return _("%(year)s H%(n)s", year=self.year, n=self.n)
        return str(self.year)

    def __str__(self) -> str:
        return self.key


def parse(key: str) -> Period:
    """A period from its key ("2026-Q1", "2026-H2", "2026"); ValueError if it is none."""
    match = _KEY.match(key or "")
    if not match:
        raise ValueError(key)
    year, kind, n = int(match[1]), match[2] or "Y", int(match[3] or 1)
    if (kind == "H" and n > 2) or year < 2000:
        raise ValueError(key)
    return Period(year, kind, n)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def ended(first_year: int, today: date) -> list[Period]:
    """Every period of the grid from `first_year` that has ended by `today`, newest first."""
    out = []
    for year in range(first_year, today.year + 1):
        out += [p for p in Period(year, "Y", 1).within() if p.end < today]
    return sorted(out, key=lambda p: (p.end, -p.months), reverse=True)
