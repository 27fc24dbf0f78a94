"""The fund's actions write their audit event in their own transaction, with the actor, the
object and what changed: payments, decisions and status changes of applications, publications
(by an officer and by the scheduler), and changes to accounts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import ApplicationStatus, AuditEvent, ResultStatus, Role, TrancheStatus
from fundtracker.services import audit, decisions, payments, publications, reviews
from fundtracker.services.errors import DomainError
from fundtracker.services.users import (
    UserData,
    create_user,
    send_invitation,
    set_active,
    update_user,
)
from tests import factories

TODAY = date(2026, 5, 4)


def _events(action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def _one(action: str) -> AuditEvent:
    found = _events(action)
    assert len(found) == 1, [e.action for e in _events()]
    return found[0]


def _is(event: AuditEvent, actor, target) -> dict:
    assert event.actor_id == (actor.id if actor is not None else None)
    assert (event.target_type, event.target_id) == (
        target.__tablename__,
        str(target.id),
    )
    return json.loads(event.details)


def test_approving_a_tranche_and_recording_its_payment(officer):
    tranche = factories.TrancheFactory(amount=12_000_00)
    payments.approve(db.session, officer, tranche, TODAY)
    assert _is(_one("tranche.approved"), officer, tranche) == {"amount": 12_000_00}
    assert _one("tranche.approved").target_label == tranche.project.code

    payments.record_payment(db.session, officer, tranche, TODAY, " PP-7 ", TODAY)
    assert tranche.status == TrancheStatus.PAID
    assert _is(_one("payment.recorded"), officer, tranche) == {
        "amount": 12_000_00,
        "paid_on": TODAY.isoformat(),
        "reference": "PP-7",
    }
    assert audit.verify(db.session).intact


def test_a_refused_payment_writes_nothing(officer):
    tranche = factories.TrancheFactory()
    with pytest.raises(DomainError):
        payments.record_payment(db.session, officer, tranche, TODAY, "PP-1", TODAY)
    assert _events("payment.recorded") == []


def test_an_applications_status_changes_and_the_decision(officer):
    application = factories.application_in(ApplicationStatus.UNDER_REVIEW)
    # Getting there went through the workflow: submitted, screened, under review.
    steps = [json.loads(e.details) for e in _events("application.status_changed")]
    assert [s["to"] for s in steps] == ["submitted", "screened", "under_review"]
    assert all(e.target_id == str(application.id) for e in _events("application.status_changed"))

    decisions.reject(db.session, officer, application, "Outside the call's priorities.")
    decided = _one("application.decided")
    assert _is(decided, officer, application) == {"from": "under_review", "to": "rejected"}
    assert decided.target_label == application.title


def test_returning_an_application_is_a_decision(officer):
    application = factories.application_in(ApplicationStatus.SUBMITTED)
    reviews.screen(db.session, officer, application, {}, "return", "Add the charter.")
    assert _is(_one("application.decided"), officer, application) == {
        "from": "submitted",
        "to": "returned",
    }


@pytest.fixture
def verified_quarter(grantee, officer):
    project = factories.ProjectFactory(
        organisation=grantee.organisation, officer=officer, start_date=date(2025, 1, 15)
    )
    indicator = factories.ProjectIndicatorFactory(project=project, by_region=False, by_sex=True)
    cells = {"sex": {"female": 6, "male": 6}}
    factories.indicator_result(indicator, date(2025, 1, 1), 12, ResultStatus.VERIFIED, cells)


def test_publishing_a_period(verified_quarter, officer):
    (publication,) = publications.publish(db.session, officer, "2025-Q1", TODAY)
    details = _is(_one("publication.published"), officer, publication)
    assert details["period"] == "2025-Q1" and details["cells"] > 0
    assert _one("publication.published").target_label == "2025-Q1"


def test_the_scheduler_publishing_is_audited_without_an_actor(verified_quarter):
    (publication,) = publications.publish(db.session, None, "2025-Q1", TODAY, tell=False)
    event = _one("publication.published")
    _is(event, None, publication)
    assert event.actor_email == ""


def test_account_changes(admin):
    data = UserData(email="Olzhas@Fund.kz", name="Olzhas", role=Role.OFFICER, locale="ru")
    user = create_user(db.session, admin, data)
    assert _is(_one("user.created"), admin, user) == {"role": "officer"}
    assert _one("user.created").target_label == "olzhas@fund.kz"

    send_invitation(db.session, admin, user)
    _is(_one("user.invited"), admin, user)

    update_user(
        db.session,
        admin,
        user,
        UserData(email="olzhas.b@fund.kz", name="Olzhas B", role=Role.BOARD, locale="kk"),
    )
    assert _is(_one("user.role_changed"), admin, user) == {"old": "officer", "new": "board"}
    assert _is(_one("user.updated"), admin, user) == {
        "email": ["olzhas@fund.kz", "olzhas.b@fund.kz"],
        "name": ["Olzhas", "Olzhas B"],
        "locale": ["ru", "kk"],
    }

    set_active(db.session, admin, user, False)
    _is(_one("user.deactivated"), admin, user)
    set_active(db.session, admin, user, False)  # no change: nothing more
    set_active(db.session, admin, user, True)
    _is(_one("user.activated"), admin, user)
    assert audit.verify(db.session).intact


def test_saving_an_account_unchanged_writes_nothing(admin, officer):
    data = UserData(email=officer.email, name=officer.name, role=officer.role, locale="en")
    update_user(db.session, admin, officer, data)
    assert _events() == []


def test_the_first_admin_made_on_the_command_line(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "root@fund.kz", "--name", "Root"],
        input="a long admin password\na long admin password\n",
    )
    assert result.exit_code == 0, result.output
    event = _one("user.created")
    assert (event.actor_id, event.target_label) == (None, "root@fund.kz")
