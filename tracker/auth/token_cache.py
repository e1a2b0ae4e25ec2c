"""A per-worker memory of recently checked tokens (API bearer tokens and feed tokens), for a few seconds.

Polling clients send the same token many times a second; looking it up (and loading its user) was the
largest part of a cached readiness or private-calendar answer. A token checked in the last
``AUTH_CACHE_SECONDS`` is believed without asking the database again, so a revocation or a deactivation
takes effect within that window on every worker (and at once on the worker that made it, which forgets
everything it remembers). Only *valid* tokens are remembered: an unknown or revoked token is asked every time.

What is remembered for an API token is a detached copy of its user's columns; each request attaches it to
its own session with ``merge(load=False)`` (no SQL), so views get an ordinary ``User``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from tracker.models import User

Clock = Callable[[], float]
MAX_ENTRIES = 10_000  # tokens in use at once; beyond this the least recently used are forgotten
_EXTENSION = "tracker.token_cache"


class TokenCache:
    """Remembers ``key → value`` for ``seconds`` after it was put (by ``clock``, monotonic by default)."""

    def __init__(self, seconds: float, *, clock: Clock = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        """A cache whose entries hold ``seconds``; 0 or less disables it (every token is looked up)."""
        self.seconds = seconds
        self.clock = clock
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers serve on several threads

    def get(self, key: Hashable) -> Any | None:
        """The value put under ``key`` less than ``seconds`` ago, else None."""
        if self.seconds <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.clock() >= entry[0]:
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        """Remember ``value`` under ``key`` for the window."""
        if self.seconds <= 0:
            return
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (self.clock() + self.seconds, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every token (after a revocation or deactivation made in this worker)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        """How many tokens are remembered (expired ones included until asked for)."""
        return len(self._entries)


_DISABLED = TokenCache(0)


def token_cache(app: Flask | None = None) -> TokenCache:
    """The cache of the given (or current) app, made on first use with ``AUTH_CACHE_SECONDS``.

    Outside an app (services called from scripts and unit tests) nothing is remembered.
    """
    if app is None:
        if not has_app_context():
            return _DISABLED
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the LocalProxy stub does not declare its unwrapping method
    cache: TokenCache | None = app.extensions.get(_EXTENSION)
    if cache is None:
        seconds = float(app.config.get("AUTH_CACHE_SECONDS", 0) or 0)
        cache = app.extensions.setdefault(_EXTENSION, TokenCache(seconds))
    return cache


def forget_all() -> None:
    """Forget every remembered token of the current app: call after revoking or deactivating anything."""
    token_cache().clear()


_USER_COLUMNS = [attr.key for attr in inspect(User).column_attrs]


def user_snapshot(user: User) -> User:
    """A detached copy of the user's columns, safe to keep beyond this request and attach to another session."""
    copy = User(**{key: getattr(user, key) for key in _USER_COLUMNS})
    make_transient_to_detached(copy)
    return copy


def attach(session: Session, snapshot: User) -> User:
    """The remembered user as a row of ``session``, without a query (the snapshot itself stays untouched)."""
    return session.merge(snapshot, load=False)
