"""Absolute URLs on the canonical base (``TRACKER_BASE_URL``): for feeds, calendars, API bodies and mail."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from markupsafe import Markup, escape


def absolute(path: str) -> str:
    """An absolute URL on the canonical base, whatever Host the request came with (the request's own without one)."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}{path}" if base else request.host_url.rstrip("/") + path


def absolute_for(endpoint: str, **values: Any) -> str:
    """``url_for`` made absolute on the canonical base."""
    return absolute(url_for(endpoint, **values))


def link_label(url: str | None) -> str:
    """A source URL as a short link text: its host ("www.digst.dk" → "digst.dk"). Long URLs as link texts do not
    fit a phone or a mail; the link itself keeps the whole address."""
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.") or (url or "")


_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")


def short_links(text: str | None) -> Markup:
    """Plain text as HTML with each URL in it a link labelled by its host (a mail at 375 px stays that wide)."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text or ""):
        url = match.group(0)
        out.append(str(escape((text or "")[last : match.start()])))
        out.append(str(Markup('<a href="{}">{}</a>').format(url, link_label(url))))
        last = match.end()
    out.append(str(escape((text or "")[last:])))
    return Markup("".join(out))  # noqa: S704  (every piece above is escaped or built by Markup.format)
