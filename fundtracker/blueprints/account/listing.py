"""Sign-in sessions as a page shows them (the user's own page, and the admin's of a user)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from fundtracker.models.sessions import UserSession


def device_label(row: UserSession) -> str:
    """ "Firefox on Windows", as far as the browser's user agent told."""
    if row.browser and row.platform:
        return _("%(browser)s on %(platform)s", browser=row.browser, platform=row.platform)
    if row.browser:
        return row.browser
    if row.platform:
        return _("A browser on %(platform)s", platform=row.platform)
    return _("Unknown device")


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    address: str
    user_agent: str
    started: datetime
    last_used: datetime
    remember: bool
    this_device: bool


def session_rows(rows: list[UserSession], current_id: int | None) -> list[SessionRow]:
    """The rows for the table, the browser asking first."""
    listed = [
        SessionRow(
            id=row.id,
            device=device_label(row),
            address=row.address,
            user_agent=row.user_agent,
            started=row.created_at,
            last_used=row.last_used_at,
            remember=row.remember,
            this_device=row.id == current_id,
        )
        for row in rows
    ]
    return sorted(listed, key=lambda item: not item.this_device)
