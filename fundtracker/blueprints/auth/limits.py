"""The limit on requests that send mail about an account, for the views that take them."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_wtf import FlaskForm

from fundtracker.core.extensions import db
from fundtracker.services import accounts
from fundtracker.web import Outcome, attempt
from fundtracker.web.audit import client_address


def limited_mail_request(
    kind: str, email: str, work: Callable[[], object], form: FlaskForm | None = None
) -> Outcome:
    """Run `work` (service calls) as `attempt(form)` does, once the request is counted and
    within the limits (accounts.MailLimits): counted and committed first, so that parallel
    requests and other worker processes see it; judged and worked on in a second transaction;
    and, when that fails (a limit, or a refused form), marked as refused so that it uses up
    nobody's allowance. Returns attempt's outcome: a refusal for the limit is
    accounts.TooManyRequests in `outcome.error`."""
    with attempt():
        request_id = accounts.begin_mail_request(db.session, kind, email, client_address()).id
    with attempt(form) as outcome:
        accounts.check_mail_limits(
            db.session, request_id, accounts.MailLimits.from_config(current_app.config)
        )
        work()
    if not outcome.ok:
        with attempt():
            accounts.refuse_mail_request(db.session, request_id)
    return outcome
