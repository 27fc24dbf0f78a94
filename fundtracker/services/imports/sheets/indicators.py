"""A project's indicators, matched within the project by the standard indicator's code or, for
a project's own indicator, by its name."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    INT,
    LINE,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import PROJECT_CODE


@register
class Indicators(Sheet):
    key = "indicators"
    label = _l("Indicators")
    order = 80
    columns = (
        PROJECT_CODE,
        Column(
            "standard_code", _l("Standard indicator"), CHOICE, choices="indicator_codes", width=24
        ),
        Column("name", _l("Indicator"), LINE, max_length=300, width=40),
        Column("unit", _l("Unit"), LINE, max_length=60),
        Column("type", _l("Type"), CHOICE, choices="indicator_types", example="count"),
        Column("baseline", _l("Baseline"), INT, example=0),
        Column("target", _l("Target"), INT, example=120),
        Column("direction", _l("Direction"), CHOICE, choices="directions", example="higher"),
        Column("cumulative", _l("Cumulative"), BOOL, example="no"),
        Column("frequency", _l("Frequency"), CHOICE, choices="frequencies", example="quarterly"),
        Column("by_region", _l("By region"), BOOL, example="no"),
        Column("by_sex", _l("By sex"), BOOL, example="yes"),
        Column("by_age", _l("By age group"), BOOL, example="yes"),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
