"""The API's foundation: JSON errors in one shape (with WWW-Authenticate on 401, never a
traceback), bounded paging with X-Pagination, `updated_since`, the OpenAPI 3.1 document and the
docs page served by the app without a CDN."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.exceptions import BadRequest, Conflict, RequestEntityTooLarge

from fundtracker.core.extensions import db
from fundtracker.core.security import CSP
from fundtracker.models import Project
from tests import factories
from tests.conftest import api_headers

ERROR_KEYS = {"code", "status", "message"}
METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _is_error(response, code: int) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= ERROR_KEYS and body["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)
    return body


# Errors -----------------------------------------------------------------------------------------


def test_no_token_is_401_json_with_challenge(client):
    response = client.get("/api/v1/projects")
    _is_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    _is_error(response, 401)
    assert "WWW-Authenticate" in response.headers


def test_token_without_read_scope_is_403(client, officer):
    response = client.get("/api/v1/projects", headers=api_headers(officer, ["write-payments"]))
    body = _is_error(response, 403)
    assert "read" in body["message"]


def test_unknown_api_path_is_json_404(client, officer):
    _is_error(client.get("/api/v1/no-such-thing", headers=api_headers(officer)), 404)
    _is_error(client.get("/api/v2/projects"), 404)


def test_wrong_method_is_json_405_with_allow(client, officer):
    response = client.delete("/api/v1/me", headers=api_headers(officer))
    _is_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_invalid_arguments_are_422_naming_them(client, officer):
    headers = api_headers(officer)
    body = _is_error(client.get("/api/v1/projects?page_size=1000", headers=headers), 422)
    assert "page_size" in json.dumps(body["errors"])
    body = _is_error(client.get("/api/v1/projects?updated_since=yesterday", headers=headers), 422)
    assert "updated_since" in json.dumps(body["errors"])


def test_unexpected_error_is_json_500_without_traceback(app, client, officer, monkeypatch):
    def broken():
        raise RuntimeError("secret detail in /srv/app.py")

    monkeypatch.setitem(app.view_functions, "api_me.me", broken)
    monkeypatch.setitem(app.config, "TEST_ERROR_PAGES", True)
    response = client.get("/api/v1/me", headers=api_headers(officer))
    _is_error(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)


@pytest.mark.parametrize("error", [Conflict, RequestEntityTooLarge, BadRequest])
def test_other_http_errors_are_json_too(app, client, officer, monkeypatch, error):
    def refuse():
        raise error()

    monkeypatch.setitem(app.view_functions, "api_me.me", refuse)
    body = _is_error(client.get("/api/v1/me", headers=api_headers(officer)), error.code)
    assert body["message"]


def test_over_the_rate_limit_is_json_429_with_retry_after(app, client, officer, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", 1)
    headers = api_headers(officer)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.get("/api/v1/me", headers=headers)
    _is_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_web_pages_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


# Paging and updated_since -----------------------------------------------------------------------


@pytest.fixture
def five_projects():
    projects = [factories.ProjectFactory() for _ in range(5)]
    base = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    # Two share a time: the order falls back on the id. (A table UPDATE: the ORM's onupdate
    # would set the time to now.)
    for project, minutes in zip(projects, (40, 10, 20, 20, 0), strict=True):
        db.session.execute(
            Project.__table__.update()
            .where(Project.id == project.id)
            .values(updated_at=base + timedelta(minutes=minutes))
        )
    db.session.expire_all()
    return projects


def test_pages_and_x_pagination(client, officer, five_projects):
    headers = api_headers(officer)
    first = client.get("/api/v1/projects?page_size=2", headers=headers)
    assert first.status_code == 200
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["next_page"] == 2
    seen = [p["id"] for p in first.get_json()]
    for page in (2, 3):
        seen += [
            p["id"]
            for p in client.get(
                f"/api/v1/projects?page_size=2&page={page}", headers=headers
            ).get_json()
        ]
    p = five_projects
    # Ordered by (updated_at, id): 0, 10, 20 (the lower id first), 20, 40 minutes.
    tied = sorted([p[2].id, p[3].id])
    assert seen == [p[4].id, p[1].id, *tied, p[0].id]


def test_past_the_last_page_is_empty(client, officer, five_projects):
    response = client.get("/api/v1/projects?page=9", headers=api_headers(officer))
    assert response.status_code == 200 and response.get_json() == []


def test_page_size_bounded_by_setting(app, client, officer, five_projects, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_PAGE_SIZE", 2)
    response = client.get("/api/v1/projects?page_size=100", headers=api_headers(officer))
    assert len(response.get_json()) == 2
    assert json.loads(response.headers["X-Pagination"])["total_pages"] == 3


def test_updated_since_is_inclusive(client, officer, five_projects):
    p = five_projects
    since = "2026-03-01T08:20:00Z"
    response = client.get(f"/api/v1/projects?updated_since={since}", headers=api_headers(officer))
    ids = [row["id"] for row in response.get_json()]
    assert ids == [*sorted([p[2].id, p[3].id]), p[0].id]
    # With an offset: 13:20 in Almaty is 08:20 UTC; without one, UTC.
    almaty = client.get(
        "/api/v1/projects",
        query_string={"updated_since": "2026-03-01T13:20:00+05:00"},
        headers=api_headers(officer),
    )
    assert [row["id"] for row in almaty.get_json()] == ids
    naive = client.get(
        "/api/v1/projects?updated_since=2026-03-01T08:20:00", headers=api_headers(officer)
    )
    assert [row["id"] for row in naive.get_json()] == ids


# The document and the docs page -----------------------------------------------------------------


def test_openapi_document_is_31_and_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    project = spec["components"]["schemas"]["Project"]["properties"]
    # Nullable as OpenAPI 3.1 writes it (JSON Schema), not 3.0's `nullable`.
    assert project["agreement_number"]["type"] == ["string", "null"]
    assert "nullable" not in json.dumps(spec)
    assert "tiyn" in spec["components"]["schemas"]["Money"]["properties"]["amount"]["description"]


def test_every_operation_documents_its_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method, operation in _operations(spec):
        assert {"401", "403", "404", "429"} <= set(operation["responses"]), (method, path)


def test_openapi_document_validates_against_the_31_schema(client):
    """Schemathesis loads the document and checks it against the OpenAPI 3.1 meta-schema."""
    import schemathesis

    spec = client.get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(spec)
    schema.validate()  # raises on any departure from the OpenAPI 3.1 schema
    operations = list(schema.get_all_operations())
    assert all(result.ok() for result in operations)
    assert len(operations) == len(list(_operations(spec)))


def test_an_invalid_document_would_be_caught():
    import schemathesis

    broken = {"openapi": "3.1.0", "info": {"title": "x"}, "paths": {"/a": {"get": {}}}}
    with pytest.raises(Exception, match="version"):
        schemathesis.openapi.from_dict(broken).validate()


def test_docs_page_is_served_without_cdn_or_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "cdn" not in html.lower() and "https://" not in html
    assert "<script>" not in html and "onload=" not in html
    assert response.headers["Content-Security-Policy"] == CSP
    for url in (
        "/api/v1/docs/swagger-ui/swagger-ui-bundle.js",
        "/api/v1/docs/swagger-ui/swagger-ui.css",
        "/static/js/api-docs.js",
    ):
        assert url in html
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.data) > 100, url
        asset.close()


def test_docs_serve_only_swagger_files(client):
    for name in ("index.css", "LICENSE", "..%2F__init__.py", "swagger-initializer.js"):
        assert client.get(f"/api/v1/docs/swagger-ui/{name}").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/milestones", "/api/v1/calls"])
def test_an_unknown_query_parameter_is_refused_by_name_not_ignored(client, officer, path):
    # A typo of updated_since must not answer "everything".
    answer = client.get(f"{path}?updated_after=2020-01-01", headers=api_headers(officer))
    assert answer.status_code == 422
    assert "updated_after" in answer.get_json()["errors"]["query"]
    paged = client.get(f"{path}?page=1&page_size=5", headers=api_headers(officer))
    assert paged.status_code == 200
