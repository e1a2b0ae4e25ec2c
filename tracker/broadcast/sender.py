"""One delivery attempt over HTTP, and the retry schedule. No database here: the worker records the outcome.

Success is a 2xx within the timeouts. Redirects are never followed (3xx is a failure, so a URL cannot bounce
the request to an internal address), 410 Gone asks us to stop, and ``Retry-After`` is honoured.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from tracker.broadcast import signing
from tracker.broadcast.ssrf import TargetPolicy, TargetRefused, split_url
from tracker.broadcast.transport import pinned_session
from tracker.clock import timestamp, utcnow
from tracker.outbox import schedule
from tracker.outbox.queues import WEBHOOKS

RETRY_SCHEDULE = WEBHOOKS.schedule  # Standard Webhooks' example schedule after the first attempt: ~3 days
JITTER = WEBHOOKS.jitter  # ±10 %, so receivers that failed together are not retried together
MAX_RETRY_AFTER = timedelta(hours=24)
RESPONSE_SNIPPET_BYTES = 512


@dataclass(frozen=True)
class SendSettings:
    """How to send: the SSRF policy, timeouts and the User-Agent."""

    policy: TargetPolicy
    connect_timeout: float
    read_timeout: float
    user_agent: str


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None = None
    retry_after: timedelta | None = None
    gone: bool = False


def encode_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date; capped at a day, never negative."""
    if not value:
        return None
    value = value.strip()
    delay: timedelta | None
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    return max(timedelta(0), min(delay, MAX_RETRY_AFTER))


def next_delay(
    failures: int, retry_after: timedelta | None = None, rng: random.Random | None = None
) -> timedelta | None:
    """The wait after the ``failures``-th failed attempt, with jitter; None when the schedule is used up."""
    return schedule.next_delay(WEBHOOKS, failures, retry_after, rng)


def send(
    url: str,
    message_id: str,
    body: bytes,
    signing_secrets: list[str],
    settings: SendSettings,
    session: requests.Session | None = None,
) -> Outcome:
    """POST one signed body to the URL; never raises — every failure becomes an ``Outcome`` with its reason.

    ``session`` (from ``transport.pinned_session``) is reused when given, else one is made for this request.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        split_url(url)  # the form rules again: the URL may predate today's rules
        headers = signing.webhook_headers(message_id, int(timestamp()), body, signing_secrets)
        own, exhausted = session is None, False
        http = session if session is not None else pinned_session(settings.policy, settings.user_agent)
        try:
            resp = http.post(
                url,
                data=body,
                headers=headers,
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False,
                stream=True,
            )
            try:
                snippet = resp.raw.read(RESPONSE_SNIPPET_BYTES, decode_content=True) or b""
                exhausted = not resp.raw.read(1)  # a short answer read to its end: its connection may be reused
            finally:
                if own or not exhausted:
                    resp.close()
                else:
                    resp.raw.release_conn()
        finally:
            if own:
                http.close()
    except TargetRefused as exc:
        return Outcome(False, None, elapsed(), f"Afvist før afsendelse: {exc.message}")
    except requests.exceptions.ConnectTimeout:
        return Outcome(False, None, elapsed(), f"Ingen forbindelse inden for {settings.connect_timeout:g} s.")
    except (requests.exceptions.ReadTimeout, TimeoutError):
        return Outcome(False, None, elapsed(), f"Intet svar inden for {settings.read_timeout:g} s.")
    except requests.exceptions.SSLError as exc:
        reason = f"TLS-fejl: modtagerens certifikat kunne ikke godkendes ({_short(exc, 160)})."
        return Outcome(False, None, elapsed(), reason)
    except requests.exceptions.ConnectionError as exc:
        return Outcome(False, None, elapsed(), _connection_failure(exc))
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        return Outcome(False, None, elapsed(), f"Afsendelsen mislykkedes: {_short(exc)}")
    latency = elapsed()
    status = resp.status_code
    if 200 <= status < 300:
        return Outcome(True, status, latency)
    text = snippet.decode("utf-8", "replace").strip()
    if 300 <= status < 400:
        where = resp.headers.get("Location", "")
        error = f"Modtageren svarede {status} (omdirigering til {where[:200]!r}); omdirigeringer følges ikke."
    else:
        error = f"Modtageren svarede {status}." + (f" Svar: {text[:300]}" if text else "")
    retry_after = parse_retry_after(resp.headers.get("Retry-After"), utcnow())
    return Outcome(False, status, latency, error, retry_after=retry_after, gone=status == 410)


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _connection_failure(exc: BaseException) -> str:
    """The reason in words, not urllib3's pool internals."""
    text = str(exc)
    if "refused" in text.lower():
        return "Modtageren afviste forbindelsen (intet svarer på adressen og porten)."
    if "timed out" in text.lower():
        return "Ingen forbindelse inden for tidsgrænsen."
    if "reset" in text.lower() or "aborted" in text.lower() or "RemoteDisconnected" in text:
        return "Modtageren lukkede forbindelsen uden at svare."
    return f"Forbindelsen mislykkedes: {_short(exc, 200)}"
