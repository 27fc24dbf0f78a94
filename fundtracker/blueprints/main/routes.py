from flask import (
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from fundtracker import permissions
from fundtracker.blueprints.main import bp
from fundtracker.blueprints.main.forms import LanguageForm
from fundtracker.blueprints.projects.filters import filter_args, filters_from_request
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGE_COOKIE, LANGUAGES, current_locale
from fundtracker.core.time import today
from fundtracker.models import Role
from fundtracker.models.labels import (
    MILESTONE_BADGES,
    STATUS_BADGES,
    milestone_status_labels,
    status_labels,
)
from fundtracker.services import dashboard
from fundtracker.services import projects as project_service
from fundtracker.services import tasks as task_service
from fundtracker.services.users import set_locale
from fundtracker.web import PostOnlyForm, attempt, is_safe_next, requires
from fundtracker.web import next_url as safe_next_url


@bp.get("/")
@requires(permissions.is_signed_in)
def index():
    if current_user.role == Role.REVIEWER:  # a reviewer's work is the list of their reviews
        return redirect(url_for("applications.reviews"))
    locale = current_locale()
    context = {}
    if permissions.can_read_portfolio(current_user):
        context["summary"] = project_service.portfolio_summary(
            db.session, current_user, locale, status_labels()
        )
        if current_user.role == Role.OFFICER:
            flt = project_service.ProjectFilter(officer_id=current_user.id, sort="end")
            context["my_projects"] = (
                db.session.scalars(
                    project_service.project_list(current_user, flt, locale).limit(10)
                )
                .unique()
                .all()
            )
    elif permissions.is_grantee(current_user):
        flt = project_service.ProjectFilter(sort="end")
        context["org_projects"] = (
            db.session.scalars(project_service.project_list(current_user, flt, locale))
            .unique()
            .all()
        )
        context["organisation"] = current_user.organisation
        context["due"], context["revise"] = dashboard.grantee_home(
            db.session, current_user, today()
        )
    return render_template(
        "main/index.html",
        status_labels_map=status_labels(),
        badges=STATUS_BADGES,
        milestone_labels=milestone_status_labels(),
        milestone_badges=MILESTONE_BADGES,
        today=today(),
        **context,
    )


@bp.get("/dashboard")
@requires(permissions.can_view_dashboard)
def dashboard_view():
    form, flt = filters_from_request(portfolio=True)
    board = dashboard.build(db.session, current_user, flt, today())
    return render_template(
        "main/dashboard.html",
        form=form,
        board=board,
        today=today(),
        milestone_labels=milestone_status_labels(),
        milestone_badges=MILESTONE_BADGES,
        filter_args=filter_args(),
    )


@bp.get("/tasks")
@requires(permissions.is_signed_in)
def tasks():
    my_tasks = task_service.tasks_for(db.session, current_user, today())
    g.open_tasks = my_tasks.total  # the badge in the navigation, without counting again
    return render_template("main/tasks.html", tasks=my_tasks, labels=task_service.group_labels())


@bp.post("/language")
def set_language():
    form = LanguageForm()
    target = form.next.data if is_safe_next(form.next.data) else safe_next_url()
    if not form.validate_on_submit():
        flash(_("Unknown language."), "danger")
        return redirect(target)
    language = form.language.data
    if current_user.is_authenticated:
        with attempt():
            set_locale(db.session, current_user, language, LANGUAGES)
    response = make_response(redirect(target))
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.app_context_processor
def _navigation():
    user = current_user
    return {
        "nav": {
            "projects": permissions.can_list_projects(user),
            "organisations": permissions.can_list_organisations(user),
            "users": permissions.can_manage_users(user),
            "dashboard": permissions.can_view_dashboard(user),
        },
        "language_form": LanguageForm(formdata=None, next=request.full_path.rstrip("?")),
        "csrf_form": PostOnlyForm(formdata=None),
    }


@bp.app_context_processor
def _open_tasks():
    """What waits for the signed-in user, for the badge beside "My tasks": one query per
    request (kept in `g`), and none for visitors."""
    user = current_user
    if not permissions.is_signed_in(user):
        return {}
    if "open_tasks" not in g:
        g.open_tasks = task_service.count_for(db.session, user, today())
    return {"open_tasks": g.open_tasks}
