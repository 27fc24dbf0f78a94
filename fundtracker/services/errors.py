"""Domain errors: their messages are lazily translated, shown to users as they are."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the fund was broken; `message` is a (lazy) translatable string."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor may not do this."""


class Conflict(DomainError):
    """The data changed or already exists."""


class LoginThrottled(DomainError):
    """Too many failed logins for this account or address."""


class InvalidCredentials(DomainError):
    """Wrong email or password, or an inactive account."""


class InvalidToken(DomainError):
    """An emailed link that is wrong, used or expired."""
