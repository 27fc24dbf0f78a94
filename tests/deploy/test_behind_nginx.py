"""The production set-up as a whole (issue #22): nginx on 127.0.0.1 with the site that
scripts/nginx_site.py makes from deploy/nginx, in front of two gunicorn processes started with
deploy/gunicorn.conf.py, on a PostgreSQL cluster of the test's own (so that it can be stopped).

Through nginx: a download is sent by nginx (X-Accel-Redirect) only after the app's permission
check, another organisation's file is 404, nginx's internal locations cannot be asked for; the
address the login limiter records is the client's, whatever X-Forwarded-For the client sends;
static files come from nginx; a body over the limit is refused by nginx; /readyz is ready while
the database answers and the scheduler beats, and not ready once the database is stopped.

It runs once, in the PostgreSQL run of the suite (the database of production); without nginx it
is skipped, unless REQUIRE_NGINX=1 (CI) makes that a failure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from fundtracker import create_app
from fundtracker.core import readiness
from fundtracker.core.extensions import db
from fundtracker.models import LoginAttempt, Role
from fundtracker.services import users
from tests import factories
from tests.conftest import free_port
from tests.dbutil import is_postgres

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "behind nginx, two processes"
MAX_BODY_MB = 2
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def stack_tools():
    """scripts/local_stack and scripts/nginx_site, in the PostgreSQL run with nginx installed
    (skipped otherwise, unless REQUIRE_NGINX=1 makes a missing nginx a failure)."""
    if not is_postgres():
        pytest.skip("the production set-up runs on PostgreSQL: tested in the PostgreSQL run")
    sys.path.insert(0, str(ROOT / "scripts"))
    import local_stack
    import nginx_site

    if local_stack.nginx_binary() is None:
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail("nginx is not installed (scripts/test.sh installs it)")
        pytest.skip("nginx is not installed")
    return local_stack, nginx_site


def tear_down(local_stack, processes, ctx, pg_dir: Path, tmp: Path) -> None:
    """Stop what a stack fixture started, its app context and its PostgreSQL; remove its files."""
    local_stack.stop(processes)
    if ctx is not None:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    local_stack.stop_postgres(pg_dir)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def stack():
    local_stack, nginx_site = stack_tools()
    tmp = local_stack.workdir("ft-nginx-")
    pg_dir = Path(tempfile.mkdtemp(prefix="ft-nginx-pg-"))
    uploads, reports = tmp / "uploads", tmp / "reports"
    processes: list[subprocess.Popen] = []
    url = local_stack.start_postgres(pg_dir)
    ctx = None
    try:
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(uploads),
            "REPORTS_FOLDER": str(reports),
            "TRUSTED_PROXIES": 1,
            "X_ACCEL_REDIRECT": True,
            "READY_SCHEDULER_MAX_AGE": 180,
            "MAX_CONTENT_LENGTH": MAX_BODY_MB * 1024 * 1024,
        }
        app = create_app("testing", **config)
        ctx = app.app_context()
        ctx.push()
        upgrade()
        world = _world()
        db.session.commit()
        ids = {k: v.id for k, v in world.items()}
        db.session.remove()

        ports = [free_port(), free_port()]
        for n, port in enumerate(ports):
            processes.append(local_stack.start_gunicorn(config, port, tmp, str(n), workers=2))
            local_stack.wait_until_up(f"http://127.0.0.1:{port}/healthz", processes[-1])
        front = free_port()
        site = nginx_site.render(
            server_name="localhost",
            upstreams=[f"127.0.0.1:{p}" for p in ports],
            listen=f"127.0.0.1:{front}",
            upload_root=str(uploads),
            reports_root=str(reports),
            max_body_mb=MAX_BODY_MB,
            access_log=str(tmp / "nginx-access.log"),
            error_log=str(tmp / "nginx-error.log"),
        )
        processes.append(local_stack.start_nginx(tmp, site))
        base = f"http://127.0.0.1:{front}"
        local_stack.wait_until_up(f"{base}/healthz", processes[-1])
        yield {
            "base": base,
            "apps": [f"http://127.0.0.1:{p}" for p in ports],
            "ids": ids,
            "pg_dir": pg_dir,
            "tmp": tmp,
        }
    finally:
        tear_down(local_stack, processes, ctx, pg_dir, tmp)


def _world() -> dict:
    """Two organisations' grantees, a project and a file of each."""
    out = {}
    for suffix in ("a", "b"):
        organisation = factories.OrganisationFactory()
        grantee = users.create_user(
            db.session,
            None,
            users.UserData(
                email=f"grantee-{suffix}@example.kz",
                name=f"Grantee {suffix}",
                role=Role.GRANTEE,
                locale="en",
                organisation_id=organisation.id,
            ),
            password=PASSWORD,
        )
        project = factories.ProjectFactory(organisation=organisation)
        out[f"file_{suffix}"] = factories.stored_file(project, grantee, name=f"акт {suffix}.pdf")
    return out


