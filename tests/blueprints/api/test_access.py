"""The API's access matrix: every route of /api/v1 (read and write, every method) answers a
grantee's token with 404 for another organisation's objects, exactly as for an object that does
not exist; a token without the "read" scope gets 403 on every read route; and every list shows
exactly the objects the per-object rule lets each role see (the list's SQL scope and the
`can_view_*` rule agree)."""

from __future__ import annotations

import pytest

from fundtracker import create_app, permissions
from fundtracker.core.extensions import db
from fundtracker.models import (
    Application,
    Call,
    Milestone,
    Organisation,
    Project,
    ProjectIndicator,
    Tranche,
)
from tests.conftest import api_headers

_rules_app = create_app("testing")
API_RULES = sorted(
    (rule.rule, rule.endpoint, frozenset(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in _rules_app.url_map.iter_rules()
    if rule.rule.startswith("/api/")
)
PUBLIC = {"api-docs.openapi_json", "api_docs.index", "api_docs.swagger_file"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MISSING_ID = 2**31 - 1

# For each id in a route, the world's object of the *other* organisation it names. A route with
# an id not listed here fails test_every_api_id_is_in_the_matrix: add it.
OTHER_ORG_OBJECT = {
    "project_id": "other",
    "milestone_id": "other_milestone",
    "tranche_id": "other_tranche",
    "indicator_id": "other_indicator",
    "organisation_id": "other_org",
    "application_id": "other_application",
    # Not an organisation's, but not open: hidden from applicants all the same.
    "call_id": "draft_call",
}
# Fund-wide objects no grantee reads at all: a role rule, 403 whatever the id.
FUND_WIDE = {"publication_id": "publication"}

OBJECT_ROUTES = [
    (path, endpoint, methods)
    for path, endpoint, methods in API_RULES
    if endpoint not in PUBLIC and "<" in path
]


def _args(path: str) -> list[str]:
    return [part.split(">")[0].split(":")[-1] for part in path.split("<")[1:]]


def _url(path: str, values: dict[str, int]) -> str:
    for name, value in values.items():
        for converter in ("int:", ""):
            path = path.replace(f"<{converter}{name}>", str(value))
    return path


def _send(client, method: str, url: str, headers: dict):
    return client.open(url, method=method, headers=headers, json={} if method != "GET" else None)


def test_every_api_id_is_in_the_matrix():
    known = OTHER_ORG_OBJECT.keys() | FUND_WIDE.keys()
    unknown = sorted({a for path, _e, _m in OBJECT_ROUTES for a in _args(path)} - known)
    assert not unknown, f"API route arguments without an entry in OTHER_ORG_OBJECT: {unknown}"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("path", "endpoint", "allowed"), OBJECT_ROUTES)
def test_grantee_gets_404_for_another_organisations_objects(
    client, world, path, endpoint, allowed, method
):
    headers = api_headers(world.grantee)  # every scope a grantee's token may have
    names = _args(path)
    if any(name in FUND_WIDE for name in names):
        values = {n: getattr(world, FUND_WIDE.get(n) or OTHER_ORG_OBJECT[n]).id for n in names}
        response = _send(client, method, _url(path, values), headers)
        assert response.status_code == (403 if method in allowed else 405)
        return
    other = _url(path, {n: getattr(world, OTHER_ORG_OBJECT[n]).id for n in names})
    missing = _url(path, dict.fromkeys(names, MISSING_ID))
    seen = _send(client, method, other, headers)
    unseen = _send(client, method, missing, headers)
    answer = f"{method} {other}: {seen.status_code} {seen.get_json()}"
    if method not in allowed:
        assert seen.status_code == 405, answer
    elif method in ("GET", "DELETE"):
        assert seen.status_code == 404, answer
    else:
        # A body is checked before the object is loaded (422 for an empty one), and a scope the
        # grantee's token cannot have is 403: then the answer must be the very one a missing
        # object gets, so that nothing tells that the object exists.
        assert seen.status_code in (403, 404, 422), answer
    assert seen.status_code == unseen.status_code, answer
    assert seen.get_json() == unseen.get_json(), answer
    assert seen.mimetype == "application/json"


READ_GETS = [
    (path, endpoint)
    for path, endpoint, methods in API_RULES
    if "GET" in methods and endpoint not in PUBLIC and endpoint != "api_me.me"
]


@pytest.mark.parametrize(("path", "endpoint"), READ_GETS)
def test_token_without_read_scope_gets_403(client, world, path, endpoint):
    values = {n: getattr(world, {**OTHER_ORG_OBJECT, **FUND_WIDE}[n]).id for n in _args(path)}
    headers = api_headers(world.admin, ["write-payments"])
    response = client.get(_url(path, values), headers=headers)
    assert response.status_code == 403, path


@pytest.mark.parametrize(("path", "endpoint", "allowed"), API_RULES)
def test_no_token_is_401_on_every_route(client, path, endpoint, allowed):
    if endpoint in PUBLIC:
        return
    url = _url(path, dict.fromkeys(_args(path), 1))
    for method in sorted(allowed):
        response = client.open(url, method=method)
        assert response.status_code == 401, (method, url)
        assert "WWW-Authenticate" in response.headers


# Lists agree with the per-object rules -----------------------------------------------------------


LISTS = [
    ("/api/v1/projects", Project, permissions.can_view_project, None),
    (
        "/api/v1/milestones",
        Milestone,
        lambda u, m: permissions.can_view_project(u, m.project),
        None,
    ),
    ("/api/v1/tranches", Tranche, lambda u, t: permissions.can_view_project(u, t.project), None),
    (
        "/api/v1/indicators",
        ProjectIndicator,
        lambda u, i: permissions.can_view_outcomes(u, i.project),
        None,
    ),
    ("/api/v1/organisations", Organisation, permissions.can_view_organisation, None),
    ("/api/v1/calls", Call, permissions.can_view_call, permissions.can_list_calls),
    (
        "/api/v1/applications",
        Application,
        permissions.can_view_application,
        permissions.can_list_applications,
    ),
]
ROLES = ("admin", "officer", "board", "reviewer", "grantee", "other_grantee")


def _all_ids(client, url: str, headers: dict) -> list[int]:
    ids, page = [], 1
    while True:
        response = client.get(url, query_string={"page": page, "page_size": 100}, headers=headers)
        assert response.status_code == 200, response.get_json()
        rows = response.get_json()
        ids += [row["id"] for row in rows]
        if len(rows) < 100:
            return ids
        page += 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "model", "rule", "may_list"), LISTS)
def test_list_shows_what_the_object_rule_allows(client, world, url, model, rule, may_list, role):
    user = getattr(world, role)
    headers = api_headers(user, ["read"])
    if may_list is not None and not may_list(user):
        assert client.get(url, headers=headers).status_code == 403
        return
    listed = _all_ids(client, url, headers)
    assert len(listed) == len(set(listed))
    expected = {obj.id for obj in db.session.scalars(db.select(model)) if rule(user, obj)}
    assert set(listed) == expected


@pytest.mark.parametrize("role", ROLES)
def test_project_sub_lists_agree(client, world, role):
    user = getattr(world, role)
    headers = api_headers(user, ["read"])
    for project in (world.own, world.other):
        for kind in ("milestones", "tranches", "indicators"):
            response = client.get(f"/api/v1/projects/{project.id}/{kind}", headers=headers)
            if permissions.can_view_project(user, project):
                assert response.status_code == 200
                assert len(response.get_json()) == 1
            else:
                assert response.status_code == 404
