"""Payments from a bank or 1C statement, matched to approved tranches (issue #24)."""

from fundtracker.blueprints.imports import bp  # noqa: F401
