"""Daily and weekly digests: periods end at 07:00 Danish time (weekly: Monday 07:00).

A digest holds every change that concerns the user since their last digest of that kind (events after its
newest event id, at most ``MAX_CATCH_UP`` back; the first digest: the period), up to the period's end. One
row per (user, period): the unique key ``daily:<date>``/``weekly:<date>`` makes a second run, or a parallel
one, add nothing. Empty digests are not sent. ``now`` is passed in, so tests freeze the clock without patching.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from tracker.clock import DANISH_TIME
from tracker.models import ChangeEvent, MailMessage, MailPreference, User
from tracker.notify.preferences import transition_filter
from tracker.notify.recipients import Context, concerns, message_id_for, rules
from tracker.registry.transition_filter import TransitionFilter

DIGEST_HOUR = 7
PERIODS = {"daily": 1, "weekly": 7}
MAX_CATCH_UP = timedelta(days=31)


def period_bounds(kind: str, now: datetime, hour: int = DIGEST_HOUR) -> tuple[datetime, datetime]:
    """The last finished period before ``now`` as UTC instants: [start, end), both at ``hour`` Danish time."""
    local = now.astimezone(DANISH_TIME)
    end_day = local.date()
    if local.time() < time(hour):
        end_day -= timedelta(days=1)
    if kind == "weekly":
        end_day -= timedelta(days=end_day.weekday())  # back to Monday
    start_day = end_day - timedelta(days=PERIODS[kind])
    end = datetime.combine(end_day, time(hour), DANISH_TIME).astimezone(UTC)
    start = datetime.combine(start_day, time(hour), DANISH_TIME).astimezone(UTC)
    return start, end


def period_key(kind: str, end: datetime) -> str:
    """``daily:2026-12-02``: the Danish date the period ends on."""
    return f"{kind}:{end.astimezone(DANISH_TIME).date().isoformat()}"


def _subscribers(session: Session, kind: str) -> list[tuple[User, str, TransitionFilter]]:
    """Active users whose mode is ``kind``, with their scope and their narrowing of transition mail; users without a
    stored preference have the default (daily, portfolio, every transition)."""
    mode_matches = MailPreference.mode == kind
    if kind == "daily":
        mode_matches = or_(mode_matches, MailPreference.user_id.is_(None))
    rows = session.execute(
        select(
            User,
            func.coalesce(MailPreference.scope, "portfolio"),
            MailPreference.transition_kinds,
            MailPreference.transition_categories,
            MailPreference.transition_major_only,
        )
        .outerjoin(MailPreference, MailPreference.user_id == User.id)
        .where(User.is_active.is_(True), mode_matches)
        .options(joinedload(User.municipality))
        .order_by(User.id)
    ).all()
    return [
        (user, scope, transition_filter(kinds, categories, major)) for user, scope, kinds, categories, major in rows
    ]


def _cursors(session: Session, kind: str) -> dict[int, int]:
    """Per user, the newest event id in their digests of this kind: the next digest starts after it."""
    cursors: dict[int, int] = {}
    for uid, ids in session.execute(select(MailMessage.user_id, MailMessage.event_ids).where(MailMessage.kind == kind)):
        if ids:
            cursors[uid] = max(cursors.get(uid, 0), max(ids))
    return cursors


def _insert(session: Session, values: dict[str, object]) -> bool:
    """Insert a digest row unless its (user, key) exists; True when this call wrote it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MailMessage).values(**values).on_conflict_do_nothing(index_elements=["user_id", "key"])
    result = session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


def queue_digests(session: Session, now: datetime) -> int:
    """Write the digests of every finished period not yet written; returns how many were written."""
    written = 0
    for kind in PERIODS:
        start, end = period_bounds(kind, now)
        key = period_key(kind, end)
        users = _subscribers(session, kind)
        if not users:
            continue
        existing = set(
            session.scalars(select(MailMessage.user_id).where(MailMessage.key == key, MailMessage.kind == kind))
        )
        cursors = _cursors(session, kind)
        todo = [(u, s, f) for u, s, f in users if u.id not in existing]
        if not todo:
            continue
        # Since the last digest (by event id, so a change committed late is never skipped), else the period.
        earliest = end - MAX_CATCH_UP if any(u.id in cursors for u, _, _ in todo) else start
        events = list(
            session.scalars(
                select(ChangeEvent)
                .where(
                    ChangeEvent.occurred_at >= earliest,
                    ChangeEvent.occurred_at < end,
                    ChangeEvent.type.in_(list(rules())),
                )
                .order_by(ChangeEvent.id)
            )
        )
        ctx = Context(session)
        ctx.load(e.solution_id for e in events)
        for user, scope, narrowing in todo:
            cursor = cursors.get(user.id)
            ids = [
                e.id
                for e in events
                if (e.id > cursor if cursor is not None else e.occurred_at >= start)
                and concerns(user, scope, e, ctx, narrowing)
            ]
            if not ids:
                continue
            written += _insert(
                session,
                {
                    "user_id": user.id,
                    "key": key,
                    "kind": kind,
                    "message_id": message_id_for(user.id, key),
                    "event_ids": ids,
                    "period_start": start,
                    "period_end": end,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                },
            )
    session.flush()
    return written
