"""Verifying several results at once: the results waiting for the fund's check, filtered and
paged; the officer ticks some, confirms the list, and each goes through `outcomes.verify` as
the single "Verify" button does (services/bulk.py)."""

from datetime import date

from flask import redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import Optional

from fundtracker import permissions
from fundtracker.blueprints.outcomes import bp
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale, format_d
from fundtracker.models import IndicatorResult, Project, ProjectIndicator, ResultStatus
from fundtracker.services import bulk, outcomes, reference
from fundtracker.web import PostOnlyForm, attempt, bulk_ids, next_url, page_arg, requires
from fundtracker.web.forms import choices, int_or_none

ALREADY_VERIFIED = _l("Already verified.")


class WaitingFilterForm(FlaskForm):
    """The list's filters: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    project = SelectField(_l("Project"), coerce=int_or_none, validators=[Optional()])
    period = SelectField(_l("Period ending"), validators=[Optional()])


FILTER_KEYS = ("area", "project", "period")


def _filters() -> tuple[WaitingFilterForm, outcomes.AwaitingFilter]:
    """The filters of the address; a value that is not among the choices is dropped (the
    project and the period asked for are among them while the user may see them)."""
    locale = current_locale()
    try:
        period_asked = date.fromisoformat(request.args.get("period", ""))
    except ValueError:
        period_asked = None
    asked = outcomes.AwaitingFilter(
        project_id=bulk.id_from(request.args.get("project")), period_end=period_asked
    )
    projects, ends = outcomes.awaiting_choices(db.session, current_user, asked)
    form = WaitingFilterForm(request.args)
    anything = ("", _l("All"))
    form.area.choices = choices(
        [anything] + [(a.id, a.name(locale)) for a in reference.areas(db.session)]
    )
    form.project.choices = choices(
        [anything] + [(p.id, f"{p.code} · {p.title(locale)}") for p in projects]
    )
    form.period.choices = choices([anything] + [(d.isoformat(), format_d(d)) for d in ends])
    form.validate()
    period = form.period.data if form.period.data and not form.period.errors else None
    return form, outcomes.AwaitingFilter(
        area_id=form.area.data if not form.area.errors else None,
        project_id=form.project.data if not form.project.errors else None,
        period_end=date.fromisoformat(period) if period else None,
    )


def _item_context() -> dict:
    return {"locale": current_locale(), "period_label": outcomes.period_label}


def _load(ids: list[int]) -> dict[int, IndicatorResult]:
    indicator = joinedload(IndicatorResult.indicator)
    return bulk.load(
        db.session,
        IndicatorResult,
        ids,
        lambda r: permissions.can_view_result(current_user, r),
        (
            indicator.joinedload(ProjectIndicator.project).joinedload(Project.organisation),
            indicator.joinedload(ProjectIndicator.standard),
        ),
    )


@bp.get("/results/to-verify")
@requires(permissions.is_staff)
def results_to_verify():
    form, flt = _filters()
    pagination = db.paginate(
        outcomes.awaiting_verification(current_user, flt),
        page=page_arg(),
        per_page=bulk.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "outcomes/verify_results.html",
        stage="list",
        form=form,
        pagination=pagination,
        page_args={key: request.args[key] for key in FILTER_KEYS if request.args.get(key)},
        csrf_form=PostOnlyForm(formdata=None),
        here=request.full_path.rstrip("?"),
        **_item_context(),
    )


@bp.post("/results/verify-selected")
@requires(permissions.is_staff)
def results_verify_selected():
    """The list's ticked results: first the confirmation (nothing changes), then, with
    `confirmed`, each verified in its own savepoint and the outcome shown. A result changed
    since the confirmation showed it (a grantee's correction) is not verified."""
    back = next_url("outcomes.results_to_verify")
    ids = bulk_ids()
    if ids is None:
        return redirect(back)
    found = _load(ids)
    page = {"csrf_form": PostOnlyForm(formdata=None), "next": back, **_item_context()}
    if not request.form.get("confirmed"):
        return render_template(
            "outcomes/verify_results.html",
            stage="confirm",
            selection=bulk.selection(ids, found),
            **page,
        )
    versions = bulk.versions_from(request.form, ids)
    with attempt() as outcome:
        result = bulk.run(
            db.session,
            ids,
            found,
            lambda r: outcomes.verify(db.session, current_user, r, versions.get(r.id)),
            may=lambda r: permissions.can_verify_results(current_user, r.indicator.project),
            skip=lambda r: ALREADY_VERIFIED if r.status == ResultStatus.VERIFIED else None,
        )
    if not outcome.ok:
        return redirect(back)
    _load(ids)  # what the outcome names, reloaded after the commit in one SELECT
    return render_template(
        "outcomes/verify_results.html",
        stage="done",
        result=result,
        done_message=ngettext(
            "%(num)d result has been verified.",
            "%(num)d results have been verified.",
            len(result.done),
        ),
        **page,
    )
