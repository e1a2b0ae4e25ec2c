"""Polite, bounded HTTP for scrapers: one session, timeouts, retries, robots.txt, conditional GET.

Rules (reliability goals G9/G10):

* every request has a (connect, read) timeout and a user agent naming the
  service and a contact;
* 429 and 5xx are retried with exponential backoff, honouring ``Retry-After``,
  at most ``max_tries`` attempts and never sleeping longer than ``max_sleep``;
  a read timeout is not retried (a slow server should not get more load);
* ``If-None-Match`` / ``If-Modified-Since`` are sent when the caller has them,
  and 304 becomes a ``Page`` with status 304 and no body;
* robots.txt is obeyed, cached per host for the ``Fetcher``'s life (one run):
  a 4xx robots.txt allows everything, a 5xx or unreachable one forbids
  everything (RFC 9309 §2.3.1.3-4);
* redirects are followed by hand, at most ``max_redirects``, and only within
  the same site (same host, or the host with/without ``www.``);
* bodies larger than ``max_bytes`` are refused.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib import robotparser
from urllib.parse import urljoin, urlsplit

import requests

from scrapers.base import FetchError, Page, RobotsDisallowedError

DEFAULT_USER_AGENT = "TU-tracker/1.0 (+https://tu-tracker.example/om; kontakt@tu-tracker.example)"
DEFAULT_TIMEOUT = (5.0, 20.0)
MAX_BYTES = 5 * 1024 * 1024
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 asks crawlers to parse at least 500 KiB
_DISALLOW_ALL = ["User-agent: *", "Disallow: /"]
_REDIRECTS = {301, 302, 303, 307, 308}
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def make_session(user_agent: str, *, trust_env: bool = False) -> requests.Session:
    """A session that always sends ``user_agent``; ``trust_env`` False ignores proxy/netrc settings."""
    session = requests.Session()
    # Environment proxies and .netrc credentials must not silently change where
    # (or as whom) a scraper connects; production opts in explicitly.
    session.trust_env = trust_env
    session.headers.update(
        {
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            "Accept-Language": "da, en;q=0.5",
        }
    )
    return session


def _same_site(a: str, b: str) -> bool:
    def host(url: str) -> str:
        name = (urlsplit(url).hostname or "").lower()
        return name.removeprefix("www.")

    return host(a) == host(b) and urlsplit(a).port == urlsplit(b).port


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _decode(body: bytes, content_type: str | None) -> str:
    match = re.search(r"charset=([\w-]+)", content_type or "", re.IGNORECASE)
    meta = _CHARSET.search(body[:4096])
    for charset in (match.group(1) if match else None, meta.group(1).decode() if meta else None, "utf-8"):
        if charset:
            try:
                return body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("utf-8", errors="replace")


class Fetcher:
    """Fetches pages politely. One instance per scrape run (it caches robots.txt per host)."""

    def __init__(
        self,
        user_agent: str = DEFAULT_USER_AGENT,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_tries: int = 3,
        backoff: float = 1.0,
        max_sleep: float = 30.0,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 5,
        respect_robots: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user_agent = user_agent
        self.session = session or make_session(user_agent)
        self.timeout = timeout
        self.max_tries = max(1, max_tries)
        self.backoff = backoff
        self.max_sleep = max_sleep
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self.sleep = sleep
        self._robots: dict[str, robotparser.RobotFileParser] = {}

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Page:
        """GET ``url``; 200 → Page with body, 304 → Page without; anything else raises FetchError."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(self.max_redirects + 1):
            self._check_robots(current)
            response = self._get_with_retries(current, headers)
            if response.status_code not in _REDIRECTS:
                return self._page(current, response, etag, last_modified)
            target = urljoin(current, response.headers.get("Location", ""))
            response.close()
            if not _same_site(current, target) or urlsplit(target).scheme not in ("http", "https"):
                raise FetchError(f"refused redirect from {current} to another site: {target}", url=url)
            current = target
        raise FetchError(f"more than {self.max_redirects} redirects from {url}", url=url)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our user agent fetch ``url`` (fetching robots.txt once per host)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._robots:
            self._robots[key] = self._load_robots(key + "/robots.txt")
        return self._robots[key].can_fetch(self.user_agent, url)

    def _check_robots(self, url: str) -> None:
        if self.respect_robots and not self.allowed(url):
            raise RobotsDisallowedError(f"robots.txt does not allow fetching {url}", url=url)

    def _load_robots(self, robots_url: str) -> robotparser.RobotFileParser:
        parser = robotparser.RobotFileParser(robots_url)
        try:
            response = self.session.get(robots_url, timeout=self.timeout, stream=True)
            body = _read_limited(response, ROBOTS_MAX_BYTES)
        except requests.RequestException:
            parser.parse(_DISALLOW_ALL)  # unreachable: assume complete disallow (RFC 9309)
            return parser
        # 429 is a 4xx, but it says "come back later", not "there are no rules";
        # like the big crawlers we read it as unreachable.
        if response.status_code >= 500 or response.status_code == 429:
            parser.parse(_DISALLOW_ALL)
        elif response.status_code >= 400:
            parser.parse([])  # "unavailable": the crawler may access anything
        else:
            parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> requests.Response:
        for attempt in range(1, self.max_tries + 1):
            try:
                response = self.session.get(
                    url, headers=headers, timeout=self.timeout, allow_redirects=False, stream=True
                )
            except requests.Timeout as exc:
                raise FetchError(f"timed out fetching {url}: {exc}", url=url, timed_out=True) from exc
            except requests.RequestException as exc:
                if attempt == self.max_tries:
                    raise FetchError(f"could not connect to {url}: {exc}", url=url) from exc
                self.sleep(min(self.backoff * 2 ** (attempt - 1), self.max_sleep))
                continue
            status = response.status_code
            if status != 429 and status < 500:
                return response
            response.close()
            if attempt == self.max_tries:
                raise FetchError(f"HTTP {status} from {url} after {attempt} tries", url=url, status=status)
            wait = _retry_after(response.headers.get("Retry-After"))
            self.sleep(min(wait if wait is not None else self.backoff * 2 ** (attempt - 1), self.max_sleep))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _page(self, url: str, response: requests.Response, etag: str | None, last_modified: str | None) -> Page:
        status = response.status_code
        now = datetime.now(UTC)
        if status == 304:
            response.close()
            return Page(
                url=url,
                status=304,
                text="",
                etag=response.headers.get("ETag", etag),
                last_modified=response.headers.get("Last-Modified", last_modified),
                fetched_at=now,
                content_hash=None,
            )
        if not 200 <= status < 300:
            response.close()
            raise FetchError(f"HTTP {status} from {url}", url=url, status=status)
        body = self._read_body(url, response)
        content_type = response.headers.get("Content-Type")
        return Page(
            url=url,
            status=status,
            text=_decode(body, content_type),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            fetched_at=now,
            content_hash=hashlib.sha256(body).hexdigest(),
            content_type=content_type,
        )

    def _read_body(self, url: str, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise FetchError(f"{url} is {declared} bytes, over the {self.max_bytes} limit", url=url)
        try:
            body = _read_limited(response, self.max_bytes + 1)
        except requests.RequestException as exc:
            raise FetchError(f"failed reading {url}: {exc}", url=url) from exc
        if len(body) > self.max_bytes:
            raise FetchError(f"{url} is over the {self.max_bytes} byte limit", url=url)
        return body


def _read_limited(response: requests.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the body; the connection is closed afterwards either way."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    finally:
        response.close()
    return b"".join(chunks)[:limit]
