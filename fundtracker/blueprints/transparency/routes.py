"""Views of the transparency blueprint (issue #20)."""

from fundtracker.blueprints.transparency import bp  # noqa: F401
