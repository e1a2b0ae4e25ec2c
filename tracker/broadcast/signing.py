"""Standard Webhooks 1.0 signing: ``whsec_`` secrets, ``v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>``.

Cross-checked in the tests against the reference ``standardwebhooks`` library. During a secret rotation both
secrets sign and the header carries both signatures, space-separated, so receivers can switch at their pace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence

from tracker import clock

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's public prefix, not a secret
SECRET_BYTES = 32  # the spec asks for 24–64 random bytes
TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    """A new endpoint secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a whsec_ secret") from exc


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One signature: ``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` keyed by the decoded secret."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def webhook_headers(message_id: str, timestamp: int, body: bytes, signing_secrets: Sequence[str]) -> dict[str, str]:
    """The three Standard Webhooks headers (plus the content type) for one attempt."""
    if "." in message_id:
        raise ValueError("a webhook-id must not contain '.' (it is part of the signed content)")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, message_id, timestamp, body) for s in signing_secrets),
        "Content-Type": "application/json",
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> bool:
    """A receiver's check: a matching ``v1`` signature and a timestamp within five minutes."""
    lowered = {k.lower(): v for k, v in headers.items()}
    message_id, raw_ts, header = (lowered.get(k, "") for k in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    try:
        timestamp = int(raw_ts)
    except ValueError:
        return False
    if abs((clock.timestamp() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in header.split())
