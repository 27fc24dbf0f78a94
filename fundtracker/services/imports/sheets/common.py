"""Columns several sheets share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from fundtracker.services.imports.core import BIN, LINE, Column

PROJECT_CODE = Column(
    "project_code", _l("Project code"), LINE, required=True, max_length=32, example="QH-2026-001"
)
ORGANISATION_BIN = Column(
    "organisation_bin", _l("Organisation BIN"), BIN, required=True, example="220140000008"
)
