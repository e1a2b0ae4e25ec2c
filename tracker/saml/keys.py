"""The SP's keys and certificates from settings: one pair signs, one decrypts, each with a next pair for rotation.

Settings name PEM files: ``SAML_SIGNING_KEY``/``SAML_SIGNING_CERT`` sign requests and logout messages;
``SAML_ENCRYPTION_KEY``/``SAML_ENCRYPTION_CERT`` decrypt assertions (empty: the signing pair does both). The
``…_NEXT`` pairs are published in the metadata beside the current ones and decrypt too, so an IdP that
picks up the new certificate early works; swap them in once every IdP has reloaded the metadata.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization


class KeysMissing(RuntimeError):
    """Single sign-on is configured without a usable key or certificate (said at start-up, naming the setting)."""


@dataclass(frozen=True)
class KeyPair:
    """A private key file and its certificate file (PEM)."""

    key_file: str
    cert_file: str

    def cert_body(self) -> str:
        """The certificate's base64 body, as metadata carries it."""
        lines = Path(self.cert_file).read_text(encoding="ascii").strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))


@dataclass(frozen=True)
class SpKeys:
    """The pairs in use: signing (current, next) and encryption (current, next)."""

    signing: KeyPair
    encryption: KeyPair
    signing_next: KeyPair | None = None
    encryption_next: KeyPair | None = None

    def decryption_pairs(self) -> list[KeyPair]:
        """Every pair that may decrypt an assertion: current first, then the next ones, then signing."""
        pairs = [self.encryption, self.encryption_next, self.signing, self.signing_next]
        unique: list[KeyPair] = []
        for pair in pairs:
            if pair is not None and pair not in unique:
                unique.append(pair)
        return unique


def _pair(config: Mapping[str, Any], key_name: str, cert_name: str) -> KeyPair | None:
    key, cert = str(config.get(key_name) or ""), str(config.get(cert_name) or "")
    if not key and not cert:
        return None
    if not key or not cert:
        raise KeysMissing(f"TRACKER_{key_name} and TRACKER_{cert_name} must be set together")
    for name, path in ((key_name, key), (cert_name, cert)):
        if not Path(path).is_file():
            raise KeysMissing(f"TRACKER_{name}: no such file {path!r}")
    try:
        serialization.load_pem_private_key(Path(key).read_bytes(), password=None)
        x509.load_pem_x509_certificate(Path(cert).read_bytes())
    except (ValueError, TypeError) as exc:
        raise KeysMissing(
            f"TRACKER_{key_name}/TRACKER_{cert_name}: not an unencrypted PEM key and certificate"
        ) from exc
    return KeyPair(key, cert)


def sp_keys(config: Mapping[str, Any]) -> SpKeys | None:
    """The configured pairs, or None when single sign-on has no signing key (then it is switched off)."""
    signing = _pair(config, "SAML_SIGNING_KEY", "SAML_SIGNING_CERT")
    if signing is None:
        return None
    encryption = _pair(config, "SAML_ENCRYPTION_KEY", "SAML_ENCRYPTION_CERT") or signing
    return SpKeys(
        signing=signing,
        encryption=encryption,
        signing_next=_pair(config, "SAML_SIGNING_KEY_NEXT", "SAML_SIGNING_CERT_NEXT"),
        encryption_next=_pair(config, "SAML_ENCRYPTION_KEY_NEXT", "SAML_ENCRYPTION_CERT_NEXT"),
    )


def xmlsec_binary(config: Mapping[str, Any]) -> str | None:
    """The ``xmlsec1`` program pysaml2 calls (Debian package ``xmlsec1``), or None when it is not installed."""
    configured = str(config.get("SAML_XMLSEC_BINARY") or "")
    return configured if configured and Path(configured).is_file() else shutil.which(configured or "xmlsec1")
