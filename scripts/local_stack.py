"""The production set-up on this machine, for tests/deploy and bench/load (issue #22): a
PostgreSQL cluster of its own, gunicorn processes started with deploy/gunicorn.conf.py, and
nginx with the site scripts/nginx_site.py makes, all on 127.0.0.1 in a temporary folder."""

from __future__ import annotations

import grp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

# nginx's workers run as an unprivileged user, as Debian's www-data does, in the group of the
# files the app writes (the app's is root here): a file the app stored without group read
# (or a folder without group search) is refused by nginx here as in production.
NGINX_CONF = """
user nobody {group};
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
{site}
}}
"""


def workdir(prefix: str) -> Path:
    """A temporary folder for the stack's files, which nginx's workers may search through the
    group, as they do /var/lib/fundtracker in production."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o750)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def start_postgres(folder: Path) -> str:
    """A new cluster in `folder` (scripts/pg.sh): its URL."""
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg.sh"), "start", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def stop_postgres(folder: Path) -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "stop", str(folder)], check=False)


def app_factory(config: dict) -> str:
    """gunicorn's app: the testing settings with production's behaviour (CSRF on, errors shown
    as pages) and `config`."""
    return (
        "fundtracker:create_app('testing', TESTING=False, WTF_CSRF_ENABLED=True, "
        + ", ".join(f"{k}={v!r}" for k, v in config.items())
        + ")"
    )


def start_gunicorn(config: dict, port: int, tmp: Path, name: str, workers: int) -> subprocess.Popen:
    """One gunicorn process with deploy/gunicorn.conf.py; its workers' metrics in a folder of
    its own, its logs in `tmp`."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--access-logfile={tmp / f'access-{name}.log'}",
            f"--error-logfile={tmp / f'gunicorn-{name}.log'}",
            app_factory(config),
        ],
        cwd=ROOT,
        env=dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp / f"metrics-{name}")),
    )


def check_nginx(tmp: Path, site: str, workers: str = "1") -> list[str]:
    """Write nginx's configuration with `site` (scripts/nginx_site.render) in `tmp` and check it
    (`nginx -t`, which binds no port); the command that starts it. Raises on a refusal."""
    conf = tmp / "nginx.conf"
    group = grp.getgrgid(os.getgid()).gr_name
    conf.write_text(NGINX_CONF.format(tmp=tmp, site=site, workers=workers, group=group))
    args = [nginx_binary(), "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "nginx-error.log")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t: {check.stderr}")
    return args


def start_nginx(tmp: Path, site: str, workers: str = "1") -> subprocess.Popen:
    """nginx with `site` in a configuration of its own in `tmp`, checked first."""
    return subprocess.Popen(check_nginx(tmp, site, workers))  # noqa: S603 - our configuration


def wait_until_up(url: str, process: subprocess.Popen, seconds: int = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} stopped")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
