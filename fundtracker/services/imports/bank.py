"""Payments from a bank or 1C statement (CSV), matched to approved tranches (issue #24).

A line is a payment to a grantee: date, amount, reference (the payment order's number),
purpose and the recipient's BIN. It matches an APPROVED tranche of an organisation with that
BIN and that amount; when several fit, the one whose project code or agreement number the
purpose or reference names. A line whose reference is already recorded on a paid tranche of
that organisation, for that amount, is "recorded" (a statement imported twice changes nothing).
Everything else is listed with the reason it did not match. Confirming records every matched
line (and each ambiguous line the officer chose a tranche for) through
`payments.record_payment`, in the caller's one transaction: all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import (
    ImportBatch,
    ImportKind,
    ImportStatus,
    Organisation,
    Project,
    Tranche,
    TrancheStatus,
    User,
    utcnow,
)
from fundtracker.services import audit, payments
from fundtracker.services.errors import Conflict, DomainError, NotAllowed
from fundtracker.services.imports import batches
from fundtracker.services.imports.core import (
    MESSAGES,
    CellProblem,
    Problem,
    parse_date,
    parse_money,
)

SHEET = "bank"
MAX_LINES = 10_000

# What the columns are called in bank and 1C exports, in kk, ru and en (compared lowercased,
# without spaces or punctuation).
ALIASES = {
    "date": ("дата", "датаплатежа", "датадокумента", "күні", "күн", "date", "valuedate"),
    "amount": ("сумма", "сомасы", "сома", "amount", "дебет", "списано", "debit", "суммадебет"),
    "credit": ("кредит", "поступило", "credit"),
    "reference": (
        "номердокумента",
        "номер",
        "№",
        "nдокумента",
        "құжатнөмірі",
        "reference",
        "documentnumber",
        "номерплатежногопоручения",
    ),
    "purpose": ("назначениеплатежа", "назначение", "төлеммақсаты", "purpose", "details"),
    "bin": (
        "бинполучателя",
        "бин",
        "иинбинполучателя",
        "алушыныңбсн",
        "бсн",
        "recipientbin",
        "bin",
        "бинбенефициара",
    ),
}

MATCHED, AMBIGUOUS, RECORDED, UNMATCHED, IGNORED = (
    "matched",
    "ambiguous",
    "recorded",
    "unmatched",
    "ignored",
)
STATES = (MATCHED, AMBIGUOUS, RECORDED, UNMATCHED, IGNORED)

MESSAGES.update(
    {
        "bank_no_header": _l(
            "The statement's columns were not found: it needs the date, the amount, the "
            "reference and the recipient's BIN."
        ),
        "bank_too_many": _l("A statement may have at most %(max)s lines."),
    }
)

REASONS = {
    "no_organisation": _l("No organisation has this BIN."),
    "no_tranche": _l("No approved tranche of this organisation has this amount."),
    "not_allowed": _l("You may not record payments of this project."),
    "taken": _l("Another line of the statement already pays this tranche."),
    "credit": _l("An incoming payment, not one to a grantee."),
    "no_bin": _l("The line names no recipient BIN."),
}


@dataclass
class Line:
    number: int
    paid_on: date
    amount: int
    reference: str
    purpose: str
    bin: str
    state: str = UNMATCHED
    tranche_id: int | None = None
    candidates: list[int] = field(default_factory=list)
    reason: str = ""

    def as_json(self) -> dict:
        return {
            "line": self.number,
            "paid_on": self.paid_on.isoformat(),
            "amount": self.amount,
            "reference": self.reference,
            "purpose": self.purpose,
            "bin": self.bin,
            "state": self.state,
            "tranche_id": self.tranche_id,
            "candidates": self.candidates,
            "reason": self.reason,
        }


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", str(text or "")).casefold() or str(text or "").strip()


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = _norm(title)
        for key, aliases in ALIASES.items():
            if key not in found and name in aliases:
                found[key] = index
    return found


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read(data: bytes) -> tuple[list[Line], list[Problem]]:
    """The statement's payment lines, and the problems of those that could not be read."""
    text = _decode(data)
    if text is None or "\x00" in text:
        return [], [Problem(SHEET, None, None, "not_a_workbook")]
    sample = text[:4096]
    delimiter = max((";", ",", "\t"), key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    # The header is the first row naming the date and the amount (banks put a title above it).
    start = next(
        (i for i, row in enumerate(rows[:30]) if {"date", "amount"} <= set(_columns(row))), None
    )
    if start is None:
        return [], [Problem(SHEET, None, None, "bank_no_header")]
    columns = _columns(rows[start])
    if len(rows) - start - 1 > MAX_LINES:
        return [], [Problem(SHEET, None, None, "bank_too_many", {"max": MAX_LINES})]
    lines, problems = [], []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        amount_text = cell("amount")
        if not amount_text and cell("credit"):
            lines.append(
                Line(
                    number,
                    date.min,
                    0,
                    cell("reference"),
                    cell("purpose"),
                    "",
                    state=IGNORED,
                    reason="credit",
                )
            )
            continue
        try:
            paid_on = parse_date(cell("date"))
        except CellProblem as problem:
            problems.append(Problem(SHEET, number, "date", problem.code, problem.params))
            continue
        try:
            amount = parse_money(amount_text)
        except CellProblem as problem:
            problems.append(Problem(SHEET, number, "amount", problem.code, problem.params))
            continue
        bin_ = re.sub(r"\D", "", cell("bin"))
        lines.append(Line(number, paid_on, amount, cell("reference"), cell("purpose"), bin_))
    return lines, problems


def match(session: Session, actor: User, lines: list[Line]) -> list[Line]:
    """Each line's state against the tranches as they are now."""
    bins = {line.bin for line in lines if line.bin}
    tranches = session.scalars(
        select(Tranche)
        .join(Tranche.project)
        .join(Project.organisation)
        .options(joinedload(Tranche.project).joinedload(Project.organisation))
        .where(
            Organisation.bin.in_(bins),
            Tranche.status.in_([TrancheStatus.APPROVED, TrancheStatus.PAID]),
        )
        .order_by(Tranche.planned_date, Tranche.id)
    ).all()
    known_bins = set(session.scalars(select(Organisation.bin).where(Organisation.bin.in_(bins))))
    taken: set[int] = set()
    for line in lines:
        if line.state == IGNORED:
            continue
        line.state, line.tranche_id, line.candidates, line.reason = UNMATCHED, None, [], ""
        if not line.bin:
            line.reason = "no_bin"
            continue
        if line.bin not in known_bins:
            line.reason = "no_organisation"
            continue
        mine = [t for t in tranches if t.project.organisation.bin == line.bin]
        recorded = [
            t
            for t in mine
            if t.status == TrancheStatus.PAID
            and t.amount == line.amount
            and line.reference
            and t.payment_reference == line.reference
        ]
        if recorded:
            line.state, line.tranche_id = RECORDED, recorded[0].id
            continue
        fits = [
            t
            for t in mine
            if t.status == TrancheStatus.APPROVED and t.amount == line.amount and t.id not in taken
        ]
        if not fits:
            taken_fit = any(
                t.status == TrancheStatus.APPROVED and t.amount == line.amount for t in mine
            )
            line.reason = "taken" if taken_fit else "no_tranche"
            continue
        allowed = [t for t in fits if permissions.can_manage_payments(actor, t.project)]
        if not allowed:
            line.reason = "not_allowed"
            continue
        if len(allowed) > 1:
            text = f"{line.purpose} {line.reference}".casefold()
            named = [
                t
                for t in allowed
                if t.project.code.casefold() in text
                or (t.project.agreement_number and t.project.agreement_number.casefold() in text)
            ]
            if len(named) == 1:
                allowed = named
        if len(allowed) == 1:
            line.state, line.tranche_id = MATCHED, allowed[0].id
            taken.add(allowed[0].id)
        else:
            line.state, line.candidates = AMBIGUOUS, [t.id for t in allowed]
    return lines


def create(session: Session, actor: User, filename: str, data: bytes) -> ImportBatch:
    if not permissions.can_import(actor):
        raise NotAllowed(_l("You may not import data."))
    lines, problems = read(data)
    match(session, actor, lines)
    batch = batches.new_batch(ImportKind.BANK, actor, filename, data)
    batch.problems = [p.as_json() for p in problems]
    batch.changes = [line.as_json() for line in lines]
    batch.summary = _summary(lines)
    batch.total = sum(1 for line in lines if line.state in (MATCHED, AMBIGUOUS))
    session.add(batch)
    session.flush()
    return batch


def _summary(lines: list[Line]) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in lines:
        out[line.state] = out.get(line.state, 0) + 1
    return out


def confirm(
    session: Session, actor: User, batch: ImportBatch, choices: dict[int, int], day: date
) -> int:
    """Record the matched lines, and each ambiguous one the officer chose a tranche for
    (`choices`: line number -> tranche id), matched again against the tranches as they are now.
    Returns how many payments were recorded. Raises (nothing written) when the statement no
    longer matches as previewed."""
    if not permissions.can_view_import(actor, batch):
        raise NotAllowed(_l("You may not import data."))
    if batch.kind != ImportKind.BANK or batch.status != ImportStatus.CHECKED:
        raise Conflict(_l("This import is no longer waiting for confirmation."))
    lines, _problems = read(batch.data)
    match(session, actor, lines)
    previewed = {c["line"]: c for c in batch.changes or []}
    recorded = 0
    used: set[int] = set()
    for line in lines:
        before = previewed.get(line.number, {})
        tranche_id = None
        if line.state == MATCHED and before.get("state") == MATCHED:
            tranche_id = line.tranche_id
        elif line.state == AMBIGUOUS and choices.get(line.number) in line.candidates:
            tranche_id = choices[line.number]
        elif before.get("state") == MATCHED or (
            before.get("state") == AMBIGUOUS and line.number in choices
        ):
            raise Conflict(
                _l(
                    "Line %(line)s no longer matches as in the preview (its tranche was paid or "
                    "changed meanwhile): nothing was recorded. Upload the statement again.",
                    line=line.number,
                )
            )
        if tranche_id is None or tranche_id in used:
            continue
        used.add(tranche_id)
        tranche = session.get(Tranche, tranche_id)
        payments.record_payment(session, actor, tranche, line.paid_on, line.reference, day)
        recorded += 1
    if not recorded:
        raise DomainError(
            _l("No line of the statement is matched to a tranche: nothing to record.")
        )
    batch.status, batch.done, batch.finished_at = ImportStatus.DONE, recorded, utcnow()
    batch.confirmed_by_id, batch.confirmed_at = actor.id, utcnow()
    audit.record(
        session,
        actor,
        "import.bank_applied",
        target=batch,
        details={"payments": recorded, "file": batch.filename[:200]},
    )
    session.flush()
    return recorded
