"""Calls for proposals, organisations' registration, applications, screening, reviews and
decisions."""

from datetime import time

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from fundtracker import permissions
from fundtracker.blueprints.applications import bp
from fundtracker.blueprints.applications.forms import (
    AssignForm,
    CallForm,
    CallStatusForm,
    DeclareForm,
    RegistrationForm,
    ScreenForm,
    application_form_class,
    beneficiary_labels,
    decision_form_class,
    score_form_class,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.storage import file_storage
from fundtracker.core.time import to_local, to_utc, today
from fundtracker.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    BeneficiaryCategory,
    BudgetCategory,
    Call,
    CallStatus,
    ConflictDeclaration,
    Organisation,
    ProgrammeArea,
    Region,
    ReviewAssignment,
    User,
    utcnow,
)
from fundtracker.models.labels import budget_category_labels
from fundtracker.permissions import scopes
from fundtracker.services import application_files
from fundtracker.services import applications as svc
from fundtracker.services.plan import next_code
from fundtracker.web import (
    Paged,
    PostOnlyForm,
    attempt,
    back_url,
    load_or_404,
    requires,
    send_stored_file,
    version_of,
)
from fundtracker.web.forms import choices

BLANK_ROWS = 3


def _common():
    return {
        "call_labels": svc.call_status_labels(),
        "status_labels": svc.application_status_labels(),
        "badges": svc.APPLICATION_BADGES,
        "category_labels": budget_category_labels(),
        "beneficiary_labels": beneficiary_labels(),
        "locale": current_locale(),
        "csrf_only": PostOnlyForm(formdata=None),
    }


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


# Calls ----------------------------------------------------------------------------------------


@bp.get("/calls/")
@requires(permissions.can_list_calls)
def calls():
    now = utcnow()
    if permissions.is_staff(current_user):
        items = db.session.scalars(select(Call).order_by(Call.closes_at.desc())).all()
    else:
        items = svc.open_calls(db.session, now)
    return render_template(
        "applications/calls.html",
        calls=items,
        now=now,
        can_manage=permissions.can_manage_calls(current_user),
        **_common(),
    )


def _call_form(call: Call | None = None) -> CallForm:
    form = CallForm()
    locale = current_locale()
    areas = db.session.scalars(select(ProgrammeArea).order_by(ProgrammeArea.code)).all()
    form.area_id.choices = choices((a.id, a.name(locale)) for a in areas)
    if request.method == "GET":
        rows = []
        if call is not None:
            for name in svc.CALL_FIELDS:
                if name in form._fields and name not in ("budget_envelope", "max_request"):
                    form[name].data = getattr(call, name)
            form.budget_envelope.set_tiyn(call.budget_envelope)
            form.max_request.set_tiyn(call.max_request)
            opens, closes = to_local(call.opens_at), to_local(call.closes_at)
            form.opens_on.data, form.opens_time.data = opens.date(), opens.time()
            form.closes_on.data, form.closes_time.data = closes.date(), closes.time()
            form.version.data = call.version_id
            rows = [{"name": c.name, "weight": c.weight} for c in call.criteria]
        else:
            form.opens_time.data = time(9, 0)
            form.closes_time.data = time(18, 0)
        for row in rows + [{}] * BLANK_ROWS:
            form.criteria.append_entry(row)
    return form


def _call_data(form: CallForm) -> svc.CallData:
    return svc.CallData(
        area_id=form.area_id.data,
        title_kk=form.title_kk.data or "",
        title_ru=form.title_ru.data or "",
        title_en=form.title_en.data or "",
        description_kk=form.description_kk.data or "",
        description_ru=form.description_ru.data or "",
        description_en=form.description_en.data or "",
        eligibility=form.eligibility.data or "",
        opens_at=to_utc(form.opens_on.data, form.opens_time.data),
        closes_at=to_utc(form.closes_on.data, form.closes_time.data),
        budget_envelope=form.budget_envelope.tiyn,
        max_request=form.max_request.tiyn,
        required_documents=form.required_documents.data or "",
        criteria=[
            (row.form.name.data or "", row.form.weight.data or 0) for row in form.criteria.entries
        ],
    )


