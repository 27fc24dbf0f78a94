"""WCAG 2.2 AA, checked the way a user meets it: every GET page each role reaches from its home
page (following the links, as a person would), in Kazakh, Russian and English, run through
axe-core (from npm, tests/browser/package-lock.json) in Chromium: no violation of impact serious
or critical. The same pages at 375 px must not scroll sideways, and the key pages are captured at
375 and 1366 px. Keyboard only: sign in, and a milestone update sent with a mistake, corrected.

The sweep covers every kind of page (each path with its ids as N, each set of query keys, once)
in the three languages; on PostgreSQL, where the HTML is the same, one role's pages (the
officer's, the most) in Kazakh."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urljoin, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.time import today
from fundtracker.demo import DEMO_DOMAIN, DEMO_PASSWORD, journey_project_code
from fundtracker.models import Milestone, MilestoneStatus, Project, User
from tests.browser.conftest import ROOT
from tests.browser.helpers import set_language
from tests.dbutil import is_postgres

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
ROLES = {
    "anonymous": None,
    "admin": f"admin@{DEMO_DOMAIN}",
    "officer": f"officer@{DEMO_DOMAIN}",
    "reviewer": f"reviewer@{DEMO_DOMAIN}",
    "board": f"board@{DEMO_DOMAIN}",
    "grantee": f"grantee@{DEMO_DOMAIN}",
}
ANONYMOUS_PAGES = ["/auth/login", "/auth/forgot", "/register", "/no-such-page", "/transparency/"]
# Not pages: downloads, files, and what changes state on a GET (none should). The API's docs
# page is Swagger UI as its makers ship it, a tool for integrators' developers: its own controls
# (nested buttons, small links) are upstream's (tests/browser/test_api_docs.py checks it loads).
SKIP_PATH = re.compile(
    r"(\.(pdf|xlsx|csv|zip|png|jpe?g|svg|js|css|json|xml)$)|^/(files/|static/|bootstrap/)|"
    r"/download$|/status$|logout|^/healthz|^/api/v1/docs"
)
MAX_PAGES = 45  # per role: each kind of page (path with ids as N, query keys) once

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' +
                  (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
}"""
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


def _kind(url: str) -> str:
    parts = urlparse(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if k != "page"})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _links(page, base: str) -> list[str]:
    found = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        url = urldefrag(urljoin(page.url, href))[0]
        parts = urlparse(url)
        if parts.netloc != urlparse(base).netloc or SKIP_PATH.search(parts.path):
            continue
        found.append(url)
    return found


class Sweep:
    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.violations: list[str] = []
        self.too_wide: list[str] = []
        self.failed: list[str] = []

    def check(self, url: str, who: str) -> list[str]:
        page = self.page
        response = page.goto(url)
        label = f"{who} {urlparse(page.url).path}"
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            return []
        if response.status >= 500:
            self.failed.append(f"{label}: HTTP {response.status}")
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(AXE_RUN, TAGS):
            self.violations.append(f"{label}: {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}")
        page.set_viewport_size({"width": 375, "height": 800})
        try:
            extra = page.evaluate(WIDER_THAN_SCREEN)
            if extra > 1:
                self.too_wide.append(f"{label}: {extra}px wider than 375")
        finally:
            page.set_viewport_size({"width": 1366, "height": 900})
        return _links(page, self.base)

    def crawl(self, who: str, start: list[str]) -> list[str]:
        queue = [urljoin(self.base, path) for path in start]
        kinds: dict[str, int] = defaultdict(int)
        visited: list[str] = []
        seen: set[str] = set()
        while queue and len(visited) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen or kinds[_kind(url)]:
                continue
            seen.add(url)
            kinds[_kind(url)] += 1
            visited.append(url)
            queue.extend(link for link in self.check(url, who) if link not in seen)
        return visited


def _languages_for(live_app) -> dict[str, list[str]]:
    if is_postgres():
        return {"officer": ["kk"]}
    return {role: ["kk", "ru", "en"] for role in ROLES}


def _locales(live_app) -> dict[str, str]:
    with live_app.app_context():
        users = db.session.scalars(select(User).where(User.email.in_(filter(None, ROLES.values()))))
        chosen = {u.email: u.locale for u in users}
        db.session.remove()
    return chosen


def _restore(live_app, locales: dict[str, str]) -> None:
    """The demo users' own languages again, for the other browser tests."""
    with live_app.app_context():
        for user in db.session.scalars(select(User).where(User.email.in_(list(locales)))):
            user.locale = locales[user.email]
        db.session.commit()
        db.session.remove()


