"""The signed-in user's "API tokens" (issue #20): the list, a new token (shown once, in the
answer to the form that made it: never in a URL or the session cookie), revoking one.

Making a token asks for a fresh proof of identity (web.reauth), as other sensitive actions do:
a token reads what its user may read, for months, without a second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from fundtracker import permissions
from fundtracker.blueprints.account import bp
from fundtracker.core.extensions import db
from fundtracker.core.text import clean_line
from fundtracker.core.time import local_day
from fundtracker.models import utcnow
from fundtracker.models.api_tokens import (
    SCOPE_READ,
    SCOPE_WRITE_PAYMENTS,
    SCOPE_WRITE_UPDATES,
    ApiToken,
)
from fundtracker.services import api_tokens
from fundtracker.web import PostOnlyForm, attempt, load_or_404, page_arg, requires
from fundtracker.web.forms import DateField
from fundtracker.web.reauth import reauth

PER_PAGE = 20

SCOPE_LABELS = {
    SCOPE_READ: _l("Read"),
    SCOPE_WRITE_UPDATES: _l("Send milestone updates"),
    SCOPE_WRITE_PAYMENTS: _l("Record payments"),
}
SCOPE_HELP = {
    SCOPE_READ: _l(
        "See what you can see in FundTracker: calls, projects, milestones, tranches and "
        "published outcomes."
    ),
    SCOPE_WRITE_UPDATES: _l(
        "Send updates on your organisation's milestones, with results and evidence files."
    ),
    SCOPE_WRITE_PAYMENTS: _l("Record tranche payments, for example from the accounting system."),
}
STATE_LABELS = {
    api_tokens.State.ACTIVE: _l("Active"),
    api_tokens.State.EXPIRED: _l("Expired"),
    api_tokens.State.REVOKED: _l("Revoked"),
}
STATE_BADGES = {
    api_tokens.State.ACTIVE: "text-bg-success",
    api_tokens.State.EXPIRED: "text-bg-secondary",
    api_tokens.State.REVOKED: "text-bg-danger",
}


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Length(max=100)],
        filters=[clean_line],
        description=_l("What the token is for, e.g. “Accounting system”."),
    )
    scopes = SelectMultipleField(_l("Permissions"), validate_choice=False)
    expires_on = DateField(
        _l("Expires on"),
        validators=[InputRequired()],
        description=_l("The token stops working after this day. At most a year from today."),
    )


@dataclass(frozen=True)
class ScopeChoice:
    value: str
    label: str
    help: str
    checked: bool


def scope_choices(form: TokenForm) -> list[ScopeChoice]:
    """The scopes this user's role may give a token, ticked as the form has them."""
    chosen = set(form.scopes.data or [])
    return [
        ScopeChoice(value, str(SCOPE_LABELS[value]), str(SCOPE_HELP[value]), value in chosen)
        for value in api_tokens.scopes_for(current_user)
    ]


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    hint: str
    scopes: list[str]
    created: datetime
    last_day: date | None
    last_used: datetime | None
    last_used_address: str
    state: str
    state_label: str
    state_badge: str


def token_row(token: ApiToken, now: datetime) -> TokenRow:
    state = api_tokens.state(token, now)
    return TokenRow(
        id=token.id,
        name=token.name,
        hint=token.hint,
        scopes=[str(SCOPE_LABELS[s]) for s in token.scope_list],
        created=token.created_at,
        # Stored as the start of the day after; the user chose (and reads) the last day.
        last_day=local_day(token.expires_at - timedelta(seconds=1)),
        last_used=token.last_used_at,
        last_used_address=token.last_used_address,
        state=state.value,
        state_label=str(STATE_LABELS[state]),
        state_badge=STATE_BADGES[state],
    )


@bp.get("/tokens")
@requires(permissions.is_signed_in)
def tokens():
    pagination = db.paginate(
        api_tokens.tokens_of(current_user), page=page_arg(), per_page=PER_PAGE, error_out=False
    )
    now = utcnow()
    return render_template(
        "account/tokens.html",
        rows=[token_row(token, now) for token in pagination.items],
        pagination=pagination,
    )


@bp.route("/tokens/new", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
@reauth  # a GET asks for the proof before the form is filled in
def token_new():
    form = TokenForm()
    if not form.is_submitted():
        form.expires_on.data = api_tokens.default_expiry()
        form.scopes.data = [SCOPE_READ]
    elif form.validate():
        with attempt(form) as outcome:
            token, raw = api_tokens.create(
                db.session,
                current_user,
                name=form.name.data,
                scopes=form.scopes.data or [],
                expires_on=form.expires_on.data,
            )
        if outcome.ok:
            # The token is in this answer only: never in a URL, a flash message or the session.
            response = make_response(
                render_template(
                    "account/token_created.html", row=token_row(token, utcnow()), raw=raw
                )
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template(
        "account/token_new.html",
        form=form,
        choices=scope_choices(form),
        last_expiry=api_tokens.last_expiry(),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def token_revoke(token_id: int):
    token = load_or_404(ApiToken, token_id, permissions.can_manage_token)
    if token.revoked_at is not None:
        flash(_("This token has been revoked already."), "info")
        return redirect(url_for(".tokens"))
    form = PostOnlyForm()
    if not form.is_submitted():
        return render_template(
            "account/token_revoke.html", row=token_row(token, utcnow()), form=form
        )
    if not form.validate():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(url_for(".token_revoke", token_id=token.id))
    with attempt() as outcome:
        api_tokens.revoke(db.session, current_user, token)
    if outcome.ok:
        flash(
            _("The token “%(name)s” has been revoked: it no longer works.", name=token.name),
            "success",
        )
    return redirect(url_for(".tokens"))
