"""The response-cache key of a municipality's private pages (M's page, its actions list): one spelling of it.

Such a page shows the person (address, menu, the session's CSRF token), M's data and today's verdicts, so its key
holds the user, the session's CSRF token, the language, host, URL and day beside M's fingerprint; the registry
stamp is the cache's own (``serve_cached``). A page that reads more than M's own state adds that to the key.
"""

from __future__ import annotations

from collections.abc import Hashable

from flask import session as web_session
from flask_wtf.csrf import generate_csrf

from tracker.http_cache import MunicipalityState, private_key
from tracker.models import User


def private_page_key(name: str, state: MunicipalityState, user: User, *more: Hashable) -> tuple[Hashable, ...]:
    """The key of page ``name`` of M (``state``) for ``user`` in this request, then ``more`` (what else it reads).

    A session without a CSRF token gets one first, so the key holds the token every form on the page is signed
    from."""
    generate_csrf()
    return private_key(
        name,
        state,
        user.id,
        user.email,
        user.role,
        user.municipality_id,
        web_session.get("csrf_token"),  # the session's raw token, which every form on the page is signed from
        *more,
    )