@bp.route("/calls/new", methods=["GET", "POST"])
@requires(permissions.can_manage_calls)
def call_new():
    form = _call_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            call = svc.create_call(db.session, current_user, _call_data(form))
        if outcome.ok:
            flash(_("The call has been saved as a draft."), "success")
            return redirect(url_for(".call_detail", call_id=call.id))
    status = 422 if request.method == "POST" else 200
    return render_template("applications/call_form.html", form=form, call=None), status


def _load_call(call_id: int) -> Call:
    return load_or_404(Call, call_id, permissions.can_view_call)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_manage_calls)
def call_edit(call_id: int):
    call = _load_call(call_id)
    form = _call_form(call)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.update_call(db.session, current_user, call, _call_data(form), version_of(form))
        if outcome.ok:
            flash(_("The call has been saved."), "success")
            return redirect(url_for(".call_detail", call_id=call.id))
    status = 422 if request.method == "POST" else 200
    return render_template("applications/call_form.html", form=form, call=call), status


@bp.get("/calls/<int:call_id>")
@requires(permissions.can_list_calls)
def call_detail(call_id: int):
    call = _load_call(call_id)
    now = utcnow()
    own = []
    if permissions.is_grantee(current_user):
        own = db.session.scalars(
            select(Application).where(
                Application.call_id == call.id, *scopes.applications(current_user)
            )
        ).all()
    return render_template(
        "applications/call_detail.html",
        call=call,
        opens=to_local(call.opens_at),
        closes=to_local(call.closes_at),
        is_open=call.is_open(now),
        can_manage=permissions.can_manage_calls(current_user),
        can_apply=permissions.can_apply(current_user) and call.is_open(now),
        next_statuses=sorted(svc.CALL_TRANSITIONS[call.status]),
        own_applications=own,
        status_form=CallStatusForm(formdata=None),
        **_common(),
    )


@bp.post("/calls/<int:call_id>/status")
@requires(permissions.can_manage_calls)
def call_status(call_id: int):
    call = _load_call(call_id)
    form = CallStatusForm()
    if form.validate_on_submit():
        try:
            target = CallStatus(form.status.data)
        except ValueError:
            target = None
        if target is None:
            flash(_("Unknown status."), "danger")
        else:
            with attempt() as outcome:
                svc.set_call_status(db.session, current_user, call, target)
            if outcome.ok:
                flash(_("The call's status has been changed."), "success")
    return redirect(url_for(".call_detail", call_id=call_id))


@bp.get("/calls/<int:call_id>/ranking")
@requires(permissions.can_process_applications)
def call_ranking(call_id: int):
    call = _load_call(call_id)
    per_page = current_app.config["RANKING_PER_PAGE"]
    ranking = svc.ranking(
        db.session, call, page=request.args.get("page", 1, type=int), per_page=per_page
    )
    return render_template(
        "applications/ranking.html",
        call=call,
        ranking=ranking,
        pagination=Paged(ranking.rows, ranking.page, per_page, ranking.count),
        **_common(),
    )


@bp.post("/calls/<int:call_id>/apply")
@requires(permissions.can_apply)
def apply(call_id: int):
    call = _load_call(call_id)
    with attempt() as outcome:
        application = svc.start_application(db.session, current_user, call, utcnow())
    if not outcome.ok:
        return redirect(url_for(".calls"))
    return redirect(url_for(".edit", application_id=application.id))


# Registration ---------------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    locale = current_locale()
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    form.region_id.choices = choices((r.id, r.name(locale)) for r in regions)
    if request.method == "GET":
        form.locale.data = locale
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = svc.register_organisation(
                db.session,
                svc.RegistrationData(
                    name=form.name.data,
                    bin=form.bin.data,
                    region_id=form.region_id.data,
                    contact_name=form.contact_name.data,
                    email=form.email.data,
                    password=form.password.data,
                    locale=form.locale.data,
                    contact_phone=form.contact_phone.data or "",
                    address=form.address.data or "",
                ),
            )
        if outcome.ok:
            login_user(user)
            flash(
                _(
                    "Your organisation is registered. You can draft applications now; the fund "
                    "verifies your organisation before you can submit one."
                ),
                "success",
            )
            return redirect(url_for(".calls"))
    status = 422 if request.method == "POST" else 200
    return render_template("applications/register.html", form=form), status


