"""Who gets a mail about an event: a small table from event type to a rule, and the immediate outbox rows.

A rule answers for one user (with the scope they chose) whether an event concerns them. New event types plug
in with ``register`` (e.g. ``inquiry.created`` → the vendors of the solution). Events without a rule mail
nobody. Nobody is mailed about their own change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.models import ChangeEvent, MailMessage, MailPreference, PortfolioEntry, Solution, User
from tracker.models.vocab import Role

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


@dataclass
class Context:
    """Facts the rules need, looked up once per batch of events: portfolios and the solutions' organisations."""

    session: Session
    _portfolios: dict[int, set[int]] = field(default_factory=dict)
    _organisations: dict[int, set[int]] = field(default_factory=dict)

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

    def organisations_of(self, solution_id: int | None) -> set[int]:
        """The vendor and service provider of the solution."""
        self.load([solution_id])
        return self._organisations.get(solution_id, set()) if solution_id is not None else set()


Rule = Callable[[User, str, ChangeEvent, Context], bool]


def solution_rule(user: User, scope: str, event: ChangeEvent, ctx: Context) -> bool:
    """A registry change: everyone with scope 'all'; with 'portfolio' the municipalities using the solution,
    the solution's own vendor/provider, and coordinators (whose portfolio is the registry)."""
    if scope == "all" or user.role in COORDINATORS:
        return True
    if user.role == Role.MUNICIPALITY:
        return user.municipality_id in ctx.users_of(event.solution_id)
    if user.role == Role.VENDOR:
        return user.organisation_id in ctx.organisations_of(event.solution_id)
    return False


def readiness_rule(user: User, scope: str, event: ChangeEvent, ctx: Context) -> bool:
    """A municipality's readiness: its own users, and coordinators who chose 'all' (as in the event log)."""
    if user.role == Role.MUNICIPALITY:
        return user.municipality_id == event.municipality_id
    return user.role in COORDINATORS and scope == "all"


RULES: dict[str, Rule] = {
    "solution.created": solution_rule,
    "solution.updated": solution_rule,
    "solution.switch_date.changed": solution_rule,
    "solution.required_loa.changed": solution_rule,
    "municipality.readiness.changed": readiness_rule,
}


def register(event_type: str, rule: Rule) -> None:
    """Let another feature's events reach people (e.g. inquiries)."""
    RULES[event_type] = rule


def concerns(user: User, scope: str, event: ChangeEvent, ctx: Context) -> bool:
    """Whether an event should reach this user."""
    rule = RULES.get(event.type)
    if rule is None or not user.is_active or event.actor_id == user.id:
        return False
    return rule(user, scope, event, ctx)


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: the sender's domain."""
    sender = str(current_app.config.get("MAIL_FROM") or "") if has_app_context() else ""
    domain = sender.rpartition("@")[2].strip(" >")
    return domain or "tu-tracker.local"


def message_id_for(user_id: int, key: str) -> str:
    """The stable Message-ID of a user's mail: the same on every retry and every run."""
    return f"<tracker.{key.replace(':', '.')}.u{user_id}@{mail_domain()}>"


def enqueue(session: Session, event: ChangeEvent) -> int:
    """Write an immediate mail row per user who asked for immediate mail and whom the event concerns."""
    if event.type not in RULES:
        return 0
    rows = session.execute(
        select(User, MailPreference.scope)
        .join(MailPreference, MailPreference.user_id == User.id)
        .where(MailPreference.mode == "immediate", User.is_active.is_(True))
        .options(joinedload(User.municipality))
    ).all()
    if not rows:
        return 0
    ctx = Context(session)
    key = f"event:{event.id}"
    count = 0
    for user, scope in rows:
        if not concerns(user, scope, event, ctx):
            continue
        session.add(
            MailMessage(
                user_id=user.id,
                key=key,
                kind="immediate",
                message_id=message_id_for(user.id, key),
                event_ids=[event.id],
                next_attempt_at=event.occurred_at,
            )
        )
        count += 1
    return count
