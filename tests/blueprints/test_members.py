"""Our organisation's people: the page, a manager's forms (with their CSRF tokens), a member's
read-only view and 403, and another organisation's colleague as 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import OutboxEmail, Role, User
from tests import factories

PAGE = "/organisations/people"


@pytest.fixture
def organisation():
    return factories.OrganisationFactory(name="Umit Foundation")


@pytest.fixture
def manager(organisation):
    return factories.UserFactory(
        role=Role.GRANTEE, organisation=organisation, org_manager=True, name="Manager Madina"
    )


@pytest.fixture
def member(organisation):
    return factories.UserFactory(
        role=Role.GRANTEE, organisation=organisation, name="Member Marat", locale="ru"
    )


def _token(page: str, action: str) -> str:
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, action
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.group(0)).group(1)


def test_a_manager_sees_colleagues_and_invites_one_with_the_forms_csrf_token(
    app, login, manager, member, monkeypatch
):
    client = login(manager)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Member Marat" in page and "Manager Madina" in page and "Umit Foundation" in page
    assert 'id="nav-people"' in page
    data = {"name": "Aruzhan", "email": "aruzhan@example.kz", "locale": "kk"}

    refused = client.post("/organisations/people/invite", data=data)
    assert refused.status_code == 400  # no CSRF token: nobody is invited
    assert db.session.scalar(select(User).where(User.email == "aruzhan@example.kz")) is None

    token = _token(page, "/organisations/people/invite")
    response = client.post(
        "/organisations/people/invite", data={**data, "csrf_token": token}, follow_redirects=True
    )
    text = response.get_data(as_text=True)
    assert "An invitation has been sent to aruzhan@example.kz." in text
    invited = db.session.scalar(select(User).where(User.email == "aruzhan@example.kz"))
    assert invited.organisation_id == manager.organisation_id and not invited.org_manager
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient_id == invited.id))
    assert "Invited, not yet accepted" in text


def test_an_email_with_an_account_is_refused_on_the_form(login, manager):
    factories.UserFactory(grantee=True, email="taken@example.kz")
    response = login(manager).post(
        "/organisations/people/invite",
        data={"name": "X", "email": "taken@example.kz", "locale": "en"},
    )
    assert response.status_code == 400
    assert "already has a FundTracker account" in response.get_data(as_text=True)


def test_a_manager_hands_over_and_removes_through_the_buttons(
    app, login, manager, member, monkeypatch
):
    client = login(manager)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    hand_over = f"/organisations/people/{member.id}/hand-over"
    assert client.post(hand_over).status_code == 400  # no token: nothing changes
    db.session.expire_all()
    assert not member.org_manager
    page = client.get(PAGE).get_data(as_text=True)
    response = client.post(
        hand_over, data={"csrf_token": _token(page, hand_over)}, follow_redirects=True
    )
    assert "you are a member" in response.get_data(as_text=True)
    db.session.expire_all()
    assert member.org_manager and not manager.org_manager
    # Now a member: the page is read-only and the manager's routes answer 403.
    page = client.get(PAGE).get_data(as_text=True)
    assert "Invite a colleague" not in page and "/remove" not in page
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert client.post(f"/organisations/people/{member.id}/remove").status_code == 403


def test_a_member_sees_the_list_read_only_and_may_not_act(login, manager, member):
    client = login(member)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Manager Madina" in page and "Invite a colleague" not in page
    assert "/hand-over" not in page
    for path in ("invite", f"{manager.id}/remove", "step-down", f"{manager.id}/make-manager"):
        assert client.post(f"/organisations/people/{path}").status_code == 403
    db.session.expire_all()
    assert manager.active and manager.org_manager


def test_another_organisations_account_is_404(login, manager):
    stranger = factories.UserFactory(grantee=True)
    staff = factories.UserFactory(role=Role.OFFICER)
    client = login(manager)
    for someone in (stranger, staff):
        assert client.post(f"/organisations/people/{someone.id}/remove").status_code == 404
    db.session.expire_all()
    assert stranger.active


def test_the_last_manager_cannot_step_down(login, manager, member):
    response = login(manager).post("/organisations/people/step-down", follow_redirects=True)
    assert "at least one manager" in response.get_data(as_text=True)
    db.session.expire_all()
    assert manager.org_manager


def test_the_page_speaks_russian(login, manager, member):
    manager.locale = "ru"
    page = login(manager).get(PAGE, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Сотрудники нашей организации" in page


def test_an_admin_sets_the_manager_flag_on_the_users_page(login, admin, manager, member):
    response = login(admin).post(
        f"/admin/users/{member.id}",
        data={
            "email": member.email,
            "name": member.name,
            "role": "grantee",
            "organisation_id": str(member.organisation_id),
            "locale": member.locale,
            "org_manager": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert member.org_manager
    assert "Manager" in login(admin).get("/admin/users").get_data(as_text=True)