@bp.post("/organisations/<int:organisation_id>/verify")
@requires(permissions.can_verify_organisations)
def verify(organisation_id: int):
    organisation = load_or_404(
        Organisation, organisation_id, lambda u, o: permissions.can_verify_organisations(u)
    )
    with attempt() as outcome:
        svc.verify_organisation(db.session, current_user, organisation)
    if outcome.ok:
        flash(_("%(name)s is verified.", name=organisation.name), "success")
    return redirect(back_url(".index"))


# Applications ---------------------------------------------------------------------------------


@bp.get("/applications/")
@requires(permissions.can_list_applications)
def index():
    query = (
        select(Application)
        .where(*scopes.applications(current_user))
        .options(*svc.LIST_LOADS)
        .order_by(Application.updated_at.desc())
    )
    unverified = []
    if permissions.is_grantee(current_user):
        verified = svc.is_verified(db.session, current_user.organisation_id)
    else:
        unverified = svc.unverified_organisations(db.session)
        verified = True
    status = request.args.get("status", "")
    if status in {s.value for s in ApplicationStatus}:
        query = query.where(Application.status == ApplicationStatus(status))
    return render_template(
        "applications/index.html",
        applications=db.session.scalars(query).all(),
        unverified=unverified,
        verified=verified,
        chosen_status=status,
        is_staff=permissions.is_staff(current_user),
        **_common(),
    )


def _load(application_id: int) -> Application:
    return load_or_404(Application, application_id, permissions.can_view_application)


