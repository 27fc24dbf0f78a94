from flask import current_app, render_template, request
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.projects import bp
from fundtracker.blueprints.projects.forms import ProjectFilterForm
from fundtracker.extensions import db
from fundtracker.i18n import current_locale
from fundtracker.labels import STATUS_BADGES, status_labels
from fundtracker.models import Project, ProjectStatus
from fundtracker.services import reference
from fundtracker.services.projects import ProjectFilter, load_project, project_list
from fundtracker.web import load_or_404, requires


@bp.get("/")
@requires(permissions.can_list_projects)
def index():
    locale = current_locale()
    labels = status_labels()
    form = ProjectFilterForm(request.args)
    portfolio = permissions.can_read_portfolio(current_user)
    form.fill_choices(
        reference.areas(db.session),
        reference.regions(db.session, locale),
        reference.officers(db.session) if portfolio else [],
        labels,
        locale,
    )
    # Invalid values (a hand-edited URL) are dropped rather than refused.
    form.validate()
    status = form.status.data if form.status.data in ProjectStatus._value2member_map_ else None
    flt = ProjectFilter(
        area_id=form.area.data if not form.area.errors else None,
        region_id=form.region.data if not form.region.errors else None,
        status=ProjectStatus(status) if status else None,
        officer_id=form.officer.data if portfolio and not form.officer.errors else None,
        q=(form.q.data or "") if not form.q.errors else "",
        sort=form.sort.data if not form.sort.errors else "code",
        descending=form.order.data == "desc",
    )
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        project_list(current_user, flt, locale),
        page=max(page, 1),
        per_page=current_app.config["PROJECTS_PER_PAGE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "projects/index.html",
        form=form,
        pagination=pagination,
        projects=pagination.items,
        page_args=args,
        status_labels=labels,
        badges=STATUS_BADGES,
        show_officer_filter=portfolio,
    )


@bp.get("/<int:project_id>")
@requires(permissions.is_signed_in)
def detail(project_id: int):
    project: Project = load_or_404(Project, project_id, permissions.can_view_project, load_project)
    return render_template(
        "projects/detail.html",
        project=project,
        status_labels=status_labels(),
        badges=STATUS_BADGES,
    )
