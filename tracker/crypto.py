"""Secrets at rest (webhook signing secrets), encrypted with the server's keys: Fernet, rotatable.

``TRACKER_ENCRYPTION_KEYS`` lists Fernet keys, comma-separated, newest first: the first encrypts, every one
decrypts (``cryptography``'s MultiFernet), so a new key is put in front, ``tracker rotate-secrets``
re-encrypts everything with it, and the old key is removed afterwards. Without the setting a key is derived
from ``SECRET_KEY`` (development and tests; production refuses to start without its own keys).

Columns use ``EncryptedString``: values are encrypted when written and decrypted when read, so code sees the
plain secret and the database only ever holds ``fernet:``-prefixed tokens. A value written before encryption
(no prefix) reads as it is, and the migration encrypts those.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

PREFIX = "fernet:"
_KEYRING: list[MultiFernet] = []


class KeyError_(ValueError):  # noqa: N801 - a ValueError, named for what it is about
    """The configured keys cannot be used."""


def keys_from_config(raw: str, secret_key: str) -> list[bytes]:
    """The Fernet keys of the setting (newest first), or one derived from SECRET_KEY when it is empty."""
    keys = [k.strip().encode() for k in (raw or "").split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(b"tu-tracker encryption key\x00" + secret_key.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest)]
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise KeyError_("TRACKER_ENCRYPTION_KEYS: each key must be a Fernet key (Fernet.generate_key())") from exc
    return keys


def configure(keys: list[bytes]) -> None:
    """Use these keys from now on (set by create_app from the configuration)."""
    _KEYRING[:] = [MultiFernet([Fernet(k) for k in keys])]


def _ring() -> MultiFernet:
    if not _KEYRING:
        raise RuntimeError("encryption keys are not configured (create_app configures them)")
    return _KEYRING[0]


def is_configured() -> bool:
    """Whether keys are set (the migration encrypts existing secrets only then)."""
    return bool(_KEYRING)


def encrypt(plain: str) -> str:
    """The stored form of a secret."""
    return PREFIX + _ring().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    """The plain secret of a stored value (values from before encryption are returned as they are)."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _ring().decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise RuntimeError("a stored secret cannot be decrypted with TRACKER_ENCRYPTION_KEYS") from exc


def rotate(stored: str) -> str:
    """The stored value re-encrypted with the newest key (plain values get encrypted)."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    token = _ring().rotate(stored.removeprefix(PREFIX).encode("ascii"))
    return PREFIX + token.decode("ascii")


class EncryptedString(TypeDecorator[str]):
    """A string column whose values are stored encrypted."""

    impl = String()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        if value is None:
            return None
        return value if str(value).startswith(PREFIX) else encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        return None if value is None else decrypt(str(value))
