"""Browser tests: the app served on 127.0.0.1 from its own database (migrated and loaded with
the demo data), driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from fundtracker import create_app
from fundtracker.core.extensions import db
from fundtracker.demo import seed_demo
from tests.conftest import free_port
from tests.dbutil import fresh_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.no_db)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with its own database, migrated and loaded with the demo data; CSRF on, as in
    production."""
    with fresh_database("browser") as url:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url,
            WTF_CSRF_ENABLED=True,
            TESTING=False,
            UPLOAD_FOLDER=str(tmp_path_factory.mktemp("browser-uploads")),
        )
        with app.app_context():
            upgrade()
            seed_demo(db.session)
            db.session.commit()
            db.session.remove()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the app served in a thread on 127.0.0.1."""
    port = free_port()
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _new_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def second_page(browser):
    """Another person's browser, with its own cookies."""
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Saves a screenshot; into docs/screenshots when UPDATE_SCREENSHOTS=1 (for the README)."""
    target = (ROOT / "docs" / "screenshots") if os.environ.get("UPDATE_SCREENSHOTS") else None

    def _take(page, name: str, tmp=Path(os.environ.get("TMPDIR", "/tmp"))):
        folder = target or tmp / "fundtracker-screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return _take
