"""Organisations, matched by BIN."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker.models import Organisation, Region
from fundtracker.services.imports.core import (
    BIN,
    CHOICE,
    EMAIL,
    LINE,
    UNCHANGED,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import first_seen, plan, present


@register
class Organisations(Sheet):
    key = "organisations"
    label = _l("Organisations")
    order = 10
    columns = (
        Column("bin", _l("BIN"), BIN, required=True, example="220140000008", width=14),
        Column(
            "name",
            _l("Name"),
            LINE,
            required=True,
            max_length=255,
            width=40,
            example="Қоғамдық қор «Мейірім»",
        ),
        Column(
            "region",
            _l("Region"),
            CHOICE,
            required=True,
            choices="regions",
            example="Almaty Region",
        ),
        Column("address", _l("Address"), LINE, max_length=500, width=30),
        Column("contact_name", _l("Contact person"), LINE, max_length=200, width=24),
        Column("contact_email", _l("Contact email"), EMAIL, width=24),
        Column("contact_phone", _l("Contact phone"), LINE, max_length=50),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        planned = ctx.planned.setdefault("organisations", {})
        bins = [r.values["bin"] for r in rows if r.values.get("bin")]
        existing = {
            o.bin: o
            for o in ctx.session.scalars(
                select(Organisation)
                .options(joinedload(Organisation.region))
                .where(Organisation.bin.in_(bins))
            )
        }
        ctx.state["organisations_by_bin"] = existing
        for row in rows:
            bin_ = row.values.get("bin")
            if bin_ is None:
                continue
            planned.setdefault(bin_, row.number)
            if not first_seen(ctx, self.key, row, bin_) or not row.ok:
                continue
            organisation = existing.get(bin_)
            new = present(row, {k: row.values.get(k) for k in FIELDS})
            current = None
            if organisation is not None:
                current = {k: getattr(organisation, k) for k in FIELDS if k != "region"}
                current["region"] = organisation.region.code
            plan(ctx, self.key, row, bin_, organisation, new, current)

    def apply(self, ctx: Context) -> None:
        regions = {r.code: r for r in ctx.session.scalars(select(Region))}
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            organisation = change.target
            if organisation is None:
                organisation = Organisation(
                    bin=change.key, address="", contact_name="", contact_email="", contact_phone=""
                )
                ctx.session.add(organisation)
            for name, value in change.values.items():
                if name == "region":
                    organisation.region = regions[value]
                else:
                    setattr(organisation, name, value or "")
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        seen: dict[int, Organisation] = {}
        for project in projects:
            seen.setdefault(project.organisation_id, project.organisation)
        return [
            {
                "bin": o.bin,
                "name": o.name,
                "region": o.region.code,
                "address": o.address,
                "contact_name": o.contact_name,
                "contact_email": o.contact_email,
                "contact_phone": o.contact_phone,
            }
            for o in sorted(seen.values(), key=lambda o: o.bin)
        ]


FIELDS = ("name", "region", "address", "contact_name", "contact_email", "contact_phone")
