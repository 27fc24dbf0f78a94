"""What the views of every stage share: loading a call or an application with its permission
check, the labels their templates use, and the navigation links the blueprint adds."""

from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.forms import beneficiary_labels
from fundtracker.core.i18n import current_locale
from fundtracker.models import Application, Call
from fundtracker.models.labels import (
    APPLICATION_BADGES,
    application_status_labels,
    budget_category_labels,
    call_status_labels,
)
from fundtracker.web import PostOnlyForm, load_or_404

# Empty rows under a form's criteria, budget lines, milestones and indicators, for more.
BLANK_ROWS = 3


def template_context() -> dict:
    return {
        "call_labels": call_status_labels(),
        "status_labels": application_status_labels(),
        "badges": APPLICATION_BADGES,
        "category_labels": budget_category_labels(),
        "beneficiary_labels": beneficiary_labels(),
        "locale": current_locale(),
        "csrf_only": PostOnlyForm(formdata=None),
    }


def load_call(call_id: int) -> Call:
    return load_or_404(Call, call_id, permissions.can_view_call)


def load_application(application_id: int) -> Application:
    return load_or_404(Application, application_id, permissions.can_view_application)


@bp.app_context_processor
def _applications_nav():
    user = current_user
    return {
        "nav_applications": {
            "calls": permissions.can_list_calls(user),
            "applications": permissions.can_list_applications(user),
            "reviews": permissions.is_reviewer(user),
            "decisions": permissions.can_view_decisions(user) and not permissions.is_staff(user),
        }
    }
