"""Headers, CSRF, cookies and error pages."""

import pytest

from config import ProductionConfig
from fundtracker import create_app
from tests import factories


def test_security_headers_on_every_page(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client, login, officer):
    factories.ProjectFactory()
    for url in ["/auth/login", "/", "/projects/"]:
        html = (login(officer) if url != "/auth/login" else client).get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html, url
        client.post("/auth/logout")


@pytest.fixture
def csrf_app(database_url):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)


def test_post_without_csrf_token_is_refused_with_a_message(csrf_app):
    response = csrf_app.test_client().post(
        "/auth/login", data={"email": "a@example.kz", "password": "x"}
    )
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_language_switch_needs_csrf_too(csrf_app):
    response = csrf_app.test_client().post("/language", data={"language": "kk"})
    assert response.status_code == 400


class GoodProductionConfig(ProductionConfig):
    SECRET_KEY = "x" * 48
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_SERVER = "smtp.example.kz"
    EXTERNAL_URL = "https://fundtracker.example.kz"
    DATA_ENCRYPTION_KEYS = "hHZ6JtdPO2qdSb5_0ROchkKPhDnYhgT8pD8FrcQ8mT4="


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SECRET_KEY", None, "SECRET_KEY"),
        ("SECRET_KEY", "dev-only-insecure-key", "SECRET_KEY"),
        ("SECRET_KEY", "short", "SECRET_KEY"),
        ("MAIL_SERVER", None, "MAIL_SERVER"),
        ("EXTERNAL_URL", "http://127.0.0.1:5000", "EXTERNAL_URL"),
        ("DATA_ENCRYPTION_KEYS", "", "DATA_ENCRYPTION_KEYS"),
        ("DATA_ENCRYPTION_KEYS", "not-a-fernet-key", "DATA_ENCRYPTION_KEYS: key 1"),
    ],
)
def test_production_refuses_to_start_without_its_settings(setting, value, message):
    config = type("Config", (GoodProductionConfig,), {setting: value})
    with pytest.raises(RuntimeError, match=message):
        create_app(config)


def test_wsgi_runs_production_settings_unless_told_otherwise(monkeypatch):
    import importlib
    import sys

    monkeypatch.delenv("FUNDTRACKER_CONFIG", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    sys.modules.pop("wsgi", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        importlib.import_module("wsgi")


def test_production_cookies_are_secure():
    Config = GoodProductionConfig  # noqa: N806

    app = create_app(Config)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_404_page_in_the_users_language(client, login):
    user = factories.UserFactory(locale="ru")
    response = login(user).get("/projects/999999")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)


def test_error_pages_answer_json_clients(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Page not found"


def test_413_for_a_too_large_body(app, client):
    app.config["MAX_CONTENT_LENGTH"], saved = 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = client.post("/auth/login", data={"email": "x" * 4096, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_unexpected_error_shows_a_page_without_a_traceback(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, TEST_ERROR_PAGES=True)

    @app.get("/boom")
    def boom():
        raise ValueError("secret internals")

    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html
