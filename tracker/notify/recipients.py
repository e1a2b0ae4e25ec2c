"""Who gets a mail about an event: a small table from event type to a rule, and the immediate outbox rows.

A rule answers for one user (with the scope they chose) whether an event concerns them. Other features' event
types plug in by answering ``signals.mail_recipients`` (e.g. ``inquiry.created`` → the vendors of the solution).
Events without a rule mail nobody. Nobody is mailed about their own change. A broker's transition reaches the
users of every solution behind it too (the broker graph, ``registry.brokers``, as readiness reads it). A user
who narrowed their transition mail (kinds, categories, major only) gets only the transition events that match;
no other event is narrowed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session, joinedload

from tracker import signals
from tracker.auth.permissions import may
from tracker.auth.policies import MailTopic
from tracker.models import ChangeEvent, MailMessage, MailPreference, PortfolioEntry, Solution, User
from tracker.notify.preferences import transition_filter
from tracker.outbox import wake
from tracker.outbox.queues import MAIL
from tracker.registry.brokers import broker_edges, dependants
from tracker.registry.transition_filter import EVERYTHING, TransitionFilter


@dataclass
class Context:
    """Facts the rules need, looked up once per batch of events: portfolios and the solutions' organisations."""

    session: Session
    _portfolios: dict[int, set[int]] = field(default_factory=dict)
    _organisations: dict[int, set[int]] = field(default_factory=dict)
    _edges: dict[int, list[int]] | None = None

    def load(self, solution_ids: Iterable[int | None]) -> None:
        """Look up the municipalities using, and the organisations behind, these solutions."""
        wanted = {s for s in solution_ids if s is not None} - set(self._portfolios)
        if not wanted:
            return
        for sid in wanted:
            self._portfolios[sid] = set()
            self._organisations[sid] = set()
        rows = self.session.execute(
            select(PortfolioEntry.solution_id, PortfolioEntry.municipality_id).where(
                PortfolioEntry.solution_id.in_(wanted)
            )
        )
        for sid, mid in rows:
            self._portfolios[sid].add(mid)
        for sid, vendor, provider in self.session.execute(
            select(Solution.id, Solution.vendor_id, Solution.service_provider_id).where(Solution.id.in_(wanted))
        ):
            self._organisations[sid] = {o for o in (vendor, provider) if o is not None}

    def users_of(self, solution_id: int | None) -> set[int]:
        """The municipalities with the solution in their portfolio."""
        self.load([solution_id])
        return self._portfolios.get(solution_id, set()) if solution_id is not None else set()

    def users_behind(self, solution_id: int | None) -> set[int]:
        """The municipalities using the solution, or a solution staff reach through it as a broker (the broker
        graph readiness reads, ``registry.brokers``; loaded once per batch)."""
        if solution_id is None:
            return set()
        if self._edges is None:
            self._edges = broker_edges(self.session)
        reached = [solution_id, *sorted(dependants(self._edges, solution_id))]
        self.load(reached)
        return set().union(*(self._portfolios.get(s, set()) for s in reached))

    def organisations_of(self, solution_id: int | None) -> set[int]:
        """The vendor and service provider of the solution."""
        self.load([solution_id])
        return self._organisations.get(solution_id, set()) if solution_id is not None else set()


Rule = Callable[[User, str, ChangeEvent, Context], bool]


def solution_rule(user: User, scope: str, event: ChangeEvent, ctx: Context) -> bool:
    """A registry change: everyone with scope 'all'; with 'portfolio' the municipalities using the solution,
    the solution's own vendor/provider, and coordinators (whose portfolio is the registry)."""
    topic = MailTopic(
        scope, users=ctx.users_of(event.solution_id), organisations=ctx.organisations_of(event.solution_id)
    )
    return may(user, "mail.solution_change", topic)


def transition_rule(user: User, scope: str, event: ChangeEvent, ctx: Context) -> bool:
    """A solution's transition: as a registry change (``solution_rule``), and with 'portfolio' also the
    municipalities using a solution reached through it (a transition of NemLog-in or Context Handler concerns
    every solution behind it, as its readiness does)."""
    topic = MailTopic(
        scope, users=ctx.users_behind(event.solution_id), organisations=ctx.organisations_of(event.solution_id)
    )
    return may(user, "mail.solution_change", topic)


def readiness_rule(user: User, scope: str, event: ChangeEvent, ctx: Context) -> bool:
    """A municipality's readiness: its own users, and coordinators who chose 'all' (as in the event log)."""
    return may(user, "mail.readiness_change", MailTopic(scope, municipality_id=event.municipality_id))  # N6


RULES: dict[str, Rule] = {
    "solution.created": solution_rule,
    "solution.updated": solution_rule,
    "solution.switch_date.changed": solution_rule,
    "solution.required_loa.changed": solution_rule,
    "municipality.readiness.changed": readiness_rule,
    # A solution's transitions reach whom a change of its facts reaches, and the users of the solutions behind it
    # when it is a broker (narrowed by each reader's filter).
    "transition.created": transition_rule,
    "transition.updated": transition_rule,
    "transition.date_changed": transition_rule,
    "transition.cancelled": transition_rule,
}


def rules() -> dict[str, Rule]:
    """Every mailed event type and its rule: the registry's above, and other features' (e.g. inquiries), which
    answer ``signals.mail_recipients``."""
    table = dict(RULES)
    for _receiver, extra in signals.mail_recipients.send():
        table.update(extra)
    return table


