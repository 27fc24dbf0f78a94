"""Importing a portfolio workbook: template, upload, preview, confirm, progress (issue #24)."""

from fundtracker.blueprints.imports import bp  # noqa: F401
