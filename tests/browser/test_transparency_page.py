"""The public transparency page in a real browser, signed out: in Kazakh, Russian and English it
passes axe-core (WCAG 2.2 A/AA, no violation of any impact) and fits 375 px; a project's public
page too; the language links switch the language; a download link gives the open-data file."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, TAGS, WIDER_THAN_SCREEN

AXE_ALL = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def _axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_ALL, TAGS)


def _fits_375(page) -> int:
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        return page.evaluate(WIDER_THAN_SCREEN)
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})


def test_public_page_anonymously_accessible_and_downloads(live_server, browser):
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/browser"
    # bypass_csp only so that axe's script can be added; the page itself has no inline script.
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, bypass_csp=True, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []  # a script or style the CSP blocks shows here
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        response = page.goto(f"{live_server}/transparency/")
        assert response.status == 200
        assert response.headers["cache-control"].startswith("public")
        assert page.context.cookies() == []  # nothing set on a public page
        problems = []
        for code in ("kk", "ru", "en"):
            page.click(f"#public-languages [data-language={code}]")
            expect(page.locator("html")).to_have_attribute("lang", code)
            expect(page.locator("#public-projects tbody tr").first).to_be_visible()
            problems += [f"/transparency/ {code}: {v}" for v in _axe(page)]
            if (extra := _fits_375(page)) > 1:
                problems.append(f"/transparency/ {code}: {extra}px wider than 375")
        # The map has its table alternative, and its tiles link to the filtered list.
        assert page.locator("#region-map svg").count() == 1
        assert page.locator("#region-map table th[scope=col]").count() == 3
        # A project's public page.
        page.locator("#public-projects tbody tr th a").first.click()
        expect(page.locator("h1")).to_be_visible()
        assert "/transparency/projects/" in page.url
        problems += [f"{page.url}: {v}" for v in _axe(page)]
        assert not problems, "\n".join(str(p) for p in problems)
        assert not errors, errors
        # A download link gives the open-data file.
        page.go_back()
        href = page.locator("[data-download=giving-json]").get_attribute("href")
        download = page.request.get(f"{live_server}{href}")
        assert download.status == 200, href
        data = json.loads(download.body())
        assert data.get("grants"), "the 360Giving file lists the public grants"
    finally:
        context.close()
