"""Throw-away RSA keys and self-signed certificates for SAML tests, made with ``cryptography`` in a temp folder.

Nothing here is committed or usable outside the test that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# Fixed validity window (not the wall clock): 2000–2099 covers any day the suite runs on.
NOT_BEFORE = datetime(2000, 1, 1, tzinfo=UTC)
NOT_AFTER = NOT_BEFORE + timedelta(days=365 * 99)


@dataclass(frozen=True)
class PemPair:
    """Paths of a private key and its certificate."""

    key_file: str
    cert_file: str

    @property
    def cert_pem(self) -> str:
        """The certificate as PEM text."""
        return Path(self.cert_file).read_text(encoding="ascii")


def make_pair(directory: Path, name: str) -> PemPair:
    """A new 2048-bit RSA key and a self-signed certificate for it (CN = name)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return PemPair(str(key_file), str(cert_file))