def _sign_in(base: str, email: str) -> requests.Session:
    client = requests.Session()
    form = client.get(f"{base}/auth/login", timeout=10)
    response = client.post(
        f"{base}/auth/login",
        data={"csrf_token": _csrf(form.text), "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return client


def raw_headers(stack, client, file_id) -> dict:
    direct = requests.Session()
    direct.cookies = client.cookies
    return direct.get(f"{stack['apps'][0]}/files/{file_id}", timeout=10).headers


def test_nginx_sends_a_file_only_after_the_apps_check(stack):
    base, ids = stack["base"], stack["ids"]
    client = _sign_in(base, "grantee-a@example.kz")
    own = client.get(f"{base}/files/{ids['file_a']}", timeout=10)
    assert own.status_code == 200
    assert own.content == factories.PDF_BYTES
    assert own.headers["Content-Type"] == "application/pdf"
    assert "attachment" in own.headers["Content-Disposition"]
    assert "%D0%B0%D0%BA%D1%82%20a.pdf" in own.headers["Content-Disposition"]  # акт a.pdf
    # The app's headers hold for the file nginx sends.
    assert (
        own.headers["Cache-Control"] == raw_headers(stack, client, ids["file_a"])["Cache-Control"]
    )
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in own.headers  # nginx's business, not the client's
    # The app itself sent no body: straight to one of its processes, only the redirect.
    direct = requests.Session()
    direct.cookies = client.cookies
    raw = direct.get(f"{stack['apps'][0]}/files/{ids['file_a']}", timeout=10)
    assert raw.status_code == 200 and raw.content == b""
    assert raw.headers["X-Accel-Redirect"].startswith("/_protected/uploads/")
    # Another organisation's file: the app says 404, and nginx sends nothing.
    other = client.get(f"{base}/files/{ids['file_b']}", timeout=10)
    assert other.status_code == 404 and factories.PDF_BYTES not in other.content
    # Nor can anyone ask nginx's internal location for it, signed in or not.
    internal = raw.headers["X-Accel-Redirect"]
    assert client.get(f"{base}{internal}", timeout=10).status_code == 404
    assert requests.get(f"{base}{internal}", timeout=10).status_code == 404
    # Signed out: the login page, not the file.
    anonymous = requests.get(f"{base}/files/{ids['file_a']}", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_the_limiter_sees_the_clients_address_not_a_forged_one(stack):
    base = stack["base"]
    client = requests.Session()
    form = client.get(f"{base}/auth/login", timeout=10)
    refused = client.post(
        f"{base}/auth/login",
        data={"csrf_token": _csrf(form.text), "email": "grantee-b@example.kz", "password": "x"},
        headers={"X-Forwarded-For": "203.0.113.66"},
        timeout=10,
    )
    assert refused.status_code == 401  # refused, and counted
    addresses = set(
        db.session.scalars(
            select(LoginAttempt.address).where(LoginAttempt.email == "grantee-b@example.kz")
        )
    )
    db.session.remove()
    assert addresses == {"127.0.0.1"}


def test_static_files_come_from_nginx_and_large_bodies_stop_there(stack):
    base = stack["base"]
    css = requests.get(
        f"{base}/static/css/app.css", headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert css.status_code == 200 and "navbar-fund" in css.text
    assert css.headers.get("Content-Encoding") == "gzip"
    assert "max-age=604800" in css.headers["Cache-Control"]
    bootstrap = requests.get(f"{base}/bootstrap/static/css/bootstrap.min.css", timeout=10)
    assert bootstrap.status_code == 200
    # nginx's access log has the static file, no app process does.
    apps = "".join(p.read_text() for p in stack["tmp"].glob("access-*.log"))
    assert "/static/css/app.css" not in apps
    big = requests.post(
        f"{base}/auth/login", data=b"x" * ((MAX_BODY_MB + 1) * 1024 * 1024), timeout=30
    )
    assert big.status_code == 413


def test_metrics_add_up_the_workers_and_stay_off_the_internet(stack):
    app = stack["apps"][1]
    for _ in range(20):  # two workers: both answer some
        assert requests.get(f"{app}/healthz", timeout=10).status_code == 200
    text = requests.get(f"{app}/metrics", timeout=10).text
    count = re.search(
        r'^fundtracker_request_seconds_count\{endpoint="main.healthz",method="GET",'
        r'status="200"\} (\S+)$',
        text,
        re.M,
    )
    assert count and float(count.group(1)) >= 20
    assert re.search(r"^fundtracker_outbox_backlog 0\.0$", text, re.M)
    assert requests.get(f"{stack['base']}/metrics", timeout=10).status_code == 404
    # nginx's request id reaches the app and comes back.
    through = requests.get(f"{stack['base']}/healthz", timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", through.headers["X-Request-Id"])


def test_readyz_follows_the_database_and_the_scheduler(stack):
    base = stack["base"]
    assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
    late = requests.get(f"{base}/readyz", timeout=10)
    assert late.status_code == 503
    assert late.json()["checks"]["scheduler"] == "never ran"
    readiness.beat(db.session)  # as the scheduler's heartbeat job does
    db.session.commit()
    db.session.remove()
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok", "scheduler": "ok"},
    }
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg.sh"), "stop", str(stack["pg_dir"])], check=True
    )  # (the fixture's stop finds nothing left to stop)
    for app in stack["apps"]:  # each process, straight: both find the database gone
        down = requests.get(f"{app}/readyz", timeout=30)
        assert down.status_code == 503
        assert down.json()["checks"] == {"database": "unreachable"}
        assert requests.get(f"{app}/healthz", timeout=10).status_code == 200


def test_the_tls_site_is_taken_by_debians_nginx(tmp_path):
    """The site as production makes it (TLS, the redirect from port 80) passes `nginx -t` on the
    nginx installed here (Debian 12's 1.22 has no `http2 on;`)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    local_stack, nginx_site = stack_tools()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fundtracker.example.kz")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    site = nginx_site.render(
        server_name="fundtracker.example.kz",
        upstreams=["127.0.0.1:8001", "127.0.0.1:8002"],
        tls_cert=str(tmp_path / "cert.pem"),
        tls_key=str(tmp_path / "key.pem"),
        upload_root=str(tmp_path / "uploads"),
        reports_root=str(tmp_path / "reports"),
        max_body_mb=100,
        access_log=str(tmp_path / "access.log"),
        error_log=str(tmp_path / "error.log"),
    )
    assert "listen 443 ssl http2;" in site and "return 301 https://" in site
    assert "location = /readyz" in site and "deny all;" in site
    local_stack.check_nginx(tmp_path, site)  # raises with nginx's complaint
