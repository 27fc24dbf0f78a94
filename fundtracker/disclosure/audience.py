"""Who sees outcome figures raw. The one rule: fund staff inside the app, and a grantee for its
own project's figures (it reported them). Everyone else (the board, and whatever leaves the fund:
PDFs, exports, open data) sees only published, protected figures."""

from __future__ import annotations

from fundtracker import permissions


def sees_raw(user, project=None) -> bool:
    """Raw, live figures: staff for any project or the portfolio, a grantee for its own."""
    if permissions.is_staff(user):
        return True
    return project is not None and permissions.is_own_grantee(user, project)


def protected(user, project=None) -> bool:
    return not sees_raw(user, project)
