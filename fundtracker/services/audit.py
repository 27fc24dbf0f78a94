"""The append-only audit log (issue #19): who did what, to what, when and from where.

`record` writes one event in the caller's transaction (flushed, never committed), so an event
is kept exactly when the action it tells of is. Rows are never updated or deleted: triggers made
by migration 0018 refuse it on both databases.

The chain. Every row holds `prev_hash`, the `hash` of the row before it (GENESIS for the first),
and its own `hash`: the SHA-256, as lower-case hex, of the UTF-8 bytes of the canonical JSON of
its fields (`canonical`): keys id, created_at, actor_id, actor_email, actor_role, action,
target_type, target_id, target_label, details, address and prev_hash, sorted, with no spaces
(separators "," and ":"), non-ASCII written as it is; created_at as UTC
"YYYY-MM-DDTHH:MM:SS.ffffffZ"; details as the JSON text stored in the row. Ids are given by
the writer (the last id + 1), so they follow each other without gaps. `verify` walks the rows in
id order and finds the first one that was altered (its hash does not match its fields), missing
(a gap in the ids) or chained to the wrong row (its prev_hash is not the previous row's hash).

Writers take turns: on PostgreSQL the writer takes a transaction-level advisory lock before it
reads the last row, held until its transaction ends, so two transactions cannot both chain to
the same row (and a unique prev_hash makes sure). On SQLite a writing transaction holds the
database's write lock from its BEGIN IMMEDIATE (core/db_events.py) already.

What goes in `details`: a small JSON object (at most MAX_DETAILS characters) of names, codes,
amounts and statuses. Never passwords, codes, tokens, secrets or children's health figures;
keys that look like secrets are refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, inspect, select, text
from sqlalchemy.orm import Session

from fundtracker.core.time import start_of, to_local
from fundtracker.models import AuditEvent, utcnow

GENESIS = "0" * 64
# pg_advisory_xact_lock's key for "writing the audit log" (any constant; 'AUDITLOG' in ASCII).
LOCK_KEY = 0x4155444954_4C4F47
MAX_DETAILS = 2000
# A key of `details` holding any of these is refused: secrets never reach the log.
SECRET_WORDS = ("password", "secret", "token", "otp", "recovery", "credential", "private")

# The client address of the request being served, noted by the web layer (web.audit) so that
# the events services record, knowing nothing of requests, carry it too. Empty elsewhere (the
# scheduler, the command line).
request_address: ContextVar[str] = ContextVar("audit_request_address", default="")

FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_email",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "details",
    "address",
    "prev_hash",
)


# Writing ----------------------------------------------------------------------------------------


def record(
    session: Session,
    actor: Any,
    action: str,
    *,
    target: Any = None,
    details: dict | None = None,
    address: str | None = None,
) -> AuditEvent:
    """Write one audit event in the caller's transaction (flushed, never committed).

    `actor`: the user who acted, or None for the system (the scheduler, the command line);
    `action`: a dotted code ("payment.recorded"); `target`: the model instance acted on (its
    table name, primary key and a short label are kept) or None; `details`: a small JSON-able
    dict without secrets; `address`: the client's address (by default the address of the
    request being served, see `request_address`)."""
    if address is None:
        address = request_address.get()
    event = AuditEvent(
        action=action[:64],
        details=_details(details),
        address=(address or "")[:64],
        **_actor(actor),
        **_target(session, target),
    )
    _take_turn(session)
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    event.created_at = utcnow()  # once it is this writer's turn: times follow the ids
    event.id = last.id + 1 if last else 1
    event.prev_hash = last.hash if last else GENESIS
    event.hash = digest(event)
    session.add(event)
    session.flush()
    return event


def _take_turn(session: Session) -> None:
    """Wait for any other transaction writing the log to end (PostgreSQL; on SQLite the
    transaction holds the write lock already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _actor(actor: Any) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", True):
        return {"actor_id": None, "actor_email": "", "actor_role": ""}
    role = getattr(actor, "role", "")
    return {
        "actor_id": actor.id,
        "actor_email": (actor.email or "")[:254],
        "actor_role": str(getattr(role, "value", role) or "")[:20],
    }


def _target(session: Session, target: Any) -> dict:
    if target is None:
        return {"target_type": "", "target_id": "", "target_label": ""}
    state = inspect(target)
    if state.identity is None:  # a new object: flushed for its id
        session.flush()
    key = state.identity
    return {
        "target_type": state.mapper.persist_selectable.name[:64],
        "target_id": ",".join(str(k) for k in key)[:64],
        "target_label": label_of(target)[:200],
    }


def label_of(target: Any) -> str:
    """A short name of an object for people reading the log: its email, code, period, file
    name or title; else its project's code."""
    for attribute in (
        "email",
        "code",
        "period",
        "original_name",
        "agreement_number",
        "title",
        "number",
    ):
        value = getattr(target, attribute, None)
        if isinstance(value, str) and value:
            return value
    project = getattr(target, "project", None)
    code = getattr(project, "code", None)
    return code if isinstance(code, str) else ""


def _details(details: dict | None) -> str:
    if not details:
        return "{}"
    for key in details:
        if any(word in str(key).lower() for word in SECRET_WORDS):
            raise ValueError(f"audit details may not hold secrets ({key!r})")
    written = json.dumps(
        details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    if len(written) > MAX_DETAILS:
        raise ValueError(f"audit details are too long ({len(written)} characters)")
    return written


# The chain --------------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: Any) -> str:
    """The text a row's hash is taken of (anything with the row's fields as attributes)."""
    fields = {name: getattr(event, name) for name in FIELDS}
    fields["created_at"] = _stamp(fields["created_at"])
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(event: Any) -> str:
    return hashlib.sha256(canonical(event).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: `checked` rows in order before the first broken one (all of them
    when `broken_id` is None), and why that one is broken."""

    checked: int
    last_hash: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify(session: Session, batch: int = 1000) -> Verdict:
    """Walk the chain in id order, working every hash out again."""
    expected_id, previous, checked = 1, GENESIS, 0
    rows = session.execute(
        select(AuditEvent.__table__).order_by(AuditEvent.id).execution_options(yield_per=batch)
    )
    for row in rows:
        if row.id != expected_id:
            reason = (
                f"gap in the ids: row {row.id} follows row {expected_id - 1}"
                if row.id > expected_id
                else f"row {row.id} is out of order"
            )
            return Verdict(checked, previous, row.id, reason)
        if row.prev_hash != previous:
            return Verdict(
                checked,
                previous,
                row.id,
                f"wrong prev_hash: it is not the hash of row {row.id - 1}",
            )
        if digest(row) != row.hash:
            return Verdict(checked, previous, row.id, "altered: its fields do not match its hash")
        previous, expected_id, checked = row.hash, expected_id + 1, checked + 1
    return Verdict(checked, previous)


# Reading: the admin page and its export -----------------------------------------------------------


def action_labels() -> dict[str, Any]:
    """Every action code written by the app, with what the admin page calls it."""
    return {
        "auth.signed_in": _l("Signed in"),
        "auth.sign_in_failed": _l("Sign-in failed"),
        "auth.reauthenticated": _l("Identity confirmed again"),
        "2fa.totp_enabled": _l("Authenticator app turned on"),
        "2fa.totp_removed": _l("Authenticator app removed"),
        "2fa.recovery_codes_generated": _l("New recovery codes made"),
        "2fa.recovery_code_used": _l("Recovery code used"),
        "2fa.passkey_added": _l("Passkey added"),
        "2fa.passkey_removed": _l("Passkey removed"),
        "2fa.reset_by_admin": _l("Two-factor sign-in reset by an admin"),
        "session.ended": _l("Session ended"),
        "user.created": _l("Account created"),
        "user.invited": _l("Invitation sent"),
        "user.updated": _l("Account changed"),
        "user.role_changed": _l("Role changed"),
        "user.activated": _l("Account activated"),
        "user.deactivated": _l("Account deactivated"),
        "member.invited": _l("Colleague invited by their organisation"),
        "member.invitation_resent": _l("Colleague's invitation sent again"),
        "member.removed": _l("Colleague removed by their organisation"),
        "member.manager_granted": _l("Made a manager of the organisation's people"),
        "member.manager_given_up": _l("No longer a manager of the organisation's people"),
        "payment.recorded": _l("Payment recorded"),
        "tranche.approved": _l("Tranche approved for payment"),
        "application.decided": _l("Application decided"),
        "application.status_changed": _l("Application status changed"),
        "publication.published": _l("Outcome period published"),
        "file.opened": _l("File opened"),
        "report.downloaded": _l("Report downloaded"),
        "export.downloaded": _l("List exported"),
        "import.applied": _l("Portfolio data imported"),
        "import.bank_applied": _l("Payments imported from a bank statement"),
        "audit.exported": _l("Audit log exported"),
        "backup.made": _l("Backup made"),
        "keys.rotated": _l("Encryption keys rotated"),
        "api_token.created": _l("API token created"),
        "api_token.revoked": _l("API token revoked"),
        "project.publicity_changed": _l("Project's open-data setting changed"),
        "board.thresholds_changed": _l("Board thresholds changed"),
        "board.meeting_created": _l("Board meeting planned"),
        "board.meeting_held": _l("Board meeting recorded as held"),
        "board.meeting_deleted": _l("Board meeting deleted"),
        "board.item_added": _l("Item put on a board meeting's agenda"),
        "board.item_removed": _l("Item taken off a board meeting's agenda"),
        "board.decision_recorded": _l("Board decision recorded"),
        "inkind.item_added": _l("In-kind catalogue item added"),
        "inkind.item_changed": _l("In-kind catalogue item changed"),
        "wellbeing.domain_added": _l("Child well-being domain added"),
        "wellbeing.domain_changed": _l("Child well-being domain changed"),
        "wellbeing.domain_deleted": _l("Child well-being domain deleted"),
        "payment_request.account_mismatch": _l("Payment request with another bank account refused"),
    }


def known_actions(session: Session) -> dict[str, Any]:
    """The actions to filter by: the labelled ones and any other code found in the log (shown
    as it is), by label."""
    labels = action_labels()
    found = session.scalars(select(AuditEvent.action).distinct())
    choices = {**labels, **{code: code for code in found if code not in labels}}
    return dict(sorted(choices.items(), key=lambda item: str(item[1]).casefold()))


def target_types(session: Session) -> list[str]:
    return [
        t
        for t in session.scalars(select(AuditEvent.target_type).distinct().order_by("target_type"))
        if t
    ]


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # part of the actor's email
    action: str = ""
    target_type: str = ""
    date_from: date | None = None  # Almaty days, both included
    date_to: date | None = None

    def as_details(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v
        }


def events(flt: AuditFilter) -> Select:
    """The events the filter lets through, newest first: a select to page (`db.paginate`)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if flt.actor.strip():
        needle = flt.actor.strip().lower()
        query = query.where(func.lower(AuditEvent.actor_email).contains(needle, autoescape=True))
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.target_type:
        query = query.where(AuditEvent.target_type == flt.target_type)
    if flt.date_from is not None:
        query = query.where(AuditEvent.created_at >= start_of(flt.date_from))
    if flt.date_to is not None:
        query = query.where(AuditEvent.created_at < start_of(flt.date_to + timedelta(days=1)))
    return query


MAX_EXPORT = 100_000


def details_text(event: AuditEvent) -> str:
    """The details as "key: value" pairs, for reading."""
    try:
        data = json.loads(event.details or "{}")
    except ValueError:
        return event.details
    if not isinstance(data, Mapping):
        return event.details
    return "; ".join(f"{k}: {_plain(v)}" for k, v in data.items())


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def export_rows(session: Session, flt: AuditFilter, labels: Mapping[str, Any]) -> list[list]:
    """The filtered events, newest first, as rows for the CSV (at most MAX_EXPORT): id, time in
    Almaty, actor's email and role, action code and label, target, details, address, hash."""
    rows = []
    for event in session.scalars(events(flt).limit(MAX_EXPORT)):
        rows.append(
            [
                event.id,
                to_local(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_email,
                event.actor_role,
                event.action,
                str(labels.get(event.action, event.action)),
                event.target_type,
                event.target_id,
                event.target_label,
                details_text(event),
                event.address,
                event.hash,
            ]
        )
    return rows
