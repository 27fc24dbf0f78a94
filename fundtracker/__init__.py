"""FundTracker: grant and project tracking for a charitable fund in Kazakhstan."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS
from fundtracker.blueprints.account import bp as account_bp
from fundtracker.blueprints.admin import bp as admin_bp
from fundtracker.blueprints.api import init_api
from fundtracker.blueprints.applications import bp as applications_bp
from fundtracker.blueprints.auth import bp as auth_bp
from fundtracker.blueprints.board import bp as board_bp
from fundtracker.blueprints.files import bp as files_bp
from fundtracker.blueprints.finance import bp as finance_bp
from fundtracker.blueprints.follow_ups import bp as follow_ups_bp
from fundtracker.blueprints.imports import bp as imports_bp
from fundtracker.blueprints.inkind import bp as inkind_bp
from fundtracker.blueprints.main import bp as main_bp
from fundtracker.blueprints.milestones import bp as milestones_bp
from fundtracker.blueprints.notifications import bp as notifications_bp
from fundtracker.blueprints.opendata import bp as opendata_bp
from fundtracker.blueprints.organisations import bp as organisations_bp
from fundtracker.blueprints.outcomes import bp as outcomes_bp
from fundtracker.blueprints.payreq import bp as payreq_bp
from fundtracker.blueprints.projects import bp as projects_bp
from fundtracker.blueprints.reports import bp as reports_bp
from fundtracker.blueprints.transparency import bp as transparency_bp
from fundtracker.cli import init_cli
from fundtracker.core import crypto, data_version, db_events, observability, storage
from fundtracker.core.errors import init_errors
from fundtracker.core.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from fundtracker.core.i18n import init_templating, select_locale, select_timezone
from fundtracker.core.login import init_login
from fundtracker.core.security import init_security
from fundtracker.core.time import FUND_TIMEZONE
from fundtracker.services import workflow
from fundtracker.web import a11y
from fundtracker.web import audit as web_audit

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: str | type | None = None, **overrides) -> Flask:
    """Build the app. `config` is a name from config.CONFIGS or a class; `overrides` win."""
    app = Flask(__name__, instance_relative_config=True)
    if config is None:
        config = os.environ.get("FUNDTRACKER_CONFIG", "development")
    config_cls = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_cls)
    app.config["BABEL_DEFAULT_TIMEZONE"] = FUND_TIMEZONE
    app.config.update(overrides)
    # Development's SQLite file and key live there; production names its own folders and may
    # run from a checkout its user cannot write (deploy/systemd).
    with contextlib.suppress(OSError):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "fundtracker.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file cannot drop a connection: pinging it on every checkout is a wasted statement.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config.get("STORAGE_BACKEND", "local") not in storage.BACKENDS:
        raise RuntimeError(f"STORAGE_BACKEND is one of: {', '.join(storage.BACKENDS)}.")
    if hasattr(config_cls, "check"):
        config_cls.check(app.config)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    init_errors(app)
    init_security(app)
    init_templating(app)
    register_template_globals(app)
    init_cli(app)
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        observability.configure_logging(app)


def register_extensions(app: Flask) -> None:
    crypto.init_app(app)  # a malformed key stops the app here, not at the first value read
    db.init_app(app)
    with app.app_context():
        db_events.configure_engine(db.engine)
        data_version.install(db.engine)
    db_events.mark_reading_requests(app)
    web_audit.init_app(app)  # each request's client address, for the events services record
    observability.init_app(app)  # request ids, timings and /metrics
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    init_login(app, login_manager)


def register_template_globals(app: Flask) -> None:
    # Templates ask the workflow which actions the user has on a thing, never its status.
    app.jinja_env.globals["actions"] = lambda obj: workflow.actions(current_user, obj)
    app.jinja_env.globals["field_aria"] = a11y.field_aria
    app.jinja_env.globals["form_errors"] = a11y.form_errors


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(projects_bp, url_prefix="/projects")
    app.register_blueprint(organisations_bp, url_prefix="/organisations")
    app.register_blueprint(milestones_bp, url_prefix="/milestones")
    app.register_blueprint(finance_bp)
    app.register_blueprint(files_bp, url_prefix="/files")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(outcomes_bp, url_prefix="/outcomes")
    app.register_blueprint(applications_bp)
    app.register_blueprint(opendata_bp, url_prefix="/open-data")
    app.register_blueprint(imports_bp, url_prefix="/imports")
    app.register_blueprint(board_bp, url_prefix="/board")
    app.register_blueprint(inkind_bp, url_prefix="/inkind")
    app.register_blueprint(payreq_bp, url_prefix="/payment-requests")
    app.register_blueprint(transparency_bp, url_prefix="/transparency")
    app.register_blueprint(follow_ups_bp)
    init_api(app)
