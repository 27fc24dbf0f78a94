"""Configuration classes, read from the environment.

`create_app()` picks one by the FUNDTRACKER_CONFIG variable (development by default).
"""

from __future__ import annotations

import os

DEV_SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 - refused by ProductionConfig


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means "an SQLite file in the instance folder", filled in by create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "kk")
    # The time zone (Asia/Almaty) and the languages (kk, ru, en) are the fund's, not settings:
    # fundtracker.core.time and fundtracker.core.i18n name them once.

    BOOTSTRAP_SERVE_LOCAL = True

    # Uploaded files: each at most MAX_UPLOAD_MB; a request may carry a few of them.
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "20"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_REQUEST_MB", str(MAX_UPLOAD_MB * 5))) * 1024 * 1024
    # Outside the web root; by default the instance folder's uploads/.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")
    # Where uploads and built reports are kept (fundtracker.core.storage): "local", the two
    # folders; or "database", the database every app machine shares, the folders being this
    # machine's copies of the files, kept under STORAGE_CACHE_MB.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    STORAGE_CACHE_MB = int(os.environ.get("STORAGE_CACHE_MB", "2048"))
    # How far an upload may unpack (fundtracker.services.uploads). A picture's pixels are
    # counted in its header before any is decoded; a Word or Excel file's parts in its zip
    # directory before any is inflated, each part at most UPLOAD_ZIP_MAX_RATIO times its
    # compressed size (parts under 1 MB aside).
    UPLOAD_IMAGE_MAX_MEGAPIXELS = int(os.environ.get("UPLOAD_IMAGE_MAX_MEGAPIXELS", "40"))
    UPLOAD_IMAGE_MAX_MB = int(os.environ.get("UPLOAD_IMAGE_MAX_MB", "15"))
    UPLOAD_ZIP_MAX_UNPACKED_MB = int(os.environ.get("UPLOAD_ZIP_MAX_UNPACKED_MB", "200"))
    UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("UPLOAD_ZIP_MAX_RATIO", "100"))
    UPLOAD_ZIP_MAX_ENTRIES = int(os.environ.get("UPLOAD_ZIP_MAX_ENTRIES", "2000"))

    # Failed logins, counted in the database so the limits hold across worker processes
    # (fundtracker.services.accounts): per account from one client address and per address in
    # LOGIN_WINDOW_SECONDS; and per account from everywhere in LOGIN_ACCOUNT_WINDOW_SECONDS,
    # which pauses only addresses that have never signed in to the account, and tells its owner.
    LOGIN_WINDOW_SECONDS = int(os.environ.get("LOGIN_WINDOW_SECONDS", "900"))
    LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"))
    LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
    LOGIN_ACCOUNT_WINDOW_SECONDS = int(os.environ.get("LOGIN_ACCOUNT_WINDOW_SECONDS", "3600"))
    LOGIN_MAX_FAILURES_ACCOUNT_WIDE = int(os.environ.get("LOGIN_MAX_FAILURES_ACCOUNT_WIDE", "20"))
    # Password resets, registrations and confirmation links asked for: per email and per client
    # address in ACCOUNT_MAIL_WINDOW_SECONDS, whether or not the email has an account.
    ACCOUNT_MAIL_WINDOW_SECONDS = int(os.environ.get("ACCOUNT_MAIL_WINDOW_SECONDS", "3600"))
    ACCOUNT_MAIL_MAX_PER_EMAIL = int(os.environ.get("ACCOUNT_MAIL_MAX_PER_EMAIL", "3"))
    ACCOUNT_MAIL_MAX_PER_ADDRESS = int(os.environ.get("ACCOUNT_MAIL_MAX_PER_ADDRESS", "20"))
    # Number of reverse proxies in front of the app whose X-Forwarded-For we trust.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Behind nginx (deploy/nginx): downloads of uploaded files and report PDFs are answered with
    # an X-Accel-Redirect to nginx's internal locations once the app has checked who may have
    # them, so that a worker is not held while a large file goes out.
    X_ACCEL_REDIRECT = os.environ.get("X_ACCEL_REDIRECT", "0") == "1"
    # /readyz: the scheduler must have run its jobs within this many seconds (0: not checked,
    # e.g. a development server without `flask scheduler`).
    READY_SCHEDULER_MAX_AGE = int(os.environ.get("READY_SCHEDULER_MAX_AGE", "0"))
    # Logs: "json" for one JSON object a line (with the request id), else plain lines.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
    # /metrics answers a scraper on this machine, or one sending "Authorization: Bearer" with
    # this token; METRICS_EXTRA_DIRS: the scheduler's PROMETHEUS_MULTIPROC_DIR, to add its jobs.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_EXTRA_DIRS = os.environ.get("METRICS_EXTRA_DIRS", "")

    # Colleagues a grantee organisation's managers may invite, or invite again, per day
    # (fundtracker.services.members), so that nobody uses the fund to send mail in bulk.
    MEMBER_INVITES_PER_DAY = int(os.environ.get("MEMBER_INVITES_PER_DAY", "20"))

    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", str(2 * 3600)))
    INVITE_MAX_AGE = int(os.environ.get("INVITE_MAX_AGE", str(7 * 24 * 3600)))
    # A self-registered account confirms its email by a link that lives CONFIRM_EMAIL_MAX_AGE
    # seconds (it may ask for another); one still unconfirmed after UNCONFIRMED_ACCOUNT_DAYS is
    # removed by the scheduler's daily job.
    CONFIRM_EMAIL_MAX_AGE = int(os.environ.get("CONFIRM_EMAIL_MAX_AGE", str(3 * 24 * 3600)))
    UNCONFIRMED_ACCOUNT_DAYS = int(os.environ.get("UNCONFIRMED_ACCOUNT_DAYS", "7"))

    # Outgoing mail. Without MAIL_SERVER, mail is written to the log: whole, links included,
    # where MAIL_LOG_BODIES is on (development); otherwise only its recipient and subject.
    MAIL_LOG_BODIES = False
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "FundTracker <noreply@localhost>")
    # Absolute base for links in emails, e.g. https://fundtracker.example.kz
    EXTERNAL_URL = os.environ.get("EXTERNAL_URL", "http://127.0.0.1:5000")

    PROJECTS_PER_PAGE = 20
    RANKING_PER_PAGE = 100
    # Rendered pages kept per web process (fundtracker.core.page_cache), in bytes; 0 turns it off.
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", 32 * 1024 * 1024))
    # The board report's project pages are printed in this many groups, each (with the cover,
    # the front sections and the appendix) by a process of its own, and joined; unset: one per
    # core; 0: printed whole in the builder's process (fundtracker.pdf.parallel).
    REPORT_PRINT_GROUPS = (
        int(os.environ["REPORT_PRINT_GROUPS"]) if os.environ.get("REPORT_PRINT_GROUPS") else None
    )
    # Report builds (fundtracker.pdf.jobs), issue #23: a build holds its report under a lease
    # of REPORT_LEASE_SECONDS, renewed by a heartbeat every third of it while the build works;
    # a report whose lease ran out (its builder stopped) is taken back by any scheduler and built
    # again, REPORT_MAX_ATTEMPTS builds at most (a build that fails counts too), then shown as
    # failed, and whoever asked for it and the administrators are told.
    REPORT_LEASE_SECONDS = float(os.environ.get("REPORT_LEASE_SECONDS", "120"))
    REPORT_MAX_ATTEMPTS = int(os.environ.get("REPORT_MAX_ATTEMPTS", "3"))
    # The email outbox (fundtracker.services.notifications.send_outbox): a sender's claim on its
    # emails runs out this long after it last showed it is alive (renewed before each email), and
    # another sender takes them over; emails claimed at once and sent over one SMTP connection;
    # an extra CA certificate (PEM) to trust for a relay signed by a private CA.
    OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "600"))
    OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "50"))
    MAIL_CA_FILE = os.environ.get("MAIL_CA_FILE") or None
    # Backups (issue #19; `flask backup`, `flask restore`, fundtracker.core.backup): the
    # scheduler makes one a night, once BACKUP_TIME (Asia/Almaty) has passed (at once if that
    # hour was missed; an empty BACKUP_TIME turns it off), into BACKUP_FOLDER (by default the
    # instance folder's backups/), keeping the newest BACKUP_KEEP archives. BACKUP_PG_BIN: the
    # folder of pg_dump and pg_restore, when not the newest in /usr/lib/postgresql or on PATH.
    BACKUP_FOLDER = os.environ.get("BACKUP_FOLDER") or None
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
    BACKUP_TIME = os.environ.get("BACKUP_TIME", "02:00")
    BACKUP_PG_BIN = os.environ.get("BACKUP_PG_BIN") or None
    # Built report PDFs (fundtracker.pdf.service); by default the instance folder's reports/.
    REPORTS_FOLDER = os.environ.get("REPORTS_FOLDER") or None

    # Two-factor sign-in (fundtracker.services.twofactor, issue #19). Accounts of these roles
    # must enrol a second factor (an authenticator app or a passkey) before they can use the
    # app; others may. Re-authentication (password or passkey) is asked for again before
    # sensitive actions when the last one is older than REAUTH_MAX_AGE_SECONDS; recording a
    # payment asks for it when the tranche is above REAUTH_PAYMENT_ABOVE_TIYN (10,000,000 tenge).
    # Passkeys belong to WEBAUTHN_RP_ID (a host name): by default the host of EXTERNAL_URL, or
    # in development and tests the host the browser asked for.
    TWO_FACTOR_REQUIRED_ROLES = tuple(
        r.strip()
        for r in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "admin,officer").split(",")
        if r.strip()
    )
    TWO_FACTOR_PENDING_SECONDS = 300
    TWO_FACTOR_MAX_FAILURES = 5
    REAUTH_MAX_AGE_SECONDS = int(os.environ.get("REAUTH_MAX_AGE_SECONDS", "600"))
    REAUTH_PAYMENT_ABOVE_TIYN = int(os.environ.get("REAUTH_PAYMENT_ABOVE_TIYN", "1000000000"))
    WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID")
    WEBAUTHN_RP_NAME = "FundTracker"
    WEBAUTHN_FROM_REQUEST_HOST = False

    # Personal data encrypted at rest (fundtracker.core.crypto, issue #19; README "Encryption
    # keys"): Fernet keys separated by commas, newest first (`flask keys new` makes one; a new
    # key goes in front, `flask keys rotate` writes every value again with it, then the old one
    # can go). Required in production. Without it, development keeps a key made on first use
    # in the instance folder (instance/data-key, mode 0600); tests derive one from SECRET_KEY.
    DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")
    DATA_KEY_FILE = os.environ.get("DATA_KEY_FILE") or None  # the development key's file
    DATA_KEY_FROM_SECRET = False

    # A sign-in session unused this long is over (fundtracker.services.sessions), as is any
    # older than REMEMBER_COOKIE_DURATION.
    SESSION_IDLE_DAYS = int(os.environ.get("SESSION_IDLE_DAYS", "7"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # The API (issue #20): requests per minute a personal access token may make, and the
    # largest page a list returns.
    API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))
    API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "100"))
    # Importing a portfolio (issue #24): a confirmed import with at most this many rows to write
    # is applied in the request; a larger one by the scheduler, in the background, under a lease
    # of IMPORT_LEASE_SECONDS renewed while it works (a crashed run is taken back).
    IMPORT_SYNC_ROWS = int(os.environ.get("IMPORT_SYNC_ROWS", "2000"))
    IMPORT_LEASE_SECONDS = float(os.environ.get("IMPORT_LEASE_SECONDS", "300"))
    # Seconds browsers and proxies may keep the public transparency page.
    PUBLIC_PAGE_MAX_AGE = int(os.environ.get("PUBLIC_PAGE_MAX_AGE", "300"))

    # Open data (issue #20). The fund's own org-id (org-id.guide: KZ-BIN- and its BIN) and
    # name, as the 360Giving and IATI files name the funder; the 360Giving identifier prefix
    # the fund registers with 360Giving (the default is a placeholder: register your own).
    FUND_ORG_ID = os.environ.get("FUND_ORG_ID", "KZ-BIN-220140000008")
    FUND_NAME = os.environ.get("FUND_NAME", "Қазақстан халқына / Qazaqstan Halqyna")
    OPENDATA_360G_PREFIX = os.environ.get("OPENDATA_360G_PREFIX", "360G-kzqh")
    # The licence the open-data files are published under.
    OPENDATA_LICENSE = os.environ.get(
        "OPENDATA_LICENSE", "https://creativecommons.org/licenses/by/4.0/"
    )