def _application_form(application: Application, formdata=None):
    form_cls = application_form_class()
    form = form_cls()
    locale = current_locale()
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    form.region_ids.choices = choices((r.id, r.name(locale)) for r in regions)
    form.document.choices = choices(
        [("", _("Another document"))] + [(d, d) for d in application.call.documents]
    )
    if request.method == "GET":
        form.version.data = application.version_id
        form.title.data = application.title
        form.summary.data = application.summary
        form.start_date.data = application.start_date
        form.end_date.data = application.end_date
        form.region_ids.data = [r.id for r in application.regions]
        for b in application.beneficiaries:
            form[f"people_{b.category.value}"].data = b.count
        for line in application.budget_lines:
            form.budget.append_entry(
                {"category": line.category.value, "description": line.description}
            )
            form.budget.entries[-1].form.amount.set_tiyn(line.amount)
        for m in application.milestones:
            form.milestones.append_entry({"title": m.title, "due_date": m.due_date})
            form.milestones.entries[-1].form.tranche.set_tiyn(m.tranche_amount)
        for i in application.indicators:
            form.indicators.append_entry(
                {"name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target}
            )
        for rows in (form.budget, form.milestones, form.indicators):
            for _i in range(BLANK_ROWS):
                rows.append_entry()
    return form


def _application_data(form, application: Application) -> svc.ApplicationData:
    """What the form holds that is valid; fields with errors are left out (and kept on the
    re-rendered form), so saving the rest loses nothing."""
    beneficiaries = {}
    for category in BeneficiaryCategory:
        f = form[f"people_{category.value}"]
        if not f.errors and f.data is not None:
            beneficiaries[category] = f.data
    budget = []
    for row in form.budget.entries:
        r = row.form
        if r.amount.errors or r.amount.tiyn is None:
            continue
        try:
            category = BudgetCategory(r.category.data)
        except ValueError:
            category = BudgetCategory.OTHER
        budget.append(svc.BudgetLineData(category, r.amount.tiyn, r.description.data or ""))
    milestones = [
        svc.MilestonePlan(
            title=row.form.title.data or "",
            due_date=row.form.due_date.data,
            tranche_amount=0 if row.form.tranche.errors else (row.form.tranche.tiyn or 0),
        )
        for row in form.milestones.entries
        if (row.form.title.data or "").strip()
        and row.form.due_date.data
        and not row.form.due_date.errors
    ]
    indicators = [
        svc.IndicatorPlan(
            name=row.form.name.data or "",
            unit=row.form.unit.data or "",
            baseline=0 if row.form.baseline.errors else (row.form.baseline.data or 0),
            target=row.form.target.data,
        )
        for row in form.indicators.entries
        if (row.form.name.data or "").strip()
        and row.form.target.data is not None
        and not row.form.target.errors
    ]
    return svc.ApplicationData(
        title=form.title.data or "",
        summary=form.summary.data or "",
        start_date=None if form.start_date.errors else form.start_date.data,
        end_date=None if form.end_date.errors else form.end_date.data,
        region_ids=[] if form.region_ids.errors else list(form.region_ids.data or []),
        beneficiaries=beneficiaries,
        budget=budget,
        milestones=milestones,
        indicators=indicators,
    )


def _render_edit(application: Application, form, missing=None, status=200):
    return render_template(
        "applications/edit.html",
        application=application,
        call=application.call,
        form=form,
        missing=missing or [],
        verified=svc.is_verified(db.session, application.organisation_id),
        closes=to_local(application.call.closes_at),
        file_form=PostOnlyForm(formdata=None),
        last_return=next(
            (
                t
                for t in reversed(application.transitions)
                if t.to_status == ApplicationStatus.RETURNED
            ),
            None,
        ),
        **_common(),
    ), status


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_apply)
def edit(application_id: int):
    application = _load(application_id)
    if not permissions.can_edit_application(current_user, application):
        flash(_("This application can no longer be changed."), "warning")
        return redirect(url_for(".detail", application_id=application.id))
    form = _application_form(application)
    if request.method == "GET":
        return _render_edit(application, form)
    valid = form.validate_on_submit()
    wants_submit = valid and bool(form.submit.data)
    stored, rejected, missing = [], [], []
    refused = False
    with attempt(form) as outcome:
        svc.save_draft(
            db.session,
            current_user,
            application,
            _application_data(form, application),
            version_of(form),
        )
        upload = form.attachment.data
        if upload and getattr(upload, "filename", None):
            try:
                new = application_files.attach(
                    db.session,
                    file_storage(),
                    current_user,
                    application,
                    upload.stream,
                    upload.filename,
                    form.document.data or "",
                )
                stored.append(new.storage_key)
            except application_files.UploadRejected as error:
                rejected.append(error.message)
        if wants_submit and not rejected:
            try:
                with db.session.begin_nested():  # a refused submission keeps the draft
                    svc.submit(db.session, current_user, application, utcnow())
            except svc.IncompleteApplication as error:
                missing = error.missing
            except svc.DomainError as error:  # e.g. the call has closed
                flash(error.message, "danger")
                refused = True
    if not outcome.ok:
        application_files.discard(file_storage(), stored)
        return _render_edit(_load(application_id), _refill(form), status=409)
    form.version.data = application.version_id  # the draft was saved: the page shows it now
    for message in rejected:
        flash(message, "danger")
    if not valid:
        flash(_("Your draft was saved. Correct the marked fields before submitting."), "warning")
        return _render_edit(application, _refill(form), status=422)
    if missing or refused or (wants_submit and rejected):
        flash(_("The application was saved as a draft but not submitted."), "warning")
        return _render_edit(application, _refill(form), missing=missing, status=422)
    if wants_submit:
        flash(_("Your application has been submitted to the fund."), "success")
        return redirect(url_for(".detail", application_id=application.id))
    if rejected:
        return _render_edit(application, _refill(form), status=422)
    flash(_("Your draft has been saved."), "success")
    return redirect(url_for(".edit", application_id=application.id))


def _refill(form):
    """The re-rendered form keeps what was typed and gets blank rows again for more."""
    for rows in (form.budget, form.milestones, form.indicators):
        blanks = sum(
            1 for e in rows.entries if not any(f.raw_data and f.raw_data[0] for f in e.form)
        )
        for _i in range(max(0, BLANK_ROWS - blanks)):
            rows.append_entry()
    return form


@bp.post("/applications/files/<int:file_id>/delete")
@requires(permissions.can_apply)
def file_delete(file_id: int):
    stored = load_or_404(ApplicationFile, file_id, permissions.can_view_application_file)
    application_id = stored.application_id
    if not permissions.can_edit_application(current_user, stored.application):
        abort(403)
    key = None
    with attempt() as outcome:
        key = application_files.detach(db.session, file_storage(), current_user, stored)
    if outcome.ok and key:
        application_files.discard(file_storage(), [key])
        flash(_("The file has been removed."), "success")
    return redirect(url_for(".edit", application_id=application_id))


