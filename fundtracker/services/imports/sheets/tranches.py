"""Payment tranches with the payments made, matched within a project by their milestone's title,
or by the planned date for a tranche tied to no milestone. A project's tranches add up to its
award."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker.models import Tranche, TrancheStatus, utcnow
from fundtracker.services.imports import touch
from fundtracker.services.imports.core import (
    CHOICE,
    DATE,
    LINE,
    MESSAGES,
    MONEY,
    UNCHANGED,
    Column,
    Context,
    Row,
    Sheet,
    money_text,
    register,
)
from fundtracker.services.imports.sheets.common import (
    PROJECT_CODE,
    check_project,
    find_project,
    first_seen,
    norm_key,
    plan,
    present,
    project_award,
)
from fundtracker.services.imports.sheets.milestones import existing_milestones


@register
class Tranches(Sheet):
    key = "tranches"
    label = _l("Tranches")
    order = 70
    columns = (
        PROJECT_CODE,
        Column(
            "milestone",
            _l("Milestone"),
            LINE,
            max_length=300,
            width=40,
            example="Орталық жабдықталды",
        ),
        Column("planned_date", _l("Planned date"), DATE, required=True, example="15.07.2026"),
        Column("amount", _l("Amount, ₸"), MONEY, required=True, example="12 500 000"),
        Column("status", _l("Status"), CHOICE, choices="tranche_statuses", example="paid"),
        Column("paid_on", _l("Paid on"), DATE, example="20.07.2026"),
        Column(
            "payment_reference", _l("Payment reference"), LINE, max_length=100, example="ПП-000123"
        ),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        existing = _existing(ctx)
        milestones = existing_milestones(ctx)
        planned_milestones = ctx.planned.get("milestones", {})
        listed: dict[str, dict[str, Any]] = {}  # project key -> first row, amounts, matched ids
        for row in rows:
            if not check_project(ctx, self.key, row) or not row.ok:
                continue
            v = row.values
            code = v["project_code"]
            title = v.get("milestone") or ""
            if title:
                mkey = (norm_key(code), norm_key(title))
                if mkey not in milestones and mkey not in planned_milestones:
                    ctx.problem(
                        self.key,
                        row.number,
                        "milestone",
                        "unknown_milestone",
                        value=title,
                        code=str(code),
                    )
                    continue
                key = (norm_key(code), "m", norm_key(title))
            else:
                key = (norm_key(code), "d", v["planned_date"])
            if not first_seen(ctx, self.key, row, key):
                continue
            tranche = existing.get(key)
            if not self._row_ok(ctx, row, tranche):
                continue
            status = v.get("status") or (tranche.status if tranche else TrancheStatus.PLANNED)
            new = present(
                row,
                {k: v.get(k) for k in ("planned_date", "amount", "paid_on", "payment_reference")},
            )
            new["status"] = status
            if tranche is None:
                new.update(project_code=code, milestone=title)
            current = _current(tranche) if tranche is not None else None
            label = f"{code} · {title or v['planned_date'].strftime('%d.%m.%Y')}"
            plan(ctx, self.key, row, label, tranche, new, current)
            entry = listed.setdefault(norm_key(code), {"row": row, "sum": 0, "ids": set()})
            entry["sum"] += v["amount"]
            if tranche is not None:
                entry["ids"].add(tranche.id)
        self._check_sums(ctx, listed, existing)

    def _row_ok(self, ctx: Context, row: Row, tranche: Tranche | None) -> bool:
        v = row.values

        def problem(column, code, **params):
            row.ok = False
            ctx.problem(self.key, row.number, column, code, **params)

        if v["amount"] <= 0:
            problem("amount", "amount_not_positive")
        status = v.get("status") or (tranche.status if tranche else TrancheStatus.PLANNED)
        if status == TrancheStatus.PAID:
            if not v.get("paid_on"):
                problem("paid_on", "paid_needs_date")
            elif v["paid_on"] > ctx.today:
                problem("paid_on", "paid_in_future")
            if not v.get("payment_reference"):
                problem("payment_reference", "paid_needs_reference")
        elif v.get("paid_on"):
            problem("paid_on", "paid_on_unpaid")
        if tranche is not None and tranche.status == TrancheStatus.PAID:
            was = (tranche.amount, tranche.paid_on, tranche.payment_reference, TrancheStatus.PAID)
            now = (
                v["amount"],
                v.get("paid_on", tranche.paid_on),
                v.get("payment_reference", tranche.payment_reference),
                status,
            )
            if was != now:
                problem("amount", "payment_is_record")
        return row.ok

    def _check_sums(self, ctx: Context, listed: dict, existing: dict) -> None:
        by_project: dict[int, list[Tranche]] = {}
        for tranche in existing.values():
            by_project.setdefault(tranche.project_id, []).append(tranche)
        for entry in listed.values():
            row = entry["row"]
            code = row.values["project_code"]
            award = project_award(ctx, code)
            project = find_project(ctx, code)
            others = 0
            if project is not None:
                others = sum(
                    t.amount for t in by_project.get(project.id, ()) if t.id not in entry["ids"]
                )
            total = entry["sum"] + others
            if award is not None and total != award:
                ctx.problem(
                    self.key,
                    row.number,
                    "amount",
                    "tranches_not_award",
                    code=str(code),
                    total=money_text(total),
                    award=money_text(award),
                )

    def apply(self, ctx: Context) -> None:
        milestones = existing_milestones(ctx)
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            values = change.values
            tranche = change.target
            if tranche is None:
                code = values["project_code"]
                milestone = None
                if values.get("milestone"):
                    milestone = milestones[(norm_key(code), norm_key(values["milestone"]))]
                tranche = Tranche(project=find_project(ctx, code), milestone=milestone)
                ctx.session.add(tranche)
            for name in ("planned_date", "amount", "status"):
                if name in values:
                    setattr(tranche, name, values[name])
            if "payment_reference" in values:
                tranche.payment_reference = values["payment_reference"] or ""
            if "paid_on" in values:
                tranche.paid_on = values["paid_on"]
            approved = tranche.status in (TrancheStatus.APPROVED, TrancheStatus.PAID)
            if approved and tranche.approved_at is None:
                tranche.approved_at, tranche.approved_by_id = utcnow(), ctx.actor.id
            if tranche.status == TrancheStatus.PAID and tranche.paid_by_id is None:
                tranche.paid_by_id = ctx.actor.id
            touch(ctx, tranche.project, self.key, change.action)
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        return [
            dict(
                _current(t),
                project_code=project.code,
                milestone=t.milestone.title if t.milestone else "",
                amount=Decimal(t.amount) / 100,
            )
            for project in projects
            for t in project.tranches
        ]


def _current(tranche: Tranche) -> dict[str, Any]:
    return {
        "planned_date": tranche.planned_date,
        "amount": tranche.amount,
        "status": tranche.status,
        "paid_on": tranche.paid_on,
        "payment_reference": tranche.payment_reference,
    }


def _existing(ctx: Context) -> dict[tuple, Tranche]:
    rows = ctx.session.scalars(
        select(Tranche).options(joinedload(Tranche.project), joinedload(Tranche.milestone))
    )
    out: dict[tuple, Tranche] = {}
    for t in rows:
        code = norm_key(t.project.code)
        if t.milestone is not None:
            out[(code, "m", norm_key(t.milestone.title))] = t
        else:
            out.setdefault((code, "d", t.planned_date), t)
    return out


MESSAGES.update(
    {
        "unknown_milestone": _l("Project %(code)s has no milestone “%(value)s”."),
        "amount_not_positive": _l("A tranche's amount is more than zero."),
        "paid_needs_date": _l("A paid tranche needs the date it was paid on."),
        "paid_needs_reference": _l("A paid tranche needs its payment reference."),
        "paid_in_future": _l("The payment date cannot be in the future."),
        "paid_on_unpaid": _l("Only a paid tranche has a payment date."),
        "payment_is_record": _l(
            "This tranche is paid: its payment is a record and an import does not change it."
        ),
        "tranches_not_award": _l(
            "Project %(code)s's tranches add up to %(total)s ₸, but its award is %(award)s ₸."
        ),
    }
)
