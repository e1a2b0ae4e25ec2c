"""Cached answers of a municipality's actions through the API (the list's pages, CSV, XLSX), per worker.

What they show depends on the registry (an action's change appends a change event: the stamp), on M's IdPs,
portfolio and own fields (``data_version``: M's fingerprint, read with the stamp in one query), on M's actions,
the caller's reads and M's users (``actions.queries.list_fingerprint``, one statement), on today's date in
Denmark (overdue, the progress summary), on the language (status words, what to do), on the host and URL
(the ``Link`` of the next page) and on the caller (``owner=me``, unread). The key holds all of them, the
caller's id included, so one user's answer is never served to another, let alone to another municipality.
The caller checks that the user may see M's actions *before* calling here: the cache does not know users.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response
from sqlalchemy.orm import Session

from tracker.actions import queries
from tracker.http_cache import CachedResponse, MunicipalityState, Stamp, private_key, serve_cached, weak_etag
from tracker.models import User

# What a render gives: the body, its media type and the headers that belong to it (a page's ``Link``).
Rendered = tuple[bytes, str, dict[str, str]]


def serve(
    session: Session,
    state: MunicipalityState,
    user: User,
    kind: str,
    render: Callable[[], Rendered],
    *,
    policy: str,
) -> Response:
    """M's actions in one shape (``kind``: 'json', 'csv', 'xlsx') for ``user``, from the cache or rendered."""
    key = private_key("api.actions", state, user.id, kind, queries.list_fingerprint(session, state.id, user))

    def make(stamp: Stamp) -> CachedResponse:
        body, mimetype, headers = render()
        return CachedResponse(body, mimetype, weak_etag("t", (key, stamp)), headers=tuple(headers.items()))

    return serve_cached(session, key, make, policy=policy, stamp=state.stamp)
