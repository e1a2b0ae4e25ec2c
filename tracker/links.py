"""Absolute URLs on the canonical base (``TRACKER_BASE_URL``): for feeds, calendars, API bodies and mail."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for


def absolute(path: str) -> str:
    """An absolute URL on the canonical base, whatever Host the request came with (the request's own without one)."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}{path}" if base else request.host_url.rstrip("/") + path


def absolute_for(endpoint: str, **values: Any) -> str:
    """``url_for`` made absolute on the canonical base."""
    return absolute(url_for(endpoint, **values))
