"""What the outcomes views share: the menu's entries, and loading a project, an indicator or a
result with the check that the user may see it."""

from flask import abort
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.core.i18n import current_locale
from fundtracker.models import IndicatorResult, Project, ProjectIndicator
from fundtracker.web import load_or_404


@bp.app_context_processor
def _outcomes_navigation():
    return {
        "outcomes_nav": {
            "portfolio": permissions.can_view_portfolio_outcomes(current_user),
            "library": permissions.can_view_indicator_library(current_user),
        }
    }


def _load_project(project_id: int) -> Project:
    return load_or_404(Project, project_id, permissions.can_view_outcomes)


def _region_names(project: Project) -> dict[str, str]:
    locale = current_locale()
    return {r.code: r.name(locale) for r in project.regions}


def _load_indicator(indicator_id: int) -> ProjectIndicator:
    return load_or_404(
        ProjectIndicator, indicator_id, lambda u, i: permissions.can_view_outcomes(u, i.project)
    )


def _load_result(result_id: int) -> IndicatorResult:
    return load_or_404(IndicatorResult, result_id, permissions.can_view_result)


def _load_result_to_verify(result_id: int) -> tuple[IndicatorResult, Project]:
    """A result the user may see (else 404) and verify, query or lock (else 403)."""
    result = _load_result(result_id)
    project = result.indicator.project
    if not permissions.can_verify_results(current_user, project):
        abort(403)
    return result, project
