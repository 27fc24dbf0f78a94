"""Make nginx's site for FundTracker from deploy/nginx/fundtracker.conf.in (issue #22).

    .venv/bin/python scripts/nginx_site.py --server-name fundtracker.example.kz \\
        --upstream 127.0.0.1:8001 --upstream 127.0.0.1:8002 \\
        --tls-cert /etc/letsencrypt/live/fundtracker.example.kz/fullchain.pem \\
        --tls-key /etc/letsencrypt/live/fundtracker.example.kz/privkey.pem \\
        --env /etc/fundtracker/fundtracker.env > /etc/nginx/sites-available/fundtracker

The folders (static files, uploads, reports) and the body limit come from the installed app and
its environment file, so that nginx and the app agree; the tests make the same site without TLS
on 127.0.0.1 (tests/deploy)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "fundtracker.conf.in"
ACCEL_UPLOADS = "/_protected/uploads/"
ACCEL_REPORTS = "/_protected/reports/"

TLS = """    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:fundtracker:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;
    # The app sends Strict-Transport-Security itself (production)."""

REDIRECT = """server {{
    listen 80;
    listen [::]:80;
    server_name {name};
    server_tokens off;
    return 301 https://$host$request_uri;
}}"""


def _env(path: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path:
        return values
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip("'\"")
    return values


def bootstrap_static() -> Path:
    import flask_bootstrap

    return Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"


def render(
    *,
    server_name: str,
    upstreams: list[str],
    listen: str | None = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    upload_root: str,
    reports_root: str,
    max_body_mb: int,
    access_log: str = "/var/log/nginx/fundtracker.access.log",
    error_log: str = "/var/log/nginx/fundtracker.error.log",
) -> str:
    tls = bool(tls_cert and tls_key)
    if listen is None:
        listen = "443 ssl" if tls else "80"
    # "listen … http2" rather than "http2 on": Debian 12's nginx (1.22) has no http2 directive.
    listen += " http2" if tls else ""
    listens = [f"    listen {listen};"]
    if listen.split()[0].isdigit():  # a port alone: IPv6 too
        listens.append(f"    listen [::]:{listen};")
    values = {
        "@UPSTREAMS@": "\n".join(f"    server {u} max_fails=2 fail_timeout=5s;" for u in upstreams),
        "@REDIRECT@": REDIRECT.format(name=server_name) if tls else "",
        "@LISTEN@": "\n".join(listens),
        "@SERVER_NAME@": server_name,
        "@TLS@": TLS.format(cert=tls_cert, key=tls_key) if tls else "",
        "@MAX_BODY_MB@": str(max_body_mb),
        "@ACCESS_LOG@": access_log,
        "@ERROR_LOG@": error_log,
        "@STATIC_ROOT@": str(ROOT / "fundtracker" / "static"),
        "@BOOTSTRAP_ROOT@": str(bootstrap_static()),
        "@ACCEL_UPLOADS@": ACCEL_UPLOADS,
        "@ACCEL_REPORTS@": ACCEL_REPORTS,
        "@UPLOAD_ROOT@": upload_root.rstrip("/"),
        "@REPORTS_ROOT@": reports_root.rstrip("/"),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--upstream", action="append", required=True, help="host:port, repeated")
    parser.add_argument("--listen", help="nginx's listen value (default 443 ssl, or 80)")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--env", help="the app's environment file: folders and body limit")
    parser.add_argument("--upload-root")
    parser.add_argument("--reports-root")
    parser.add_argument("--max-body-mb", type=int)
    parser.add_argument("--access-log", default="/var/log/nginx/fundtracker.access.log")
    parser.add_argument("--error-log", default="/var/log/nginx/fundtracker.error.log")
    args = parser.parse_args(argv)
    env = _env(args.env)
    upload_root = args.upload_root or env.get("UPLOAD_FOLDER")
    reports_root = args.reports_root or env.get("REPORTS_FOLDER")
    if not (upload_root and reports_root):
        parser.error("the uploads and reports folders: --env with UPLOAD_FOLDER and REPORTS_FOLDER")
    max_upload = int(env.get("MAX_UPLOAD_MB", "20"))
    max_body = args.max_body_mb or int(env.get("MAX_REQUEST_MB", str(max_upload * 5)))
    sys.stdout.write(
        render(
            server_name=args.server_name,
            upstreams=args.upstream,
            listen=args.listen,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            upload_root=upload_root,
            reports_root=reports_root,
            max_body_mb=max_body,
            access_log=args.access_log,
            error_log=args.error_log,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
