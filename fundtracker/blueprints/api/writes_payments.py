"""An officer's recording of a tranche's payment through the API (scope "write-payments"): the
accounting system's use. The same service as the tranche's page (`services.payments.
record_payment`: the workflow's "pay", the audit event "payment.recorded", the grantee told),
and the same rule (`permissions.can_manage_payments`: the fund's staff, on a project that is
neither suspended nor closed).

    POST /api/v1/tranches/{id}/payment   {paid_on, reference}

Safe to retry: the accounting system sends the payment again when it does not hear back. A
payment already recorded with the same reference and date answers 200 with the tranche, as the
first time; with another reference or date, 409 (the tranche was paid otherwise: look at it).

A fresh proof of identity: the web page asks for one before it records a payment above
REAUTH_PAYMENT_ABOVE_TIYN. The API asks for none: a token with the "write-payments" scope can
only be made after such a proof (the account's token page asks for it), and the token, kept by
the accounting system, stands for it until it expires or is revoked."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy.orm.exc import StaleDataError

from fundtracker import permissions
from fundtracker.blueprints.api.common import scoped_blueprint
from fundtracker.blueprints.api.tranches import TrancheSchema, can_view_tranche, tranche_data
from fundtracker.blueprints.api.writes_common import Text, abort_for
from fundtracker.core.extensions import db
from fundtracker.core.i18n import format_d
from fundtracker.core.time import today
from fundtracker.models import Tranche, TrancheStatus
from fundtracker.models.api_tokens import SCOPE_WRITE_PAYMENTS
from fundtracker.services import payments
from fundtracker.services.errors import Conflict, DomainError
from fundtracker.services.plan import STALE
from fundtracker.web import load_or_404

blp = scoped_blueprint(
    "api_payments",
    __name__,
    "Recording the payment of a tranche, for the fund's accounting system "
    '(scope "write-payments")',
    SCOPE_WRITE_PAYMENTS,
)


class PaymentInSchema(Schema):
    paid_on = fields.Date(
        required=True, metadata={"description": "The day the bank paid (not in the future)."}
    )
    reference = Text(
        required=True,
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(r"^[^\x00]*[^\x00\s][^\x00]*$", error="Give the payment's reference."),
        ],
        metadata={
            "description": (
                "The bank's or the accounting system's reference of the payment: a retry "
                "sends the same one."
            )
        },
    )


def _same_payment(tranche: Tranche, paid_on, reference: str) -> bool:
    return tranche.paid_on == paid_on and tranche.payment_reference == reference


def _paid_otherwise(tranche: Tranche):
    abort(
        409,
        message=_(
            "This tranche was paid already: on %(day)s, reference “%(reference)s”.",
            day=format_d(tranche.paid_on),
            reference=tranche.payment_reference,
        ),
    )


@blp.route("/tranches/<int:tranche_id>/payment", methods=["POST"])
@blp.arguments(PaymentInSchema)
@blp.response(200, TrancheSchema)
@blp.alt_response(409, response="CONFLICT")
def tranche_payment(args, tranche_id: int):
    """Record that a tranche approved for payment has been paid

    A retry of a payment recorded already (same reference and date) answers 200 with the
    tranche, changing nothing; another reference or date for a paid tranche is 409. A tranche
    that is not approved for payment, or a date in the future, is 422. No further proof of
    identity is asked for a large payment: making a token with this scope needed one.
    """
    tranche = load_or_404(Tranche, tranche_id, can_view_tranche)
    if not permissions.can_manage_payments(current_user, tranche.project):
        abort(403, message=_("Only fund staff record payments."))
    paid_on, reference = args["paid_on"], args["reference"].strip()
    if tranche.status != TrancheStatus.PAID:
        try:
            payments.record_payment(db.session, current_user, tranche, paid_on, reference, today())
            db.session.commit()
            return tranche_data(tranche)
        except StaleDataError:
            db.session.rollback()
            refused: DomainError = Conflict(STALE)
        except DomainError as error:
            db.session.rollback()
            refused = error
        except BaseException:
            db.session.rollback()
            raise
        # Refused: perhaps because the same payment, sent twice at once, was recorded first.
        db.session.refresh(tranche)
        if tranche.status != TrancheStatus.PAID:
            abort_for(refused)
    if not _same_payment(tranche, paid_on, reference):
        _paid_otherwise(tranche)
    return tranche_data(tranche)
