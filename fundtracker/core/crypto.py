"""Personal data encrypted at rest (issue #19): a column type that stores authenticated
ciphertext (Fernet: AES-128-CBC + HMAC-SHA256) and gives back the text. Preliminary version: the
encryption change completes it (keys from the environment, rotation, which columns)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


def _keyring() -> MultiFernet:
    keys = current_app.config.get("DATA_ENCRYPTION_KEYS") or []
    if not keys:  # development and tests: derived from the secret key
        secret = current_app.config["SECRET_KEY"].encode()
        keys = [base64.urlsafe_b64encode(hashlib.sha256(b"data-key:" + secret).digest())]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(text: str) -> str:
    return _keyring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _keyring().decrypt(token.encode()).decode()


class EncryptedText(TypeDecorator):
    """Text kept encrypted in the database; None stays None (NULL)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
