"""The API's docs page in a real browser, under the app's CSP: Swagger UI (served by the app,
no CDN) starts from the static initializer, reads /api/v1/openapi.json and lists the
operations, with nothing blocked and no script error."""

from __future__ import annotations

from playwright.sync_api import expect


def test_api_docs_render_under_the_csp(live_server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{live_server}/api/v1/docs")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("FundTracker API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/projects").first).to_be_visible()
    expect(page.locator(".swagger-ui .btn.authorize")).to_be_visible()
    assert page.console_errors == []
    # Everything from this site: no CDN.
    assert requested and all(url.startswith(live_server) for url in requested), requested
