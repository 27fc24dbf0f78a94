"""Emails per second per scheduler: the outbox job (`services.notifications.send_outbox`) sending
to a real SMTP server on loopback (aiosmtpd, in a process of its own), with TLS off and on
(STARTTLS, with a self-signed certificate made for the run), against the way it sent before,
measured in the same run: a new SMTP conversation and a new SSL context for every message.

    .venv/bin/python -m bench.outbox_send [--emails 300] [--database-url URL]

Without --database-url, a new SQLite file in a temporary directory; a URL names an empty (or
already migrated) database, which is migrated to head. Each figure sends --emails emails queued
for it; the rows are deleted afterwards. "CPU" is this process's CPU time per email (the SMTP
server's is not counted); "database only" is the job with the SMTP conversation left out, so
what is left of each email's time is the database's three short transactions (claim, start,
outcome).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import logging
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, func, select

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ft-outbox-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'outbox.sqlite'}"
        for name, figure in run(url, args.emails, Path(tmp)).items():
            print(f"{name:<44} {figure}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path] | None:
    """A certificate for 127.0.0.1 and its key, or None without the `cryptography` package."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def smtp_server(tls: tuple[Path, Path] | None):
    """aiosmtpd in its own process (its CPU is not this one's), throwing the mail away."""
    port = _free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    command += ["-l", f"127.0.0.1:{port}"]
    if tls:
        command += ["--tlscert", str(tls[0]), "--tlskey", str(tls[1])]  # STARTTLS required
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the SMTP server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def per_message_connection():
    """The sending as it was before: a new SSL context (even with TLS off) and a new SMTP
    conversation for every message."""
    from fundtracker.core import mail

    class PerMessage(mail.Connection):
        def send(self, msg):
            self._context = None
            self._ssl_context()  # made for every message, TLS or not
            try:
                super().send(msg)
            finally:
                self.close()

    return PerMessage


def run(url: str, emails: int, folder: Path) -> dict[str, str]:
    from flask_migrate import upgrade

    from fundtracker import create_app
    from fundtracker.core import mail
    from fundtracker.core.extensions import db
    from fundtracker.models import EmailStatus, OutboxEmail, Role, User
    from fundtracker.services import notifications

    logging.getLogger("fundtracker.core.mail").setLevel(logging.ERROR)  # "no MAIL_SERVER" lines
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER=None)
    out: dict[str, str] = {"emails per figure": str(emails)}

    def send_all(count: int) -> tuple[float, float]:
        """Queue `count` emails, send them as one scheduler does; (seconds, CPU seconds)."""
        user = db.session.scalar(select(User).where(User.email == "bench-outbox@example.kz"))
        for n in range(count):
            notifications.queue_email(db.session, user, f"Bench {n}", "Text " * 200, "")
        db.session.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        counts = notifications.send_outbox(db.session, db.session.commit)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        left = db.session.scalar(select(func.count()).where(OutboxEmail.status != EmailStatus.SENT))
        if counts["sent"] != count or left:
            raise RuntimeError(f"not all sent: {dict(counts)}, {left} left")
        return wall, cpu

    def figure(wall: float, cpu: float) -> str:
        return f"{emails / wall:7.1f} emails/s  ({cpu / emails * 1000:.1f} ms CPU each)"

    with app.app_context():
        upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        db.session.add(
            User(email="bench-outbox@example.kz", name="Bench", role=Role.OFFICER, locale="en")
        )
        db.session.commit()
        mark = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
        try:
            send_all(20)  # warm up: imports, templates, connections
            out["database only (no SMTP)"] = figure(*send_all(emails))
            tls = self_signed(folder)
            for label, cert in (("TLS off", None), ("TLS on (STARTTLS)", tls)):
                if label != "TLS off" and cert is None:
                    out[label] = "skipped: install `cryptography` to make a certificate"
                    continue
                with smtp_server(cert) as port:
                    app.config.update(
                        MAIL_SERVER="127.0.0.1",
                        MAIL_PORT=port,
                        MAIL_USE_TLS=cert is not None,
                        MAIL_CA_FILE=str(cert[0]) if cert else None,
                    )
                    reused = send_all(emails)
                    saved, mail.Connection = mail.Connection, per_message_connection()
                    try:
                        before = send_all(emails)
                    finally:
                        mail.Connection = saved
                out[f"{label}: one conversation per batch"] = figure(*reused)
                out[f"{label}: one per message (before)"] = figure(*before)
                out[f"{label}: ratio (batch / before)"] = (
                    f"{before[0] / reused[0]:.1f}x the emails per second, "
                    f"{before[1] / max(reused[1], 1e-9):.1f}x less CPU per email"
                )
            app.config.update(MAIL_SERVER=None)
        finally:
            db.session.rollback()
            db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > mark))
            db.session.execute(delete(User).where(User.email == "bench-outbox@example.kz"))
            db.session.commit()
            db.session.remove()
    return out


if __name__ == "__main__":
    main()
