"""What each read endpoint answers: the fields an integrator gets (money in tiyn with KZT,
localized texts as {kk, ru, en}, ISO dates), contact details for staff only, calls open to
applicants, applications and reviews as the web shows them, published figures protected."""

from __future__ import annotations

from tests.conftest import api_headers


def _get(client, user, url, scopes=None):
    response = client.get(url, headers=api_headers(user, scopes or ["read"]))
    assert response.status_code == 200, (url, response.get_json())
    return response.get_json()


def test_me(client, world):
    body = _get(client, world.grantee, "/api/v1/me")
    assert body["id"] == world.grantee.id and body["organisation_id"] == world.own_org.id
    assert body["scopes"] == ["read"]


def test_project_detail(client, world):
    body = _get(client, world.grantee, f"/api/v1/projects/{world.own.id}")
    assert body["code"] == world.own.code
    assert body["title"] == {
        "kk": world.own.title_kk,
        "ru": world.own.title_ru,
        "en": world.own.title_en,
    }
    assert body["awarded_amount"] == {"amount": world.own.awarded_amount, "currency": "KZT"}
    assert body["start_date"] == world.own.start_date.isoformat()
    assert body["area"]["code"] == world.own.area.code
    assert [r["code"] for r in body["regions"]] == ["KZ-71"]
    assert body["organisation_id"] == world.own_org.id


def test_project_list_filters(client, world):
    url = f"/api/v1/projects?organisation_id={world.other_org.id}"
    assert [p["id"] for p in _get(client, world.officer, url)] == [world.other.id]
    assert _get(client, world.officer, "/api/v1/projects?status=closed") == []


def test_milestones_tranches_indicators_of_a_project(client, world):
    base = f"/api/v1/projects/{world.own.id}"
    milestones = _get(client, world.grantee, f"{base}/milestones")
    assert [m["id"] for m in milestones] == [world.own_milestone.id]
    assert milestones[0]["status"] == "planned" and milestones[0]["accepted_at"] is None
    tranches = _get(client, world.grantee, f"{base}/tranches")
    assert tranches[0]["amount"] == {"amount": world.own_tranche.amount, "currency": "KZT"}
    assert tranches[0]["milestone_id"] == world.own_milestone.id
    indicators = _get(client, world.grantee, f"{base}/indicators")
    standard = world.own_indicator.standard
    assert indicators[0]["name"] == {
        "kk": standard.name_kk,
        "ru": standard.name_ru,
        "en": standard.name_en,
    }
    assert indicators[0]["target"] == 100 and indicators[0]["dimensions"] == ["region", "sex"]
    for kind, obj in (
        ("milestones", world.own_milestone),
        ("tranches", world.own_tranche),
        ("indicators", world.own_indicator),
    ):
        assert _get(client, world.grantee, f"/api/v1/{kind}/{obj.id}")["id"] == obj.id


def test_organisation_contact_only_for_staff(client, world):
    url = f"/api/v1/organisations/{world.other_org.id}"
    staff = _get(client, world.officer, url)
    assert staff["contact"]["phone"] == "+7 701 000 00 00"
    assert staff["identifier"] == f"KZ-BIN-{world.other_org.bin}"
    board = _get(client, world.board, url)
    assert board["contact"] is None and board["name"] == world.other_org.name
    own = _get(client, world.grantee, f"/api/v1/organisations/{world.own_org.id}")
    assert own["contact"] is None
    for user in (world.board, world.grantee):
        listed = client.get("/api/v1/organisations", headers=api_headers(user, ["read"]))
        text = listed.get_data(as_text=True)
        assert "+7 701" not in text and "@example.kz" not in text


def test_calls_for_applicants_are_the_open_ones(client, world):
    grantee = [c["id"] for c in _get(client, world.grantee, "/api/v1/calls")]
    assert grantee == [world.open_call.id]
    staff = {c["id"] for c in _get(client, world.officer, "/api/v1/calls")}
    assert staff == {world.open_call.id, world.draft_call.id}
    body = _get(client, world.grantee, f"/api/v1/calls/{world.open_call.id}")
    assert body["is_open"] is True
    assert body["max_request"] == {"amount": world.open_call.max_request, "currency": "KZT"}
    assert [c["weight"] for c in body["criteria"]] == [40, 30, 30]
    assert body["title"]["en"] == world.open_call.title_en


def test_board_and_reviewer_may_not_list_calls(client, world):
    for user in (world.board, world.reviewer):
        response = client.get("/api/v1/calls", headers=api_headers(user, ["read"]))
        assert response.status_code == 403


def test_applications_as_the_web_lists_them(client, world):
    staff = [a["id"] for a in _get(client, world.officer, "/api/v1/applications")]
    assert staff == [world.other_application.id]  # a draft is its applicant's own
    own = [a["id"] for a in _get(client, world.grantee, "/api/v1/applications")]
    assert own == [world.own_application.id]
    body = _get(client, world.officer, f"/api/v1/applications/{world.other_application.id}")
    assert body["status"] == "under_review"
    assert body["requested_amount"]["currency"] == "KZT"


def test_reviews_for_staff(client, world):
    url = f"/api/v1/applications/{world.other_application.id}/reviews"
    reviews = _get(client, world.officer, url)
    assert len(reviews) == 1
    assert reviews[0]["conflict"] == "none" and reviews[0]["weighted_score"] == 4.0
    own = f"/api/v1/applications/{world.own_application.id}/reviews"
    assert client.get(own, headers=api_headers(world.grantee, ["read"])).status_code == 403


def test_published_figures_are_protected(client, world):
    publications = _get(client, world.officer, "/api/v1/publications")
    assert [p["period"] for p in publications] == ["2025"]
    url = f"/api/v1/publications/{world.publication.id}/figures"
    figures = {f["table"]: f for f in _get(client, world.officer, url)}
    assert figures["total"]["value"] == 240 and figures["total"]["hidden"] is False
    assert figures["total"]["measure"] == {
        "kind": "standard",
        "id": world.own_indicator.standard_id,
    }
    # A count of 3 people was hidden when published: it never comes back.
    assert figures["sex"]["value"] is None and figures["sex"]["hidden"] is True
    assert '"value": 3' not in str(figures)


def test_publications_are_for_staff(client, world):
    for user in (world.grantee, world.board, world.reviewer):
        response = client.get("/api/v1/publications", headers=api_headers(user, ["read"]))
        assert response.status_code == 403


LISTS = [
    "/api/v1/projects",
    "/api/v1/milestones",
    "/api/v1/tranches",
    "/api/v1/indicators",
    "/api/v1/organisations",
    "/api/v1/calls",
    "/api/v1/applications",
    "/api/v1/publications",
]


def _queries(app, client, url, headers) -> int:
    from sqlalchemy import event

    from fundtracker.core.extensions import db

    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_lists_take_as_many_queries_whatever_their_length(app, client, world):
    """A page's rows come with what they show in a fixed number of queries (no query per row)."""
    from tests import factories
    from tests.blueprints.api.conftest import _project_with_plan

    headers = api_headers(world.officer, ["read"])
    before = {url: _queries(app, client, url, headers) for url in LISTS}
    for _ in range(3):
        _project_with_plan(factories.OrganisationFactory())
        factories.CallFactory()
    after = {url: _queries(app, client, url, headers) for url in LISTS}
    assert after == before
