"""Outgoing email over SMTP; written to the log when no SMTP server is configured."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

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


def send(msg: EmailMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if current_app.debug:
            log.info("Mail (no MAIL_SERVER configured, not sent):\n%s", msg.as_string())
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


def send_templated(to: str, locale: str, template: str, subject, **context) -> EmailMessage:
    """Render `email/<template>.txt` and `.html` in the recipient's language and send them."""
    with force_locale(locale):
        msg = build_message(
            to,
            str(subject),
            render_template(f"email/{template}.txt", **context),
            render_template(f"email/{template}.html", **context),
        )
    send(msg)
    return msg