def test_every_page_of_every_role_passes_axe_and_fits_375px(live_app, live_server, browser):
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/browser (scripts/test.sh)"
    locales = _locales(live_app)
    pages_checked = 0
    problems: dict[str, list[str]] = {"axe": [], "375px": [], "5xx": []}
    try:
        for role, languages in _languages_for(live_app).items():
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, bypass_csp=True, locale="kk-KZ"
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            sweep = Sweep(page, live_server)
            try:
                page.goto(f"{live_server}/auth/login")
                if ROLES[role]:
                    page.fill("#email", ROLES[role])
                    page.fill("#password", DEMO_PASSWORD)
                    with page.expect_navigation():
                        page.click("#login-form [type=submit]")
                set_language(page, languages[0])
                urls = sweep.crawl(
                    f"{role}/{languages[0]}", ANONYMOUS_PAGES if not ROLES[role] else ["/"]
                )
                pages_checked += len(urls)
                # The same pages in the other languages.
                for language in languages[1:]:
                    page.goto(urls[0])
                    set_language(page, language)
                    for url in urls:
                        sweep.check(url, f"{role}/{language}")
                        pages_checked += 1
                page.goto(urls[0])
                set_language(page, languages[0])
            finally:
                context.close()
            problems["axe"] += sweep.violations
            problems["375px"] += sweep.too_wide
            problems["5xx"] += sweep.failed
    finally:
        _restore(live_app, locales)
    assert pages_checked >= (20 if is_postgres() else 300), pages_checked
    report = "\n".join(f"[{kind}] {line}" for kind, lines in problems.items() for line in lines)
    assert not report, f"{report.count(chr(10)) + 1} problems on {pages_checked} pages:\n{report}"


KEY_PAGES = {
    "officer": ["/", "/dashboard", "/projects/", "/applications/", "/outcomes/portfolio"],
    "grantee": ["/", "/projects/"],
    "board": ["/", "/reports/"],
}


@pytest.mark.parametrize("role", sorted(KEY_PAGES))
def test_key_pages_at_375_and_1366_px(live_server, page, screenshot, role):
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", ROLES[role])
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-form [type=submit]")
    # In every language: Kazakh and Russian labels are the longest (the officer's bar in Kazakh
    # once pushed the user menu off a 1366 px screen).
    own = page.locator("html").get_attribute("lang")
    for language in ("kk", "ru", "en"):
        set_language(page, language)
        for path in KEY_PAGES[role]:
            page.goto(f"{live_server}{path}")
            name = f"{role}{path.replace('/', '-').rstrip('-') or '-home'}-{language}"
            for width in (375, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                assert page.evaluate(WIDER_THAN_SCREEN) <= 1, (
                    f"{path} scrolls sideways at {width}px in {language}"
                )
                assert Path(screenshot(page, f"{name}-{width}")).stat().st_size > 0
    set_language(page, own)  # the demo's users are shared by the tests that follow


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} was not reached with {limit} Tabs")


def test_sign_in_with_the_keyboard_only(live_server, page):
    page.goto(f"{live_server}/auth/login")
    # The skip link comes first and takes the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    page.keyboard.press("Enter")
    _tab_to(page, "#email")
    page.keyboard.type(f"grantee@{DEMO_DOMAIN}")
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    # The message has the focus and is announced; Tab goes on to the fields.
    focused = page.locator(":focus")
    expect(focused).to_have_class(re.compile(r"\balert-danger\b"))
    expect(focused).to_have_attribute("role", "alert")
    _tab_to(page, "#password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#user-menu")).to_be_visible()
    # A visible focus ring on the navigation (not the browser's faint default).
    _tab_to(page, "#nav-tasks")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def _journey_milestone(live_app) -> int:
    with live_app.app_context():
        code = journey_project_code(db.session)
        project = db.session.scalar(select(Project).where(Project.code == code))
        milestone = db.session.scalar(
            select(Milestone)
            .where(
                Milestone.project_id == project.id,
                Milestone.status == MilestoneStatus.PLANNED,
                Milestone.due_date >= today() + timedelta(days=1),
            )
            .order_by(Milestone.due_date.desc())
        )
        db.session.remove()
        return milestone.id


def test_a_milestone_update_with_a_mistake_corrected_with_the_keyboard_only(
    live_app, live_server, page
):
    milestone_id = _journey_milestone(live_app)
    page.goto(f"{live_server}/auth/login")
    _tab_to(page, "#email")
    page.keyboard.type(f"grantee-b@{DEMO_DOMAIN}")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#user-menu")).to_be_visible()
    page.goto(f"{live_server}/milestones/{milestone_id}")
    _tab_to(page, "#update-form [name=narrative]", limit=120)
    page.keyboard.type("Жұмыс жоспар бойынша жүріп жатыр.")
    _tab_to(page, "#update-form [name=progress]")
    page.keyboard.type("180")  # a mistake: more than 100 %
    _tab_to(page, "#update-form [name=save]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    # app.js moves the focus once the page has loaded: wait for it, do not race it.
    expect(summary).to_be_focused()
    progress = page.locator("#update-form [name=progress]")
    expect(progress).to_have_attribute("aria-invalid", "true")
    error_id = next(i for i in progress.get_attribute("aria-describedby").split() if "-error-" in i)
    expect(page.locator(f"#{error_id}")).not_to_be_empty()
    # The summary's link takes the focus to the field; the narrative typed is still there.
    _tab_to(page, "#error-summary a")
    page.keyboard.press("Enter")
    expect(progress).to_be_focused()
    expect(page.locator("#update-form [name=narrative]")).to_have_value(
        "Жұмыс жоспар бойынша жүріп жатыр."
    )
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    _tab_to(page, "#update-form [name=save]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(page.locator("#update-form [name=progress]")).to_have_value("60")
