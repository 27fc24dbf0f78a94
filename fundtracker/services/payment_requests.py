"""Payment requests from grantees (issue #21).

A grantee requests a tranche once it is payable (planned, and no longer held back by its
milestone: `Tranche.hold_reason`), with the invoice (a file checked as every upload) and the bank
account to pay, which must be the organisation's account on file: staff set it, so that a
changed account cannot divert a payment (a mismatch is refused and audited). The officer approves
the request, which approves the tranche in the same step (its checks, the board's included), or
returns it with a reason; the grantee corrects and sends it again, or withdraws it. However the
tranche is then paid (the payment form, the API, a bank statement: all `payments.record_payment`)
the approved request is paid with it. Each step tells the other side (services/notifier.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundtracker import permissions
from fundtracker.core.storage import Storage
from fundtracker.models import (
    FileKind,
    PaymentRequest,
    RequestStatus,
    StoredFile,
    Tranche,
    TrancheStatus,
    User,
    iban_is_valid,
    utcnow,
)
from fundtracker.services import audit, files, workflow
from fundtracker.services.errors import Conflict, DomainError, NotAllowed

NUMBER_MAX = 100
NOTE_MAX = 2000
REASON_MAX = 2000


def _check_version(request: PaymentRequest, expected: int | None) -> None:
    if expected is not None and request.version_id != expected:
        raise Conflict(
            _l("Someone else changed this request meanwhile. Reload the page and try again.")
        )


def open_request(tranche: Tranche) -> PaymentRequest | None:
    return next((r for r in tranche.payment_requests if r.open), None)


def payable_refusal(tranche: Tranche, today: date):
    """Why the grantee cannot request `tranche` now, or None."""
    if tranche.status != TrancheStatus.PLANNED:
        return _l("This tranche has already been approved for payment.")
    if tranche.hold_reason(today):
        return _l("A tranche can be requested once the milestone it rests on is accepted.")
    if open_request(tranche) is not None:
        return _l("This tranche has already been requested.")
    if not tranche.project.organisation.iban:
        return _l(
            "The fund has no bank account of your organisation yet: ask your officer to record it."
        )
    return None


@dataclass
class RequestData:
    invoice_number: str
    invoice_date: date | None
    iban: str
    bic: str
    kbe: str
    note: str = ""


def normalise_iban(value: str) -> str:
    return "".join((value or "").split()).upper()


def _check(session: Session, actor: User, tranche: Tranche, data: RequestData, today: date):
    number = " ".join((data.invoice_number or "").split())
    if not number or len(number) > NUMBER_MAX:
        raise DomainError(_l("Give the invoice's number."), field="invoice_number")
    if data.invoice_date is None or data.invoice_date > today:
        raise DomainError(_l("Give the invoice's date, not in the future."), field="invoice_date")
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("The note is too long."), field="note")
    iban, bic, kbe = normalise_iban(data.iban), normalise_iban(data.bic), (data.kbe or "").strip()
    if not iban_is_valid(iban):
        raise DomainError(
            _l("This is not a valid IBAN: a Kazakh one is KZ and 18 more letters and digits."),
            field="iban",
        )
    organisation = tranche.project.organisation
    if (iban, bic, kbe) != (organisation.iban, organisation.bic.upper(), organisation.kbe):
        audit.record(
            session,
            actor,
            "payment_request.account_mismatch",
            target=tranche,
            details={"iban_tail": iban[-4:], "bic": bic, "kbe": kbe},
        )
        raise DomainError(
            _l(
                "These bank details do not match the account the fund has on file for your "
                "organisation. Check them, or contact your officer to change the account."
            ),
            field="iban",
        )
    return number, note, iban, bic, kbe


def _store_invoice(
    session, storage, actor, request, uploads: Iterable[files.Upload], stored_keys: list[str]
) -> None:
    def store_one(upload: files.Upload) -> StoredFile:
        stored = files.store(
            session,
            storage,
            actor,
            request.tranche.project,
            upload.stream,
            upload.filename,
            FileKind.EVIDENCE,
        )
        request.files.append(stored)
        return stored

    keys, rejected = files.store_each(storage, uploads, store_one)
    stored_keys.extend(keys)
    if rejected:
        raise DomainError(rejected[0], field="invoice")
    if not [f for f in request.files if not f.is_deleted]:
        raise DomainError(_l("Attach the invoice."), field="invoice")


def request_payment(
    session: Session,
    storage: Storage,
    actor: User,
    tranche: Tranche,
    data: RequestData,
    uploads: Iterable[files.Upload],
    today: date,
    stored_keys: list[str],
) -> PaymentRequest:
    if not permissions.can_request_payment(actor, tranche):
        raise NotAllowed(_l("Only the project's organisation can request its payments."))
    refusal = payable_refusal(tranche, today)
    if refusal is not None:
        raise DomainError(refusal)
    number, note, iban, bic, kbe = _check(session, actor, tranche, data, today)
    request = PaymentRequest(
        tranche=tranche,
        requested_by_id=actor.id,
        requested_at=utcnow(),
        invoice_number=number,
        invoice_date=data.invoice_date,
        iban=iban,
        bic=bic,
        kbe=kbe,
        note=note,
        return_reason="",
    )
    session.add(request)
    session.flush()
    _store_invoice(session, storage, actor, request, uploads, stored_keys)
    workflow.emit(session, actor, request, "payment_requested", amount=tranche.amount)
    return request


def resubmit(
    session: Session,
    storage: Storage,
    actor: User,
    request: PaymentRequest,
    data: RequestData,
    uploads: Iterable[files.Upload],
    today: date,
    expected_version: int | None,
    stored_keys: list[str],
) -> PaymentRequest:
    """The grantee corrects a returned request and sends it again (a new invoice file joins
    the earlier ones)."""
    _check_version(request, expected_version)
    workflow.check_to(actor, request, RequestStatus.SUBMITTED)
    number, note, iban, bic, kbe = _check(session, actor, request.tranche, data, today)
    request.invoice_number, request.invoice_date = number, data.invoice_date
    request.iban, request.bic, request.kbe, request.note = iban, bic, kbe, note
    _store_invoice(session, storage, actor, request, uploads, stored_keys)
    request.requested_at = utcnow()
    workflow.move(session, actor, request, "resubmit", amount=request.tranche.amount)
    return request


def approve_request(
    session: Session, actor: User, request: PaymentRequest, today: date, expected_version
) -> PaymentRequest:
    """Approve the request and, in the same step, its tranche for payment (the tranche's own
    checks apply: its milestone, the board of trustees). The grantee hears of the request."""
    from fundtracker.services import payments  # payments marks requests paid: no cycle at import

    _check_version(request, expected_version)
    workflow.check_to(actor, request, RequestStatus.APPROVED)
    payments.approve(session, actor, request.tranche, today, with_request=True)
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    workflow.move(session, actor, request, "approve", amount=request.tranche.amount)
    return request


def return_request(
    session: Session, actor: User, request: PaymentRequest, reason: str, expected_version
) -> PaymentRequest:
    _check_version(request, expected_version)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError(_l("Say what the grantee should correct."), field="reason")
    workflow.check_to(actor, request, RequestStatus.RETURNED)
    request.return_reason = reason
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    workflow.move(session, actor, request, "return", comment=reason)
    return request


def withdraw(
    session: Session, actor: User, request: PaymentRequest, expected_version
) -> PaymentRequest:
    _check_version(request, expected_version)
    workflow.move(session, actor, request, "withdraw")
    return request


# Called by services/payments.py on every path ----------------------------------------------------


def tranche_approved(session: Session, actor: User | None, tranche: Tranche) -> None:
    """The tranche was approved without its request (a list's bulk approval): the open request
    is approved with it, quietly (the tranche's own event tells the grantee)."""
    request = open_request(tranche)
    if request is not None and request.status == RequestStatus.SUBMITTED:
        request.decided_by_id = actor.id if actor is not None else None
        request.decided_at = utcnow()
        workflow.move(session, None, request, "approve", with_another=True)


def tranche_paid(session: Session, tranche: Tranche) -> None:
    """The tranche was paid: its approved request is paid with it (the payment's event tells the
    grantee)."""
    request = open_request(tranche)
    if request is not None and request.status == RequestStatus.APPROVED:
        workflow.move(session, None, request, "mark_paid", with_another=True)


# Reading ---------------------------------------------------------------------------------------


def requests_of(session: Session, tranche_ids: list[int]) -> dict[int, PaymentRequest]:
    """The latest request of each tranche asked."""
    if not tranche_ids:
        return {}
    latest: dict[int, PaymentRequest] = {}
    for request in session.scalars(
        select(PaymentRequest)
        .where(PaymentRequest.tranche_id.in_(tranche_ids))
        .order_by(PaymentRequest.id)
    ):
        latest[request.tranche_id] = request
    return latest
