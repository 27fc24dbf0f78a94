"""The template's sheets, one module each; importing this package registers them in order."""

from fundtracker.services.imports.sheets import (  # noqa: F401
    breakdowns,
    budget_lines,
    indicators,
    milestones,
    organisations,
    project_regions,
    projects,
    results,
    tranches,
    users,
)