@bp.get("/applications/files/<int:file_id>")
@requires(permissions.is_signed_in)
def file_download(file_id: int):
    stored = load_or_404(ApplicationFile, file_id, permissions.can_view_application_file)
    return send_stored_file(stored)


def _staff_forms(application: Application):
    forms = {}
    if not permissions.can_process_applications(current_user):
        return forms
    status = application.status
    if status == ApplicationStatus.SUBMITTED:
        form = ScreenForm(formdata=None)
        for key in svc.screening_items():
            form[key].data = bool((application.screening or {}).get(key))
        forms["screen"] = form
    if status in (ApplicationStatus.SCREENED, ApplicationStatus.UNDER_REVIEW):
        assign = AssignForm(formdata=None)
        taken = {a.reviewer_id for a in application.assignments}
        assign.reviewer_id.choices = choices(
            (u.id, u.name) for u in svc.reviewers(db.session) if u.id not in taken
        )
        forms["assign"] = assign
        forms["decide"] = _decision_form(application, formdata=None)
    return forms


def _decision_form(application: Application, formdata=None):
    form_cls = decision_form_class(application.milestones)
    form = form_cls(formdata=formdata) if formdata is not None else form_cls()
    if formdata is None or request.method == "GET":
        year = today().year
        form.awarded_amount.set_tiyn(application.requested_amount)
        form.agreement_number.data = svc.suggested_agreement_number(application, year)
        form.code.data = next_code(db.session, year)
    return form


def _render_detail(application: Application, forms=None, status=200):
    staff_forms = _staff_forms(application)
    staff_forms.update(forms or {})
    return render_template(
        "applications/detail.html",
        application=application,
        call=application.call,
        verified=svc.is_verified(db.session, application.organisation_id),
        can_edit=permissions.can_edit_application(current_user, application),
        is_staff=permissions.is_staff(current_user),
        forms=staff_forms,
        screening_items=svc.screening_items(),
        decision_milestones=[
            (m, staff_forms["decide"][f"tranche_{m.id}"]) for m in application.milestones
        ]
        if "decide" in staff_forms
        else [],
        **_common(),
    ), status


@bp.get("/applications/<int:application_id>")
@requires(permissions.can_list_applications)
def detail(application_id: int):
    return _render_detail(_load(application_id))


@bp.post("/applications/<int:application_id>/screen")
@requires(permissions.can_process_applications)
def screen(application_id: int):
    application = _load(application_id)
    form = ScreenForm()
    if form.validate_on_submit():
        decision = (
            "eligible"
            if form.eligible.data
            else "return"
            if form.send_back.data
            else "reject"
            if form.reject.data
            else ""
        )
        with attempt(form) as outcome:
            svc.screen(
                db.session,
                current_user,
                application,
                {key: form[key].data for key in svc.screening_items()},
                decision,
                form.comment.data or "",
            )
        if outcome.ok:
            flash(_("The screening has been recorded."), "success")
            return redirect(url_for(".detail", application_id=application.id))
    return _render_detail(_load(application_id), {"screen": form}, status=422)


@bp.post("/applications/<int:application_id>/assign")
@requires(permissions.can_process_applications)
def assign(application_id: int):
    application = _load(application_id)
    form = AssignForm()
    form.reviewer_id.choices = choices((u.id, u.name) for u in svc.reviewers(db.session))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.assign_reviewer(
                db.session, current_user, application, db.session.get(User, form.reviewer_id.data)
            )
        if outcome.ok:
            flash(_("The reviewer has been assigned."), "success")
            return redirect(url_for(".detail", application_id=application.id))
    return _render_detail(_load(application_id), {"assign": form}, status=422)


