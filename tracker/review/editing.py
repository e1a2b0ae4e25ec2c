"""Coordinators' direct edits: create a solution, or change one under a version check (no lost updates).

The version check happens with the solution row locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
serialises writers), so two editors who both read version 3 cannot both write: the second gets a 412/409.
Any pending proposal made against the older version becomes stale.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.auth.permissions import require
from tracker.errors import NotFound, PreconditionFailed
from tracker.models import ChangeEvent, Solution, User
from tracker.registry.actors import Actor
from tracker.registry.services import create_solution, update_solution, validate_changes
from tracker.review.services import mark_stale


def lock_solution(session: Session, slug: str) -> Solution:
    """The solution by slug with its row locked for this transaction, or a 404."""
    solution = session.scalar(
        select(Solution)
        .where(Solution.slug == slug)
        .options(joinedload(Solution.vendor), joinedload(Solution.service_provider))
        .with_for_update(of=Solution)
        .execution_options(populate_existing=True)
    )
    if solution is None:
        raise NotFound("registry.solution_not_found", slug=slug[:80])
    return solution


def edit_solution(
    session: Session,
    *,
    editor: User,
    slug: str,
    changes: dict[str, Any],
    reason: str | None,
    accepted_versions: Collection[int] | None,
) -> tuple[Solution, list[ChangeEvent]]:
    """Apply a coordinator's changes if the solution is still at one of ``accepted_versions`` (None: any)."""
    require(editor, "solution.edit")
    solution = lock_solution(session, slug)
    if accepted_versions is not None and solution.version not in accepted_versions:
        raise PreconditionFailed(
            "registry.solution_changed_meanwhile",
            {"current_version": solution.version},
        )
    validate_changes(solution, changes)
    events = update_solution(
        session, solution, changes, actor=Actor.of(editor), reason=reason, expected_version=solution.version
    )
    if events:
        mark_stale(session, solution)
        # A changed vendor_id/service_provider_id leaves the loaded relationship behind; reload on next use.
        session.expire(solution, ["vendor", "service_provider"])
    return solution, events


def new_solution(
    session: Session, *, editor: User, slug: str | None, name: str, fields: dict[str, Any], reason: str | None
) -> Solution:
    """Create a solution as a coordinator; ``solution.created`` records every given field."""
    require(editor, "solution.create")
    validate_changes(None, {"name": name, **fields})
    return create_solution(session, actor=Actor.of(editor), slug=slug, name=name, fields=fields, reason=reason)
