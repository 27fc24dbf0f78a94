"""The append-only audit log (issue #19). Placeholder: the audit change fills it in."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def record(
    session: Session,
    actor: Any,
    action: str,
    *,
    target: Any = None,
    details: dict | None = None,
    address: str | None = None,
) -> None:
    """Write one audit event in the caller's transaction (flushed, never committed)."""