def concerns(
    user: User, scope: str, event: ChangeEvent, ctx: Context, transitions: TransitionFilter = EVERYTHING
) -> bool:
    """Whether an event should reach this user (``transitions``: the user's narrowing of transition mail)."""
    rule = rules().get(event.type)
    if rule is None or not user.is_active or event.actor_id == user.id:
        return False
    return transitions.lets_through(event) and rule(user, scope, event, ctx)


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: the sender's domain."""
    sender = str(current_app.config.get("MAIL_FROM") or "") if has_app_context() else ""
    domain = sender.rpartition("@")[2].strip(" >")
    return domain or "tu-tracker.local"


def message_id_for(user_id: int, key: str) -> str:
    """The stable Message-ID of a user's mail: the same on every retry and every run."""
    return f"<tracker.{key.replace(':', '.')}.u{user_id}@{mail_domain()}>"


def coalesce_window() -> timedelta:
    """How long an immediate mail waits for more changes to the same person (``MAIL_COALESCE_SECONDS``)."""
    seconds = float(current_app.config.get("MAIL_COALESCE_SECONDS") or 0) if has_app_context() else 0.0
    return timedelta(seconds=seconds)


def _append_events(session: Session, mail_ids: list[int], event_ids: Sequence[int]) -> set[int]:
    """Add ``event_ids`` to open immediate mails (not claimed, never tried); returns the users whose mail took them.

    One statement whatever the number of rows; a row the worker claimed meanwhile is left alone (PostgreSQL
    re-checks the condition after waiting for the row's lock; SQLite's writer lock serialises the two).
    """
    if not mail_ids or not event_ids:
        return set()
    params: dict[str, Any] = {"ids": mail_ids}
    if session.get_bind().dialect.name == "postgresql":
        appended = "(event_ids::jsonb || CAST(:more AS jsonb))::json"
        params["more"] = json.dumps(list(event_ids))
    else:
        appended = "event_ids"
        for n, event_id in enumerate(event_ids):
            appended = f"json_insert({appended}, '$[#]', :e{n})"
            params[f"e{n}"] = event_id
    rows = session.execute(
        text(
            f"UPDATE mail_message SET event_ids = {appended} "  # noqa: S608 - fixed expressions, no input
            "WHERE id IN :ids AND claimed_by IS NULL AND state = 'pending' AND attempts = 0 RETURNING user_id"
        ).bindparams(bindparam("ids", expanding=True)),
        params,
    )
    return {user_id for (user_id,) in rows}


def enqueue(event: ChangeEvent, *, session: Session, **_: Any) -> int:
    """Queue the event for each user who asked for immediate mail and whom the event concerns; returns how many.

    The receiver of ``signals.change_event_appended``, in the transaction that appended the event.

    A user who already has an immediate mail waiting (not yet tried) gets the event added to it, so changes
    made within ``MAIL_COALESCE_SECONDS`` of each other reach a person as one mail listing them all. Set-based:
    one query for the recipients, one update for the waiting mails, one insert for the rest.
    """
    return enqueue_events((event,), session=session)


def enqueue_events(events: Sequence[ChangeEvent], *, session: Session, **_: Any) -> int:
    """``enqueue`` for events appended together (``signals.change_events_appended``): each recipient's events of
    the batch join their waiting mail, or make one new mail listing them all. One query for the recipients, one
    for the waiting mails, one update per distinct list of events joined, one insert."""
    table = rules()
    mailed = [e for e in events if e.type in table]
    if not mailed:
        return 0
    rows = session.execute(
        select(
            User,
            MailPreference.scope,
            MailPreference.transition_kinds,
            MailPreference.transition_categories,
            MailPreference.transition_major_only,
        )
        .join(MailPreference, MailPreference.user_id == User.id)
        .where(MailPreference.mode == "immediate", User.is_active.is_(True))
        .options(joinedload(User.municipality))
    ).all()
    if not rows:
        return 0
    ctx = Context(session)
    ctx.load(e.solution_id for e in mailed)
    filters = [
        (user, scope, transition_filter(kinds, categories, major_only))
        for user, scope, kinds, categories, major_only in rows
    ]
    per_user: dict[int, list[ChangeEvent]] = {}
    for event in mailed:
        for user, scope, narrowed in filters:
            if concerns(user, scope, event, ctx, narrowed):
                per_user.setdefault(user.id, []).append(event)
    if not per_user:
        return 0
    waiting = session.execute(
        select(MailMessage.id, MailMessage.user_id).where(
            MailMessage.kind == "immediate",
            MailMessage.state == "pending",
            MailMessage.attempts == 0,
            MailMessage.claimed_by.is_(None),
        )
    ).all()
    by_events: dict[tuple[int, ...], list[int]] = {}
    for mail_id, user_id in waiting:
        if user_id in per_user:
            by_events.setdefault(tuple(e.id for e in per_user[user_id]), []).append(mail_id)
    joined: set[int] = set()
    for event_ids, mail_ids in by_events.items():
        joined |= _append_events(session, mail_ids, event_ids)
    fresh = []
    for user_id, found in per_user.items():
        if user_id in joined:
            continue
        first = found[0]
        key = f"immediate:{first.id}"
        fresh.append(
            {
                "user_id": user_id,
                "key": key,
                "kind": "immediate",
                "message_id": message_id_for(user_id, key),
                "event_ids": [e.id for e in found],
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": first.occurred_at + coalesce_window(),
                "created_at": first.occurred_at,
            }
        )
    if fresh:
        session.execute(insert(MailMessage), fresh)
    wake.announce(session, MAIL.name)
    return sum(len(found) for found in per_user.values())
