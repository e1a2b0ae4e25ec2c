"""Signing is Standard Webhooks 1.0: cross-checked against the reference ``standardwebhooks`` library."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from tracker.broadcast import signing


def test_secret_has_the_prefix_and_enough_random_bytes() -> None:
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64
    assert signing.generate_secret() != secret


@settings(max_examples=50, deadline=None)
@given(body=st.binary(max_size=2000).map(lambda b: b.decode("latin-1").encode("utf-8")), msg=st.uuids())
def test_our_signature_equals_the_reference_librarys(body: bytes, msg: object) -> None:
    secret = signing.generate_secret()
    message_id = f"msg_{msg}".replace("-", "")
    ts = int(time.time())
    ours = signing.sign(secret, message_id, ts, body)
    reference = Webhook(secret).sign(message_id, datetime.fromtimestamp(ts, UTC), body.decode("utf-8"))
    assert ours == reference


def test_headers_verify_with_the_reference_library() -> None:
    secret = signing.generate_secret()
    body = b'{"type":"subscription.test","timestamp":"2026-11-28T10:00:00Z","data":{"x":"\xc3\xa6\xc3\xb8\xc3\xa5"}}'
    headers = signing.webhook_headers("msg_abc", int(time.time()), body, [secret])
    assert Webhook(secret).verify(body, headers)["type"] == "subscription.test"
    assert signing.verify(secret, headers, body)


def test_during_rotation_both_secrets_verify() -> None:
    old, new = signing.generate_secret(), signing.generate_secret()
    body = b'{"a":1}'
    headers = signing.webhook_headers("msg_rot", int(time.time()), body, [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"a": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify(body, headers)


def test_tampering_wrong_secret_and_old_timestamps_are_rejected() -> None:
    secret = signing.generate_secret()
    body = b'{"a":1}'
    now = int(time.time())
    headers = signing.webhook_headers("msg_t", now, body, [secret])
    assert not signing.verify(secret, headers, b'{"a":2}')
    assert not signing.verify(signing.generate_secret(), headers, body)
    stale = signing.webhook_headers("msg_t", now - 301, body, [secret])
    assert not signing.verify(secret, stale, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, stale)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)


def test_spec_test_vector() -> None:
    """The example of the Standard Webhooks spec/reference libraries' tests."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert signing.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_message_id_with_a_dot_is_refused() -> None:
    with pytest.raises(ValueError, match="must not contain"):
        signing.webhook_headers("msg.1", 1, b"{}", [signing.generate_secret()])


def test_a_timestamp_far_in_the_future_is_rejected_like_an_old_one() -> None:
    """The tolerance holds both ways: a message dated ten minutes ahead is a replay risk too."""
    secret, body, sent_at = signing.generate_secret(), b'{"type": "subscription.test"}', 1_700_000_000
    headers = signing.webhook_headers("msg_future", sent_at, body, [secret])
    assert signing.verify(secret, headers, body, now=sent_at)
    assert signing.verify(secret, headers, body, now=sent_at - 299)  # received 299 s before it was dated
    assert not signing.verify(secret, headers, body, now=sent_at - 600)  # dated ten minutes in the future
    assert not signing.verify(secret, headers, body, now=sent_at + 600)
