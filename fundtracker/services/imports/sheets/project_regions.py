"""The regions a project works in: a project listed here has exactly the regions listed for it;
a project not listed keeps its regions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker.models import Region
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    CHOICE,
    UNCHANGED,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import (
    PROJECT_CODE,
    check_project,
    find_project,
    first_seen,
    norm_key,
    plan,
)


@register
class ProjectRegions(Sheet):
    key = "project_regions"
    label = _l("Project regions")
    order = 40
    columns = (
        PROJECT_CODE,
        Column(
            "region",
            _l("Region"),
            CHOICE,
            required=True,
            choices="regions",
            example="Almaty Region",
        ),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        wanted: dict[str, tuple[int, Any, set[str]]] = {}  # project key -> first row, code, regions
        for row in rows:
            if not check_project(ctx, self.key, row) or not row.ok:
                continue
            code = row.values["project_code"]
            region = row.values["region"]
            if not first_seen(ctx, self.key, row, (norm_key(code), region)):
                continue
            wanted.setdefault(norm_key(code), (row.number, code, set()))[2].add(region)
        for number, code, regions in wanted.values():
            project = find_project(ctx, code)
            new = {"regions": ", ".join(sorted(regions))}
            current = None
            if project is not None:
                current = {"regions": ", ".join(sorted(r.code for r in project.regions))}
            row = Row(self.key, number, {})
            plan(ctx, self.key, row, code, project, new, current).values["codes"] = regions

    def apply(self, ctx: Context) -> None:
        regions = {r.code: r for r in ctx.session.scalars(select(Region))}
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            project = find_project(ctx, change.key)
            project.regions = [regions[code] for code in sorted(change.values["codes"])]
            touch(ctx, project, self.key, change.action)
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        return [
            {"project_code": project.code, "region": region.code}
            for project in projects
            for region in project.regions
        ]
