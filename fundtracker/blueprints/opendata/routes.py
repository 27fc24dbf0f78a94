"""Views of the opendata blueprint (issue #20)."""

from fundtracker.blueprints.opendata import bp  # noqa: F401
