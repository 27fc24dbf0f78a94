"""Two app machines sharing the database backend (issue #22, STORAGE_BACKEND=database), each as
the README sets one up: nginx in front of the machine's own gunicorn, folders of its own. A file
stored once is sent by either machine's nginx (the second fetches it from the database into its
folder first), only after the app's check; another organisation's file is 404 on both.

It runs in the PostgreSQL run of the suite, with nginx (REQUIRE_NGINX=1 in CI)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade

from fundtracker import create_app
from fundtracker.core.extensions import db
from tests import factories
from tests.conftest import free_port
from tests.deploy.test_behind_nginx import _sign_in, _world, stack_tools, tear_down

pytestmark = pytest.mark.no_db


def files_in(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(scope="module")
def machines():
    local_stack, nginx_site = stack_tools()
    tmp = local_stack.workdir("ft-machines-")
    pg_dir = Path(tempfile.mkdtemp(prefix="ft-machines-pg-"))
    processes = []
    url = local_stack.start_postgres(pg_dir)
    ctx = None
    try:
        shared = {
            "SQLALCHEMY_DATABASE_URI": url,
            "STORAGE_BACKEND": "database",
            "TRUSTED_PROXIES": 1,
            "X_ACCEL_REDIRECT": True,
        }
        app = create_app(
            "testing",
            **shared,
            UPLOAD_FOLDER=str(tmp / "setup" / "uploads"),
            REPORTS_FOLDER=str(tmp / "setup" / "reports"),
        )
        ctx = app.app_context()
        ctx.push()
        upgrade()
        world = _world()  # its files go into the database
        db.session.commit()
        ids = {k: v.id for k, v in world.items()}
        db.session.remove()
        fronts = {}
        for name in ("a", "b"):
            home = tmp / name
            home.mkdir()
            config = {
                **shared,
                "UPLOAD_FOLDER": str(home / "uploads"),
                "REPORTS_FOLDER": str(home / "reports"),
            }
            port = free_port()
            processes.append(local_stack.start_gunicorn(config, port, home, name, workers=1))
            local_stack.wait_until_up(f"http://127.0.0.1:{port}/healthz", processes[-1])
            front = free_port()
            site = nginx_site.render(
                server_name="localhost",
                upstreams=[f"127.0.0.1:{port}"],
                listen=f"127.0.0.1:{front}",
                upload_root=config["UPLOAD_FOLDER"],
                reports_root=config["REPORTS_FOLDER"],
                max_body_mb=20,
                access_log=str(home / "nginx-access.log"),
                error_log=str(home / "nginx-error.log"),
            )
            processes.append(local_stack.start_nginx(home, site))
            fronts[name] = f"http://127.0.0.1:{front}"
            local_stack.wait_until_up(f"{fronts[name]}/healthz", processes[-1])
        yield {"fronts": fronts, "ids": ids, "tmp": tmp}
    finally:
        tear_down(local_stack, processes, ctx, pg_dir, tmp)


def test_either_machine_sends_a_file_stored_once(machines):
    fronts, ids, tmp = machines["fronts"], machines["ids"], machines["tmp"]
    assert files_in(tmp / "a" / "uploads") == files_in(tmp / "b" / "uploads") == []
    client = _sign_in(fronts["a"], "grantee-a@example.kz")  # sign-ins are in the database too
    for name in ("a", "b"):
        got = client.get(f"{fronts[name]}/files/{ids['file_a']}", timeout=10)
        assert got.status_code == 200, (name, got.status_code)
        assert got.content == factories.PDF_BYTES
        assert "X-Accel-Redirect" not in got.headers
        assert len(files_in(tmp / name / "uploads")) == 1  # the copy nginx sent
    # Another organisation's file: 404 from both, and neither fetches it.
    for name in ("a", "b"):
        other = client.get(f"{fronts[name]}/files/{ids['file_b']}", timeout=10)
        assert other.status_code == 404 and factories.PDF_BYTES not in other.content
        assert len(files_in(tmp / name / "uploads")) == 1