@bp.post("/applications/<int:application_id>/decide")
@requires(permissions.can_process_applications)
def decide(application_id: int):
    application = _load(application_id)
    form = _decision_form(application, formdata=request.form)
    if form.validate_on_submit():
        comment = form.comment.data or ""
        with attempt(form) as outcome:
            if form.approve.data:
                tranches = {
                    m.id: form[f"tranche_{m.id}"].tiyn
                    for m in application.milestones
                    if form[f"tranche_{m.id}"].tiyn is not None
                }
                svc.approve(
                    db.session,
                    current_user,
                    application,
                    awarded_amount=form.awarded_amount.tiyn,
                    agreement_number=form.agreement_number.data or "",
                    code=form.code.data or "",
                    tranche_amounts=tranches or None,
                    comment=comment,
                )
            elif form.reject.data:
                svc.reject(db.session, current_user, application, comment)
            elif form.send_back.data:
                svc.return_for_changes(db.session, current_user, application, comment)
            else:
                raise svc.DomainError(_("Choose what to do with the application."))
        if outcome.ok:
            if application.project is not None:
                flash(_("Approved: the project has been created."), "success")
                return redirect(url_for("projects.detail", project_id=application.project.id))
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for(".detail", application_id=application.id))
    return _render_detail(_load(application_id), {"decide": form}, status=422)


@bp.get("/decisions")
@requires(permissions.can_view_decisions)
def decisions():
    return render_template(
        "applications/decisions.html", items=svc.decisions(db.session), **_common()
    )


# Reviews --------------------------------------------------------------------------------------


@bp.get("/reviews/")
@requires(permissions.is_reviewer)
def reviews():
    return render_template(
        "applications/reviews.html",
        assignments=svc.assignments_of(db.session, current_user),
        **_common(),
    )


def _load_assignment(assignment_id: int) -> ReviewAssignment:
    return load_or_404(ReviewAssignment, assignment_id, permissions.can_view_assignment)


def _render_review(assignment: ReviewAssignment, declare_form=None, score_form=None, status=200):
    criteria = assignment.application.call.criteria
    if score_form is None:
        score_form = score_form_class(criteria)(formdata=None)
        for s in assignment.scores:
            score_form[f"score_{s.criterion_id}"].data = s.score
            score_form[f"comment_{s.criterion_id}"].data = s.comment
    readable = permissions.can_read_as_reviewer(current_user, assignment)
    return render_template(
        "applications/review.html",
        assignment=assignment,
        application=assignment.application if readable else None,
        call=assignment.application.call,
        readable=readable,
        declare_form=declare_form or DeclareForm(formdata=None),
        score_form=score_form,
        score_fields=[
            (c, score_form[f"score_{c.id}"], score_form[f"comment_{c.id}"]) for c in criteria
        ],
        can_score=readable
        and assignment.submitted_at is None
        and assignment.application.status == ApplicationStatus.UNDER_REVIEW,
        pending=assignment.conflict == ConflictDeclaration.PENDING,
        **_common(),
    ), status


@bp.get("/reviews/<int:assignment_id>")
@requires(permissions.is_reviewer)
def review(assignment_id: int):
    return _render_review(_load_assignment(assignment_id))


@bp.post("/reviews/<int:assignment_id>/declare")
@requires(permissions.is_reviewer)
def declare(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    form = DeclareForm()
    if form.validate_on_submit() and (form.no_conflict.data or form.conflict.data):
        with attempt(form) as outcome:
            svc.declare_conflict(
                db.session, current_user, assignment, bool(form.conflict.data), form.note.data or ""
            )
        if outcome.ok:
            if form.conflict.data:
                flash(_("Thank you: you have been taken off this application."), "success")
                return redirect(url_for(".reviews"))
            return redirect(url_for(".review", assignment_id=assignment.id))
    return _render_review(_load_assignment(assignment_id), declare_form=form, status=422)


@bp.post("/reviews/<int:assignment_id>/score")
@requires(permissions.is_reviewer)
def score(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    criteria = assignment.application.call.criteria
    form = score_form_class(criteria)()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            svc.submit_scores(
                db.session,
                current_user,
                assignment,
                {
                    c.id: (form[f"score_{c.id}"].data, form[f"comment_{c.id}"].data or "")
                    for c in criteria
                },
            )
        if outcome.ok:
            flash(_("Your scores have been submitted."), "success")
            return redirect(url_for(".reviews"))
    return _render_review(_load_assignment(assignment_id), score_form=form, status=422)
