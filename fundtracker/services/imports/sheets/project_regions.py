"""The regions a project works in: a project listed here has exactly the regions listed for it;
a project not listed keeps its regions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.services.imports.core import CHOICE, Column, Context, Row, Sheet, register
from fundtracker.services.imports.sheets.common import PROJECT_CODE


@register
class ProjectRegions(Sheet):
    key = "project_regions"
    label = _l("Project regions")
    order = 40
    columns = (
        PROJECT_CODE,
        Column("region", _l("Region"), CHOICE, required=True, choices="regions", example="Almaty"),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError  # issue #24: being written

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        raise NotImplementedError
