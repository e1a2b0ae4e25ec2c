"""``municipality.data_version``: raised whenever a session writes one of M's IdPs (or their planned changes) or
portfolio entries, or M's own fields (name, region, next region and its day and source, CVR).

What readiness shows depends on M's IdPs and portfolio besides the registry, and their edits append a change
event only when a verdict changes; the per-worker caches (``http_cache.municipality_state``) key on this
version instead. M's own fields append no event at all, yet its page and report show them: an edit of one
(``tracker seed`` with a newer shipped list, an admin's CVR correction, a script) raises the version too. It
is raised in the flush that writes the row — whoever writes it (services, imports, a script through the ORM)
— as an SQL increment in the same transaction, so two concurrent edits never leave the same value. (Core
``UPDATE``s of those tables bypass it: write them through the ORM.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tracker.models import Idp, IdpChange, Municipality, PortfolioEntry


def _raise_versions(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Before a flush: one increment for each municipality whose IdPs, portfolio or own fields this flush writes."""
    ids: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Idp | IdpChange | PortfolioEntry) and obj.municipality_id is not None:
            ids.add(obj.municipality_id)
    for obj in session.dirty:
        if isinstance(obj, Municipality) and session.is_modified(obj, include_collections=False):
            ids.add(obj.id)  # its own fields (the increment below is Core: it never marks M modified)
        elif (
            isinstance(obj, Idp | IdpChange | PortfolioEntry)
            and obj.municipality_id is not None
            and session.is_modified(obj)
        ):
            ids.add(obj.municipality_id)
    if ids:
        # On the connection: the session's own execute would try to flush again.
        session.connection().execute(
            update(Municipality)
            .where(Municipality.id.in_(sorted(ids)))
            .values(data_version=Municipality.data_version + 1)
            .execution_options(synchronize_session=False)
        )


def init_app() -> None:
    """Listen on every session (once, however many apps are built)."""
    if not event.contains(Session, "before_flush", _raise_versions):
        event.listen(Session, "before_flush", _raise_versions)
