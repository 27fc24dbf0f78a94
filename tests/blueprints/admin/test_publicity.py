"""Admin page "Public data": the admin sees each project's public state, marks ticked projects
confidential or public again with a reason; every id is checked, every change audited, and the
public page shows the change at once (the cached page is dropped by the new data version)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.models import AuditEvent, Role
from tests import factories

SIGNED = date(2025, 1, 10)


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_BYTES", 4 * 1024 * 1024)
    app.extensions.pop("fundtracker_public_pages", None)
    yield
    app.extensions.pop("fundtracker_public_pages", None)


@pytest.fixture
def three():
    public = factories.ProjectFactory(title_en="Open library", agreement_signed_on=SIGNED)
    other = factories.ProjectFactory(title_en="Open kitchen", agreement_signed_on=SIGNED)
    unsigned = factories.ProjectFactory(title_en="Draft clinic")
    db.session.commit()
    return public, other, unsigned


def _change(client, ids, make="confidential", reason="Safety of the shelter's address", **kw):
    data = {"ids": [str(i) for i in ids], "make": make, "confirmed": "1", "reason": reason}
    data.update(kw)
    return client.post("/admin/publicity/change", data=data)


def _events():
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "project.publicity_changed")
        )
    )


def test_the_list_shows_each_state_and_filters(login, admin, three):
    public, other, unsigned = three
    other.confidential = True
    db.session.commit()
    client = login(admin)
    html = client.get("/admin/publicity").get_data(as_text=True)
    assert f'data-project="{public.id}"' in html
    assert 'data-publicity="public"' in html
    assert 'data-publicity="confidential"' in html and 'data-publicity="unsigned"' in html
    html = client.get("/admin/publicity?state=confidential").get_data(as_text=True)
    assert f'data-project="{other.id}"' in html and f'data-project="{public.id}"' not in html
    html = client.get("/admin/publicity?state=unsigned&q=draft").get_data(as_text=True)
    assert f'data-project="{unsigned.id}"' in html and f'data-project="{other.id}"' not in html
    # Nonsense filters are no filters, never an error.
    assert client.get("/admin/publicity?state=x&area=abc&page=-3").status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BOARD, Role.REVIEWER])
def test_staff_other_than_admins_may_not(login, role, three):
    client = login(factories.UserFactory(role=role))
    assert client.get("/admin/publicity").status_code == 403
    assert _change(client, [three[0].id]).status_code == 403
    db.session.refresh(three[0])
    assert not three[0].confidential and not _events()


def test_a_grantee_may_not(login, grantee, three):
    client = login(grantee)
    assert client.get("/admin/publicity").status_code == 403
    assert _change(client, [three[0].id]).status_code == 403


def test_anonymous_goes_to_the_login_page(client, three):
    response = client.get("/admin/publicity")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_confirmation_first_then_the_change_with_its_audit(login, admin, three):
    public, other, _unsigned = three
    client = login(admin)
    ask = client.post(
        "/admin/publicity/change",
        data={"ids": [str(public.id), str(other.id)], "make": "confidential"},
    )
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and 'id="bulk-confirm"' in html and 'name="reason"' in html
    db.session.refresh(public)
    assert not public.confidential  # nothing changes before the confirmation
    done = _change(client, [public.id, other.id])
    assert done.status_code == 200 and 'data-done="2"' in done.get_data(as_text=True)
    db.session.refresh(public)
    db.session.refresh(other)
    assert public.confidential and other.confidential
    events = _events()
    assert sorted(e.target_id for e in events) == sorted([str(public.id), str(other.id)])
    details = json.loads(events[0].details)
    assert (
        details["confidential"] is True and details["reason"] == "Safety of the shelter's address"
    )
    assert details["from"] == "public" and details["to"] == "confidential"
    assert all(e.actor_id == admin.id for e in events)
    # And back again.
    again = _change(client, [public.id], make="public", reason="The family agreed")
    assert 'data-done="1"' in again.get_data(as_text=True)
    db.session.refresh(public)
    assert not public.confidential and len(_events()) == 3


def test_a_reason_is_required_and_nothing_changes_without_it(login, admin, three):
    client = login(admin)
    response = _change(client, [three[0].id], reason="   ")
    assert response.status_code == 422
    db.session.refresh(three[0])
    assert not three[0].confidential and not _events()
    response = _change(client, [three[0].id], reason="x" * 501)
    assert response.status_code == 422 and not _events()


def test_every_id_is_checked(login, admin, three):
    public, _other, _unsigned = three
    client = login(admin)
    response = _change(client, [public.id, 2**31 - 5, public.id])
    html = response.get_data(as_text=True)
    assert 'data-done="1"' in html and f'data-bulk-not-done-item="{2**31 - 5}"' in html
    assert len(_events()) == 1  # a repeated id is one item
    # Already confidential: said so, not changed again, not audited again.
    html = _change(client, [public.id]).get_data(as_text=True)
    assert 'data-done="0"' in html and "confidential already" in html
    assert len(_events()) == 1


def test_unknown_action_or_empty_selection_changes_nothing(login, admin, three):
    client = login(admin)
    response = _change(client, [three[0].id], make="delete")
    assert response.status_code == 302
    response = _change(client, [])
    assert response.status_code == 302
    db.session.refresh(three[0])
    assert not three[0].confidential and not _events()


def test_the_cached_public_page_shows_the_change_at_once(page_cache, login, admin, three, client):
    public = three[0]
    assert "Open library" in client.get("/transparency/?lang=en").get_data(as_text=True)
    first = client.get("/transparency/?lang=en")
    assert "Open library" in first.get_data(as_text=True)
    _change(login(admin), [public.id])
    html = client.get("/transparency/?lang=en").get_data(as_text=True)
    assert "Open library" not in html and "Open kitchen" in html
    # The project's own page is gone too.
    assert client.get(f"/transparency/projects/{public.code}").status_code == 404
    # And the old ETag no longer matches.
    again = client.get("/transparency/?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
