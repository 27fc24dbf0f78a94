"""In-kind support: staff keep the catalogue, plan deliveries on a project and record them;
the grantee confirms what arrived with evidence, or reports a discrepancy that staff settle."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.inkind import bp
from fundtracker.blueprints.inkind.forms import (
    ConfirmForm,
    DeliverForm,
    ItemForm,
    PlanForm,
    ResolveForm,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale, format_money
from fundtracker.core.storage import file_storage
from fundtracker.core.time import today
from fundtracker.models import InKindDelivery, InKindItem, InKindKind, Project, Region
from fundtracker.models.labels import DELIVERY_BADGES, delivery_status_labels, inkind_kind_labels
from fundtracker.services import files, inkind, reference, workflow
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of
from fundtracker.web.forms import choices


def _kind_choices() -> list:
    labels = inkind_kind_labels()
    return choices([(k.value, labels[k]) for k in InKindKind])


# The catalogue ---------------------------------------------------------------------------------


@bp.route("/catalogue", methods=["GET", "POST"])
@requires(permissions.can_manage_inkind)
def catalogue():
    form = ItemForm()
    form.kind.choices = _kind_choices()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            inkind.save_item(db.session, current_user, None, _item_data(form))
        if outcome.ok:
            flash(_("The item has been added to the catalogue."), "success")
            return redirect(url_for(".catalogue"))
    return render_template(
        "inkind/catalogue.html",
        items=inkind.catalogue(db.session),
        form=form,
        kind_labels=inkind_kind_labels(),
        locale=current_locale(),
    ), (422 if request.method == "POST" else 200)


def _item_data(form: ItemForm) -> inkind.ItemData:
    return inkind.ItemData(
        kind=InKindKind(form.kind.data),
        name_kk=form.name_kk.data or "",
        name_ru=form.name_ru.data or "",
        name_en=form.name_en.data or "",
        unit=form.unit.data or "",
        unit_value=form.unit_value.tiyn,
        active=bool(form.active.data),
    )


@bp.route("/catalogue/<int:catalogue_id>", methods=["GET", "POST"])
@requires(permissions.can_manage_inkind)
def edit_item(catalogue_id: int):
    item = load_or_404(
        InKindItem, catalogue_id, lambda user, i: permissions.can_manage_inkind(user)
    )
    form = ItemForm(obj=item)
    form.kind.choices = _kind_choices()
    if request.method == "GET":
        form.kind.data = item.kind.value
        form.unit_value.set_tiyn(item.unit_value)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            inkind.save_item(db.session, current_user, item, _item_data(form))
        if outcome.ok:
            flash(_("The item has been saved."), "success")
            return redirect(url_for(".catalogue"))
    return render_template(
        "inkind/form.html",
        form=form,
        title=_("Catalogue item"),
        intro=_("A new value applies to deliveries planned from now on."),
        back=url_for(".catalogue"),
    ), (422 if request.method == "POST" else 200)


# Deliveries ------------------------------------------------------------------------------------


@bp.route("/projects/<int:project_id>/new", methods=["GET", "POST"])
@requires(permissions.can_manage_inkind)
def plan(project_id: int):
    project = load_or_404(Project, project_id, permissions.can_view_project)
    if not permissions.can_manage_inkind_for(current_user, project):
        abort(403)
    locale = current_locale()
    form = PlanForm()
    items = inkind.catalogue(db.session, active_only=True)
    form.item_id.choices = choices(
        [("", "—")]
        + [(i.id, f"{i.name(locale)} · {i.unit} · {format_money(i.unit_value)}") for i in items]
    )
    regions = reference.regions(db.session)
    form.region_id.choices = choices([("", "—")] + [(r.id, r.name(locale)) for r in regions])
    if request.method == "GET":
        form.region_id.data = project.organisation.region_id
    if form.validate_on_submit():
        data = inkind.PlanData(
            item=next((i for i in items if i.id == form.item_id.data), None),
            quantity=form.quantity.data,
            planned_on=form.planned_on.data,
            facility=form.facility.data or "",
            region=db.session.get(Region, form.region_id.data) if form.region_id.data else None,
        )
        with attempt(form) as outcome:
            delivery = inkind.plan_delivery(db.session, current_user, project, data)
        if outcome.ok:
            flash(_("The delivery has been planned."), "success")
            return redirect(url_for(".delivery", delivery_id=delivery.id))
    return render_template(
        "inkind/form.html",
        form=form,
        title=_("In-kind support for %(code)s", code=project.code),
        intro=_("Plan what the fund delivers for this project, from the catalogue."),
        back=url_for("projects.detail", project_id=project.id) + "#inkind",
        catalogue_link=url_for(".catalogue"),
    ), (422 if request.method == "POST" else 200)


def _load(delivery_id: int) -> InKindDelivery:
    return load_or_404(InKindDelivery, delivery_id, permissions.can_view_delivery)


def _page(delivery: InKindDelivery, forms: dict | None = None, status: int = 200):
    actions = workflow.actions(current_user, delivery, today())
    forms = forms or {}
    if "deliver" in actions and "deliver" not in forms:
        forms["deliver"] = DeliverForm(formdata=None, version=delivery.version_id)
        forms["deliver"].quantity.data = delivery.quantity_planned
        forms["deliver"].delivered_on.data = today()
    if ("confirm" in actions or "dispute" in actions) and "confirm" not in forms:
        forms["confirm"] = ConfirmForm(formdata=None, version=delivery.version_id)
        forms["confirm"].quantity.data = delivery.quantity_delivered
    if "resolve" in actions and "resolve" not in forms:
        forms["resolve"] = ResolveForm(formdata=None, version=delivery.version_id)
        forms["resolve"].quantity.data = delivery.quantity_received
    evidence = [
        f for f in delivery.files if permissions.can_view_file(current_user, f) and not f.is_deleted
    ]
    return render_template(
        "inkind/delivery.html",
        d=delivery,
        project=delivery.project,
        forms=forms,
        may_cancel="cancel" in actions,
        evidence=evidence,
        status_labels=delivery_status_labels(),
        badges=DELIVERY_BADGES,
        kind_labels=inkind_kind_labels(),
        csrf_form=PostOnlyForm(formdata=None),
        locale=current_locale(),
    ), status


@bp.get("/<int:delivery_id>")
@requires(permissions.is_signed_in)
def delivery(delivery_id: int):
    return _page(_load(delivery_id))


def _done(delivery: InKindDelivery, message: str):
    flash(message, "success")
    return redirect(url_for(".delivery", delivery_id=delivery.id))


@bp.post("/<int:delivery_id>/deliver")
@requires(permissions.can_manage_inkind)
def deliver(delivery_id: int):
    delivery = _load(delivery_id)
    form = DeliverForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            inkind.record_delivery(
                db.session,
                current_user,
                delivery,
                quantity=form.quantity.data,
                delivered_on=form.delivered_on.data,
                today=today(),
                expected_version=version_of(form),
            )
        if outcome.ok:
            return _done(
                delivery, _("The delivery has been recorded; the grantee is asked to confirm it.")
            )
        delivery = _load(delivery_id)
    return _page(delivery, {"deliver": form}, 422)


@bp.post("/<int:delivery_id>/confirm")
@requires(permissions.is_grantee)
def confirm(delivery_id: int):
    delivery = _load(delivery_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        uploads = [
            files.Upload(u.stream, u.filename) for u in form.evidence.data or [] if u and u.filename
        ]
        stored: list[str] = []
        with attempt(form) as outcome:
            inkind.confirm_receipt(
                db.session,
                file_storage(),
                current_user,
                delivery,
                quantity=form.quantity.data,
                note=form.note.data or "",
                uploads=uploads,
                expected_version=version_of(form),
                stored_keys=stored,
            )
        if outcome.ok:
            return _done(delivery, _("Thank you: the fund has been told what arrived."))
        files.discard(file_storage(), stored)
        delivery = _load(delivery_id)
        if uploads:
            form.evidence.errors = [
                *form.evidence.errors,
                _("Nothing was saved: choose the files again."),
            ]
    return _page(delivery, {"confirm": form}, 422)


@bp.post("/<int:delivery_id>/resolve")
@requires(permissions.can_manage_inkind)
def resolve(delivery_id: int):
    delivery = _load(delivery_id)
    form = ResolveForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            inkind.resolve(
                db.session,
                current_user,
                delivery,
                quantity=form.quantity.data,
                resolution=form.resolution.data or "",
                expected_version=version_of(form),
            )
        if outcome.ok:
            return _done(delivery, _("The discrepancy has been settled."))
        delivery = _load(delivery_id)
    return _page(delivery, {"resolve": form}, 422)


@bp.post("/<int:delivery_id>/cancel")
@requires(permissions.can_manage_inkind)
def cancel(delivery_id: int):
    delivery = _load(delivery_id)
    with attempt() as outcome:
        inkind.cancel(db.session, current_user, delivery, None)
    if outcome.ok:
        return _done(delivery, _("The delivery has been cancelled."))
    return redirect(url_for(".delivery", delivery_id=delivery_id))
