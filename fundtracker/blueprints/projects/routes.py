from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.projects import bp, timeline
from fundtracker.blueprints.projects.filters import filter_args, filters_from_request
from fundtracker.blueprints.projects.forms import (
    AmendmentForm,
    DocumentForm,
    MilestoneForm,
    ProjectEditForm,
    ProjectForm,
    StatusForm,
    budget_line_form,
    tranche_form,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale, format_d, format_money
from fundtracker.core.page_cache import cached_page
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.disclosure import audience
from fundtracker.models import BudgetCategory, FileKind, Project, ProjectStatus
from fundtracker.models.labels import (
    DELIVERY_BADGES,
    FOLLOW_UP_BADGES,
    MILESTONE_BADGES,
    REQUEST_BADGES,
    STATUS_BADGES,
    TRANCHE_BADGES,
    budget_category_labels,
    delivery_status_labels,
    follow_up_status_labels,
    milestone_status_labels,
    request_status_labels,
    status_labels,
    tranche_status_labels,
)
from fundtracker.services import (
    board,
    decisions,
    events,
    export,
    files,
    follow_ups,
    inkind,
    overview,
    payment_requests,
    plan,
    reference,
    status,
    transparency,
    workflow,
)
from fundtracker.services.imports import workbook
from fundtracker.services.projects import project_list
from fundtracker.services.workflow import HOLD_MESSAGES
from fundtracker.web import attempt, load_or_404, page_arg, requires, version_of
from fundtracker.web import audit as audit_log
from fundtracker.web.forms import choices
from fundtracker.web.reauth import reauth


@bp.get("/")
@requires(permissions.can_list_projects)
@cached_page
def index():
    locale = current_locale()
    portfolio = permissions.can_read_portfolio(current_user)
    form, flt = filters_from_request(portfolio)
    pagination = db.paginate(
        project_list(current_user, flt, locale),
        page=page_arg(),
        per_page=current_app.config["PROJECTS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "projects/index.html",
        form=form,
        pagination=pagination,
        projects=pagination.items,
        page_args=filter_args(),
        status_labels=status_labels(),
        badges=STATUS_BADGES,
        show_officer_filter=portfolio,
        can_export=permissions.can_export_projects(current_user),
        can_create=permissions.can_create_projects(current_user),
    )


EXPORT_LABELS = {
    "code": _l("Code"),
    "title": _l("Title"),
    "organisation": _l("Organisation"),
    "bin": _l("BIN"),
    "area": _l("Programme area"),
    "regions": _l("Regions"),
    "status": _l("Status"),
    "awarded": _l("Awarded, ₸"),
    "paid": _l("Paid, ₸"),
    "inkind": _l("Given in kind, ₸"),
    "start": _l("Start date"),
    "end": _l("End date"),
    "officer": _l("Responsible officer"),
    "overdue": _l("Overdue milestones"),
}


def _export(fmt: str):
    _form, flt = filters_from_request(portfolio=True)
    name = f"fundtracker-projects-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        labels = dict(EXPORT_LABELS, statuses=status_labels())
        headers, rows = export.rows(
            db.session, current_user, flt, current_locale(), today(), labels
        )
        body = export.to_csv(headers, rows, current_locale())
        mimetype = "text/csv; charset=utf-8"
    else:
        # The import template's layout, so the workbook can be edited and imported back.
        rows = export.projects(db.session, current_user, flt, current_locale())
        personal = permissions.can_manage_organisations(current_user)
        raw = audience.sees_raw(current_user)
        body = workbook.export(db.session, rows, current_locale(), personal=personal, raw=raw)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    audit_log.record_read(
        "export.downloaded",
        details={"list": "projects", "format": fmt, "rows": len(rows), "filters": filter_args()},
    )
    return response


@bp.get("/export.csv")
@requires(permissions.can_export_projects)
@reauth  # lists with contact details
def export_csv():
    return _export("csv")


@bp.get("/export.xlsx")
@requires(permissions.can_export_projects)
@reauth  # lists with contact details
def export_xlsx():
    return _export("xlsx")


@bp.get("/<int:project_id>")
@requires(permissions.is_signed_in)
def detail(project_id: int):
    project: Project = load_or_404(Project, project_id, permissions.can_view_project, overview.load)
    view = overview.build(db.session, current_user, project, today())
    locale = current_locale()
    region_names = {r.code: r.name(locale) for r in reference.regions(db.session, locale)}
    user = current_user
    application = decisions.application_of(db.session, project)
    return render_template(
        "projects/detail.html",
        project=project,
        application=application
        if application is not None and permissions.can_view_application(user, application)
        else None,
        view=view,
        today=today(),
        status_labels=status_labels(),
        badges=STATUS_BADGES,
        milestone_labels=milestone_status_labels(),
        milestone_badges=MILESTONE_BADGES,
        tranche_labels=tranche_status_labels(),
        tranche_badges=TRANCHE_BADGES,
        hold_messages=HOLD_MESSAGES,
        category_labels=budget_category_labels(),
        timeline=[
            timeline.describe(e, region_names, permissions.is_staff(user), not view.protected)
            for e in view.events
        ],
        can_edit=permissions.can_edit_project(user, project),
        # Whether the transparency page and the open-data files show it (issue #20).
        publicity=transparency.publicity_labels()[transparency.publicity_of(project)]
        if permissions.is_staff(user)
        else None,
        can_pay=permissions.can_manage_payments(user, project),
        # Why a planned tranche waits for the board of trustees (#21), beside its row.
        board_holds={
            t.id: board.tranche_refusal(db.session, t) for t in project.tranches if t.is_planned
        },
        # The grantee's payment requests (#21): the latest per tranche, and which may be asked.
        payment_requests=payment_requests.requests_of(db.session, [t.id for t in project.tranches])
        if permissions.is_staff(user) or permissions.is_own_grantee(user, project)
        else {},
        requestable={
            t.id
            for t in project.tranches
            if permissions.can_request_payment(user, t)
            and payment_requests.payable_refusal(t, today()) is None
        },
        inkind_rows=inkind.deliveries_of(db.session, project),
        inkind_totals=inkind.totals(db.session, [project.id]),
        can_plan_inkind=permissions.can_manage_inkind_for(user, project),
        delivery_labels=delivery_status_labels(),
        request_labels=request_status_labels(),
        request_badges=REQUEST_BADGES,
        delivery_badges=DELIVERY_BADGES,
        can_upload=permissions.can_upload_documents(user, project),
        document_form=DocumentForm(),
        action_form=DocumentForm(formdata=None),
        follow_ups=follow_ups.for_project(db.session, project),
        follow_up_labels=follow_up_status_labels(),
        follow_up_badges=FOLLOW_UP_BADGES,
    )


def _project_form(obj=None, creating=False) -> ProjectEditForm:
    form = (ProjectForm if creating else ProjectEditForm)(obj=obj)
    locale = current_locale()
    form.fill_choices(
        reference.organisations(db.session),
        reference.areas(db.session),
        reference.regions(db.session, locale),
        reference.officers(db.session),
        locale,
    )
    return form


def _project_data(form: ProjectForm) -> plan.ProjectData:
    return plan.ProjectData(
        code=form.code.data or "",
        title_kk=form.title_kk.data or "",
        title_ru=form.title_ru.data or "",
        title_en=form.title_en.data or "",
        summary_kk=form.summary_kk.data or "",
        summary_ru=form.summary_ru.data or "",
        summary_en=form.summary_en.data or "",
        organisation_id=form.organisation_id.data,
        area_id=form.area_id.data,
        region_ids=list(form.region_ids.data or []),
        officer_id=form.officer_id.data,
        start_date=form.start_date.data,
        agreement_signed_on=form.agreement_signed_on.data,
        end_date=form.end_date.data if hasattr(form, "end_date") else None,
        awarded_amount=form.awarded_amount.tiyn if hasattr(form, "awarded_amount") else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(permissions.can_create_projects)
def new():
    form = _project_form(creating=True)
    if request.method == "GET":
        form.code.data = plan.next_code(db.session, today().year)
        form.officer_id.data = current_user.id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            project = plan.create_project(db.session, current_user, _project_data(form))
        if outcome.ok:
            flash(
                _("The project has been created. Add its milestones, tranches and budget."),
                "success",
            )
            return redirect(url_for(".detail", project_id=project.id))
    return render_template(
        "projects/form.html", form=form, title=_("New project"), back=url_for(".index")
    )


def _load_for_edit(project_id: int) -> Project:
    project = load_or_404(Project, project_id, permissions.can_view_project, overview.load)
    if not permissions.can_edit_project(current_user, project):
        abort(403)
    return project


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def edit(project_id: int):
    project = _load_for_edit(project_id)
    form = _project_form(obj=project)
    if request.method == "GET":
        form.region_ids.data = [r.id for r in project.regions]
        form.version.data = project.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.update_project(
                db.session, current_user, project, _project_data(form), version_of(form)
            )
        if outcome.ok:
            flash(_("The project has been saved."), "success")
            return redirect(url_for(".detail", project_id=project.id))
    return render_template(
        "projects/form.html",
        form=form,
        title=project.code,
        back=url_for(".detail", project_id=project.id),
    )


def _decision_choice(decision) -> str:
    item = decision.item
    parts = [decision.number, format_d(item.meeting.held_on)]
    if decision.amount or item.amount:
        parts.append(format_money(decision.amount or item.amount))
    if item.end_date:
        parts.append(format_d(item.end_date))
    return " · ".join(parts)


@bp.route("/<int:project_id>/amend", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def amend(project_id: int):
    project = _load_for_edit(project_id)
    form = AmendmentForm(obj=project)
    usable = board.amendment_decisions(db.session, project)
    form.board_decision.choices = choices(
        [("", "—")] + [(d.id, _decision_choice(d)) for d in usable]
    )
    if request.method == "GET":
        form.awarded_amount.set_tiyn(project.awarded_amount)
        form.version.data = project.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.amend_project(
                db.session,
                current_user,
                project,
                end_date=form.end_date.data,
                awarded_amount=form.awarded_amount.tiyn,
                reason=form.reason.data,
                board_decision=form.board_decision.data,
                expected_version=version_of(form),
            )
        if outcome.ok:
            flash(_("The amendment has been recorded."), "success")
            return redirect(url_for(".detail", project_id=project.id))
    return render_template(
        "projects/form.html",
        form=form,
        title=_("Amendment to %(code)s", code=project.code),
        intro=_(
            "Change the end date or the awarded amount on the board's decision. The "
            "earlier values stay in the project's history."
        ),
        notice=None
        if usable
        else _(
            "No approved decision of the board of trustees on this project is waiting for its "
            "amendment. Put the amendment on a board meeting's agenda in the register, and "
            "record the board's decision there first."
        ),
        notice_link=url_for("board.index") if not usable else None,
        back=url_for(".detail", project_id=project.id),
    )


@bp.route("/<int:project_id>/status", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def change_status(project_id: int):
    project = _load_for_edit(project_id)
    form = StatusForm()
    labels = status_labels()
    form.status.choices = choices(
        (s.value, labels[s]) for s in ProjectStatus if s in workflow.targets(project)
    )
    if request.method == "GET":
        form.version.data = project.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            status.change_status(
                db.session,
                current_user,
                project,
                ProjectStatus(form.status.data),
                form.reason.data,
                version_of(form),
            )
        if outcome.ok:
            flash(_("The status has been changed."), "success")
            return redirect(url_for(".detail", project_id=project.id))
    return render_template(
        "projects/form.html",
        form=form,
        title=_("Status of %(code)s: %(status)s", code=project.code, status=labels[project.status]),
        back=url_for(".detail", project_id=project.id),
    )


@bp.route("/<int:project_id>/milestones/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def milestone_new(project_id: int):
    project = _load_for_edit(project_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.add_milestone(
                db.session,
                current_user,
                project,
                plan.MilestoneData(
                    title=form.title.data,
                    due_date=form.due_date.data,
                    description=form.description.data or "",
                    deliverables=form.deliverables.data or "",
                ),
            )
        if outcome.ok:
            flash(_("The milestone has been added."), "success")
            return redirect(url_for(".detail", project_id=project.id) + "#milestones")
    return render_template(
        "projects/form.html",
        form=form,
        title=_("New milestone"),
        back=url_for(".detail", project_id=project.id),
    )


@bp.route("/<int:project_id>/tranches/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def tranche_new(project_id: int):
    project = _load_for_edit(project_id)
    form = tranche_form(project)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.add_tranche(
                db.session,
                current_user,
                project,
                plan.TrancheData(
                    amount=form.amount.tiyn,
                    planned_date=form.planned_date.data,
                    milestone_id=form.milestone_id.data,
                ),
            )
        if outcome.ok:
            flash(_("The tranche has been planned."), "success")
            return redirect(url_for(".detail", project_id=project.id) + "#tranches")
    return render_template(
        "projects/form.html",
        form=form,
        title=_("New tranche"),
        back=url_for(".detail", project_id=project.id),
    )


@bp.route("/<int:project_id>/budget/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def budget_line_new(project_id: int):
    project = _load_for_edit(project_id)
    form = budget_line_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            plan.add_budget_line(
                db.session,
                current_user,
                project,
                plan.BudgetLineData(
                    category=BudgetCategory(form.category.data),
                    amount=form.amount.tiyn,
                    description=form.description.data or "",
                ),
            )
        if outcome.ok:
            flash(_("The budget line has been added."), "success")
            return redirect(url_for(".detail", project_id=project.id) + "#budget")
    return render_template(
        "projects/form.html",
        form=form,
        title=_("New budget line"),
        back=url_for(".detail", project_id=project.id),
    )


@bp.post("/<int:project_id>/documents")
@requires(permissions.is_signed_in)
def document_upload(project_id: int):
    project = load_or_404(Project, project_id, permissions.can_view_project)
    if not permissions.can_upload_documents(current_user, project):
        abort(403)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        keys = []
        with attempt() as outcome:
            stored = files.store(
                db.session,
                file_storage(),
                current_user,
                project,
                upload.stream,
                upload.filename or "",
                FileKind.DOCUMENT,
            )
            keys.append(stored.storage_key)
            events.record(
                db.session, project, current_user, "document_uploaded", name=stored.original_name
            )
        if not outcome.ok:
            files.discard(file_storage(), keys)
        if outcome.ok:
            flash(_("The document has been uploaded."), "success")
    else:
        flash(_("Choose a file to upload."), "danger")
    return redirect(url_for(".detail", project_id=project.id) + "#documents")
