"""Outgoing email over SMTP; written to the log when no SMTP server is configured.

Nothing here is called inside a web request: every email is queued in the outbox
(services.notifications) and sent by the scheduler's outbox job.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    msg["From"] = config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="fundtracker")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def _readable(msg: EmailMessage) -> str:
    """The message as a person reads it: headers and the plain text, decoded (the wire form has
    Kazakh and Russian text, and so the links, in base64)."""
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return f"To: {msg['To']}\nSubject: {msg['Subject']}\n\n{text}"


def send(msg: EmailMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config.get("MAIL_LOG_BODIES"):
            log.warning("Mail not sent (no MAIL_SERVER), written here instead:\n%s", _readable(msg))
        else:  # emailed links are secrets: never in a production log
            log.warning("Mail to %s not sent (no MAIL_SERVER): %s", msg["To"], msg["Subject"])
        return
    context = ssl.create_default_context()
    smtp_cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    kwargs = {"context": context} if config["MAIL_USE_SSL"] else {}
    with smtp_cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30, **kwargs) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
