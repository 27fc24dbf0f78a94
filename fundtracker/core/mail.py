"""Outgoing email over SMTP; written to the log when no SMTP server is configured.

Nothing here is called inside a web request: every email is queued in the outbox
(services.notifications) and sent by the scheduler's outbox job, a batch at a time over one
`Connection` (one SMTP conversation and, with TLS, one SSL context per batch).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

# Refusals of one message (its recipient, its content): smtplib resets the conversation and the
# next message may go out on it, unless the server also hung up (a 421 closes it). A refused
# sender (MAIL FROM: sign-in or STARTTLS required, a sender not allowed) would refuse every
# message alike: it counts as the conversation's failure, like one that is lost.
MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def new_message_id() -> str:
    """A Message-ID for an email being queued: unique, in the sender's domain."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2]
    return make_msgid(domain=domain or "fundtracker")


def build_message(
    to: str, subject: str, text: str, html: str | None = None, message_id: str | None = None
) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    msg["From"] = config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or new_message_id()
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


def _log_instead(config, msg: EmailMessage) -> None:
    if config.get("MAIL_LOG_BODIES"):
        log.warning("Mail not sent (no MAIL_SERVER), written here instead:\n%s", _readable(msg))
    else:  # emailed links are secrets: never in a production log
        log.warning("Mail to %s not sent (no MAIL_SERVER): %s", msg["To"], msg["Subject"])


class _HandsOver:
    """Notes when the message itself has been handed to the server (DATA): a failure after that
    without the server's answer leaves unknown whether it took the message."""

    handed_over = False

    def data(self, msg):
        self.handed_over = True
        return super().data(msg)


class _SMTP(_HandsOver, smtplib.SMTP):
    pass


class _SMTPSSL(_HandsOver, smtplib.SMTP_SSL):
    pass


class Connection:
    """One SMTP conversation for many messages: opened by the first `send`, closed by `close`
    (or the `with` block). The SSL context is made once, and only when TLS or SSL is on.

    After a `send` that raised, `lost` tells whether the conversation is gone (the server or the
    network failed: the messages after it should wait) or only that message was refused, and
    `maybe_delivered` whether the server may have taken the message all the same (the
    conversation broke after the message was handed over, before the server answered). A send
    after a loss opens a new conversation."""

    def __init__(self, timeout: float = 30, context: ssl.SSLContext | None = None):
        self.config = current_app.config
        self.timeout = timeout
        self.lost = False
        self.maybe_delivered = False
        self._context = context
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context()
            if self.config.get("MAIL_CA_FILE"):  # a private CA that signed the relay's certificate
                self._context.load_verify_locations(cafile=self.config["MAIL_CA_FILE"])
        return self._context

    def _open(self) -> smtplib.SMTP:
        config = self.config
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        if config.get("MAIL_USE_SSL"):
            smtp = _SMTPSSL(host, port, timeout=self.timeout, context=self._ssl_context())
        else:
            smtp = _SMTP(host, port, timeout=self.timeout)
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=self._ssl_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: EmailMessage) -> None:
        """Send one message (raises on failure, see `lost` and `maybe_delivered`)."""
        self.lost = self.maybe_delivered = False
        if not self.config.get("MAIL_SERVER"):
            _log_instead(self.config, msg)
            return
        try:
            if self._smtp is None:
                self._smtp = self._open()
            self._smtp.handed_over = False
            self._smtp.send_message(msg)
        except MESSAGE_REFUSED:  # the server answered: it did not take the message
            if self._smtp is None or self._smtp.sock is None:  # refused and hung up (421)
                self._drop()
            raise
        except BaseException:
            self.maybe_delivered = self._smtp is not None and self._smtp.handed_over
            self._drop()
            raise

    def _drop(self) -> None:
        self.lost = True
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the messages are sent; a server that hangs up first is no matter
        finally:
            self._smtp.close()
            self._smtp = None


def send(msg: EmailMessage) -> None:
    """Send one message over a conversation of its own."""
    with Connection() as connection:
        connection.send(msg)
