from flask import (
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import disclosure, permissions
from fundtracker.blueprints.main import bp
from fundtracker.blueprints.main.forms import LanguageForm
from fundtracker.blueprints.projects.filters import filter_args, filters_from_request
from fundtracker.core import readiness
from fundtracker.core.extensions import db
from fundtracker.core.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    current_locale,
    format_compact_money,
    format_money,
)
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
from fundtracker.services.projects import ProjectFilter
from fundtracker.services.users import set_locale
from fundtracker.web import PostOnlyForm, attempt, charts, is_safe_next, requires
from fundtracker.web import next_url as safe_next_url
from fundtracker.web.region_map import region_map


@bp.get("/")
@requires(permissions.is_signed_in)
def index():
    if current_user.role == Role.REVIEWER:  # a reviewer's work is the list of their reviews
        return redirect(url_for("applications.reviews"))
    locale = current_locale()
    context = {}
    if permissions.can_read_portfolio(current_user):
        summary = project_service.portfolio_summary(
            db.session, current_user, locale, status_labels()
        )
        context["summary"] = summary
        # The pictures draw the summary's own figures, and money paid over the same projects.
        pictures = dashboard.Pictures(
            disbursement=dashboard.disbursement(
                db.session, project_service.conditions(current_user, ProjectFilter()), today()
            ),
            by_area=[
                dashboard.Share(b.key, "", b.label, b.count, b.amount) for b in summary.by_area
            ],
            by_region=dashboard.regions_of(db.session, summary.by_region, locale),
        )
        context["pictures"] = _pictures(pictures, {})
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
    pictures = dashboard.pictures(db.session, current_user, flt, today(), current_locale())
    return render_template(
        "main/dashboard.html",
        form=form,
        board=board,
        pictures=_pictures(pictures, filter_args()),
        today=today(),
        milestone_labels=milestone_status_labels(),
        milestone_badges=MILESTONE_BADGES,
        filter_args=filter_args(),
    )


def _money(tiyn: float) -> str:
    return format_money(int(tiyn))


def _pictures(pictures: dashboard.Pictures, filters: dict) -> dict[str, charts.Chart]:
    """The pictures of the portfolio (dashboard and home): money planned against paid by
    quarter, projects and amounts by programme area, and the map of regions, whose tiles link to
    the project list filtered by the region (and `filters`, the page's own)."""
    flows = pictures.disbursement
    disbursement = charts.columns(
        [disclosure.Period(f.year, "Q", f.quarter).label() for f in flows],
        [
            (pgettext("money by quarter", "Planned"), [f.planned for f in flows]),
            (pgettext("money by quarter", "Paid"), [f.paid for f in flows]),
        ],
        title=_("Money planned and paid by quarter"),
        period_header=_("Quarter"),
        fmt=_money,
        axis_fmt=format_compact_money,
        ticks=[
            (format_date(f.first_day, "QQQ"), str(f.year) if f.quarter == 1 or i == 0 else "")
            for i, f in enumerate(flows)
        ],
    )
    areas = pictures.by_area
    by_area = charts.hbar(
        [(a.name, a.amount) for a in areas],
        title=_("Projects and amounts awarded by programme area"),
        label_header=_("Programme area"),
        value_header=_("Awarded"),
        fmt=_money,
        figures=[
            ngettext(
                "%(amount)s · %(num)d project",
                "%(amount)s · %(num)d projects",
                a.count,
                amount=format_compact_money(a.amount),
            )
            for a in areas
        ],
        extra=[(_("Projects"), [str(a.count) for a in areas])],
    )
    by_region = region_map(
        sorted(pictures.by_region, key=lambda r: r.name),
        lambda r: url_for("projects.index", **dict(filters, region=r.key)),
    )
    return {"disbursement": disbursement, "by_area": by_area, "by_region": by_region}


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
    """The process is up and answers (nothing else is checked: see /readyz)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Whether this process can do its work: the database, its schema, the storage folders and
    the scheduler (fundtracker.core.readiness). 503 names what is not ready."""
    found = readiness.checks(current_app, db.session)
    ready = all(v == readiness.OK for v in found.values())
    response = jsonify({"status": "ready" if ready else "not ready", "checks": found})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _navigation():
    user = current_user
    return {
        "nav": {
            "projects": permissions.can_list_projects(user),
            "organisations": permissions.can_list_organisations(user),
            "users": permissions.can_manage_users(user),
            "dashboard": permissions.can_view_dashboard(user),
            "imports": permissions.can_import(user),
            "people": permissions.is_grantee(user),
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
    return {"open_tasks": g.open_tasks, "tasks_badge_limit": task_service.BADGE_LIMIT}