class DevelopmentConfig(Config):
    DEBUG = True
    WEBAUTHN_FROM_REQUEST_HOST = True  # passkeys on http://localhost:5000 too
    # Not app.debug: `flask run` and `flask scheduler` set that from FLASK_DEBUG alone.
    MAIL_LOG_BODIES = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_ENABLED = False
    BABEL_DEFAULT_LOCALE = "en"
    # Factories flush rows without committing, which real writers never do: the page cache's
    # own tests turn it on.
    PAGE_CACHE_BYTES = 0
    # No nightly backup of a test database (tests/scheduler/test_backup_job.py sets one).
    BACKUP_TIME = ""
    # Tests that check two-factor enforcement turn it on.
    TWO_FACTOR_REQUIRED_ROLES: tuple = ()
    WEBAUTHN_FROM_REQUEST_HOST = True
    # Encryption keys: derived from SECRET_KEY unless a test gives its own.
    DATA_ENCRYPTION_KEYS = ""
    DATA_KEY_FROM_SECRET = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # The scheduler runs its jobs every minute: three missed runs make the app not ready.
    READY_SCHEDULER_MAX_AGE = int(os.environ.get("READY_SCHEDULER_MAX_AGE", "180"))

    @classmethod
    def check(cls, config) -> None:
        key = config.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "ProductionConfig needs SECRET_KEY: a random value of at least 32 characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("ProductionConfig needs DATABASE_URL (PostgreSQL).")
        if not config.get("MAIL_SERVER"):
            raise RuntimeError(
                "ProductionConfig needs MAIL_SERVER: invitations and resets go by mail."
            )
        if not str(config.get("EXTERNAL_URL", "")).startswith("https://"):
            raise RuntimeError("ProductionConfig needs EXTERNAL_URL, the https address in emails.")
        # config.py sits below the package, which is loaded by the time create_app checks.
        from fundtracker.core.crypto import parse_keys  # raises on a malformed key

        if not parse_keys(config.get("DATA_ENCRYPTION_KEYS")):
            raise RuntimeError(
                "ProductionConfig needs DATA_ENCRYPTION_KEYS: one or more Fernet keys, newest "
                "first, separated by commas (`flask keys new` prints one). Keep them apart from "
                "the database and its backups: without them the encrypted data cannot be read."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
