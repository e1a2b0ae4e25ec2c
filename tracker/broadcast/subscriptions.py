"""Webhook subscriptions: create, change, delete, rotate the secret, test ping, delivery log, redelivery.

Every operation is scoped to the subscription's owner: another user's subscription does not exist for you (404,
so ids cannot be probed). Municipality users and coordinators/admins may own subscriptions; vendors may not.
Services take the session and only flush; the request or job commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.auth import audit
from tracker.auth.display import public_actor
from tracker.auth.permissions import require
from tracker.broadcast import outbox
from tracker.broadcast.signing import generate_secret
from tracker.broadcast.ssrf import TargetPolicy, TargetRefused, check_url
from tracker.clock import utcnow
from tracker.errors import Conflict, NotFound, ValidationError
from tracker.models import Delivery, DeliveryAttempt, Municipality, Solution, Subscription, User
from tracker.models.vocab import TransitionCategory, TransitionKind
from tracker.registry.events import EVENT_TYPES

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_SUBSCRIPTIONS_PER_OWNER = 50
MAX_SOLUTION_FILTERS = 200
SECRET_OVERLAP = timedelta(hours=24)


def require_manager(user: User | None) -> User:
    """The user if they may own webhook subscriptions (municipality users, coordinators, admins)."""
    return require(user, "subscription.manage")


def _audit(session: Session, actor: User, action: str, sub: Subscription, **details: Any) -> None:
    audit.record(session, action, actor=actor, object_type="subscription", object_id=sub.id, details=details)


def _description(value: str | None) -> str | None:
    """Free text up to 200 characters, without control characters (PostgreSQL refuses NUL)."""
    text = (value or "").strip()
    if any(ord(ch) < 32 and ch not in "\t" for ch in text):
        raise ValidationError("broadcast.description_has_control_chars", {"description": "Fjern kontroltegn."})
    if len(text) > 200:
        raise ValidationError("broadcast.description_too_long", {"description": "Højst 200 tegn."})
    return text or None


def _check_url(url: str, policy: TargetPolicy) -> str:
    try:
        return check_url(url, policy)
    except TargetRefused as exc:
        raise ValidationError("broadcast.webhook_url_refused", {"url": exc.message}, problem=exc.message) from exc


def transition_filter(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A subscription's transition filter, checked and normalised (None or empty: no narrowing)."""
    if not value:
        return None
    kinds, categories = list(value.get("kinds") or []), list(value.get("categories") or [])
    problems = {}
    if any(k not in tuple(TransitionKind) for k in kinds):
        problems["transitions.kinds"] = "Mulige: " + ", ".join(TransitionKind) + "."
    if any(c not in tuple(TransitionCategory) for c in categories):
        problems["transitions.categories"] = "Mulige: " + ", ".join(TransitionCategory) + "."
    major = value.get("major")
    if major is not None and not isinstance(major, bool):
        problems["transitions.major"] = "Skal være true, false eller null."
    if problems:
        raise ValidationError("registry.fields_invalid", problems)
    if not kinds and not categories and major is None:
        return None
    return {"kinds": sorted(set(kinds)), "categories": sorted(set(categories)), "major": major}


def _event_types(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    unknown = [v for v in values if v not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            "broadcast.event_type_unknown",
            {"event_types": f"Ukendt: {', '.join(unknown)}. Mulige: {', '.join(EVENT_TYPES)}."},
        )
    for value in values:
        if value not in result:
            result.append(value)
    return result


def _solution_ids(session: Session, slugs: Sequence[str]) -> list[int]:
    wanted = list(dict.fromkeys(slugs))
    malformed = [s for s in wanted if not isinstance(s, str) or not SLUG_RE.match(s)]
    if malformed:
        raise ValidationError(
            "broadcast.filter_solution_unknown", {"solutions": "Angiv løsningernes slug (a-z, 0-9, -)."}
        )
    if len(wanted) > MAX_SOLUTION_FILTERS:
        raise ValidationError("broadcast.filter_too_many_solutions", {"solutions": f"Højst {MAX_SOLUTION_FILTERS}."})
    if not wanted:
        return []
    rows = session.execute(select(Solution.slug, Solution.id).where(Solution.slug.in_(wanted))).all()
    found: dict[str, int] = dict(rows)  # rows are (slug, id) pairs
    missing = [s for s in wanted if s not in found]
    if missing:
        raise ValidationError("broadcast.filter_solution_unknown", {"solutions": f"Findes ikke: {', '.join(missing)}."})
    return [found[s] for s in wanted]


def normalised_code(code: str) -> str:
    """The 3-digit official code of ``code`` ('0101' style accepted); '' when it cannot be one."""
    code = code.strip()
    normalised = code[1:] if len(code) == 4 and code.startswith("0") else code
    return normalised if len(normalised) == 3 and normalised.isascii() and normalised.isdigit() else ""


def municipality_by_code(session: Session, code: str) -> Municipality | None:
    """A municipality by its 3-digit code ('0101' style accepted)."""
    normalised = normalised_code(code)
    if not normalised:
        return None
    return session.scalar(select(Municipality).where(Municipality.code == normalised))


def _municipality_id(session: Session, owner: User, code: str | None) -> int | None:
    """The portfolio filter: municipality users may filter on their own municipality only."""
    if code is None or code == "":
        return None
    municipality = municipality_by_code(session, code)
    if municipality is None:
        raise ValidationError(
            "broadcast.municipality_unknown", {"municipality": f"Der findes ingen kommune med kode '{code}'."}
        )
    require(owner, "subscription.filter_municipality", municipality.id)
    return municipality.id


def create_subscription(
    session: Session,
    owner: User,
    *,
    url: str,
    policy: TargetPolicy,
    description: str | None = None,
    event_types: Sequence[str] = (),
    solutions: Sequence[str] = (),
    municipality: str | None = None,
    transitions: dict[str, Any] | None = None,
) -> tuple[Subscription, str]:
    """Register an endpoint after the same SSRF check the sender makes; returns it and its secret (shown once)."""
    require_manager(owner)
    count = session.scalar(select(func.count()).select_from(Subscription).where(Subscription.owner_id == owner.id))
    if (count or 0) >= MAX_SUBSCRIPTIONS_PER_OWNER:
        raise Conflict("broadcast.subscription_limit_reached", max_subscriptions_per_owner=MAX_SUBSCRIPTIONS_PER_OWNER)
    sub = Subscription(
        owner_id=owner.id,
        url=_check_url(url, policy),
        description=_description(description),
        secret=generate_secret(),
        event_types=_event_types(event_types),
        solution_ids=_solution_ids(session, solutions),
        municipality_id=_municipality_id(session, owner, municipality),
        transition_filter=transition_filter(transitions),
        active=True,
    )
    session.add(sub)
    session.flush()
    _audit(session, owner, "subscription.created", sub, url=sub.url)
    return sub, sub.secret


def update_subscription(
    session: Session, sub: Subscription, owner: User, changes: dict[str, Any], *, policy: TargetPolicy
) -> Subscription:
    """Change URL, description, filters, or switch it off/on; switching on clears the disable notice."""
    if "url" in changes:
        sub.url = _check_url(changes["url"], policy)
    if "description" in changes:
        sub.description = _description(changes["description"])
    if "event_types" in changes:
        sub.event_types = _event_types(changes["event_types"] or [])
    if "solutions" in changes:
        sub.solution_ids = _solution_ids(session, changes["solutions"] or [])
    if "municipality" in changes:
        sub.municipality_id = _municipality_id(session, owner, changes["municipality"])
    if "transitions" in changes:
        sub.transition_filter = transition_filter(changes["transitions"])
    if "active" in changes and changes["active"] is not None and bool(changes["active"]) != sub.active:
        sub.active = bool(changes["active"])
        sub.failing_since = None
        sub.disabled_reason = None if sub.active else f"Slået fra af {public_actor(owner)}."
    session.flush()
    _audit(session, owner, "subscription.updated", sub, fields=sorted(changes))
    return sub


def delete_subscription(session: Session, sub: Subscription, owner: User) -> None:
    """Delete the endpoint with its delivery log; nothing more is sent to it."""
    _audit(session, owner, "subscription.deleted", sub, url=sub.url)
    session.delete(sub)
    session.flush()


def rotate_secret(session: Session, sub: Subscription, owner: User, *, now: datetime | None = None) -> str:
    """A new secret; the old one keeps signing beside it for 24 hours so receivers can switch without loss."""
    now = now or utcnow()
    sub.previous_secret = sub.secret
    sub.previous_secret_expires_at = now + SECRET_OVERLAP
    sub.secret = generate_secret()
    session.flush()
    _audit(session, owner, "subscription.secret_rotated", sub)
    return sub.secret


def list_owned(session: Session, owner: User | None) -> list[Subscription]:
    """The caller's own subscriptions, newest first."""
    owner = require_manager(owner)
    return list(
        session.scalars(select(Subscription).where(Subscription.owner_id == owner.id).order_by(Subscription.id.desc()))
    )


def get_owned(session: Session, owner: User | None, subscription_id: int) -> Subscription:
    """One of the caller's subscriptions; anyone else's is reported as not found."""
    user = require_manager(owner)
    sub = session.get(Subscription, subscription_id) if 0 < subscription_id < 2**31 else None
    if sub is None or sub.owner_id != user.id:
        raise NotFound("broadcast.subscription_not_found", subscription_id=subscription_id)
    return sub


def send_test(session: Session, sub: Subscription) -> Delivery:
    """Queue a ``subscription.test`` ping; the worker sends it within seconds."""
    return outbox.enqueue_test(session, sub)


def list_deliveries(session: Session, sub: Subscription, *, limit: int, offset: int) -> tuple[list[Delivery], int]:
    """The subscription's deliveries, newest first, with the total."""
    total = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.subscription_id == sub.id))
    rows = session.scalars(
        select(Delivery)
        .where(Delivery.subscription_id == sub.id)
        .order_by(Delivery.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total or 0


def attempts_of(
    session: Session, deliveries: Sequence[Delivery], *, per_delivery: int = 20
) -> dict[int, list[DeliveryAttempt]]:
    """The latest attempts of each delivery, newest first."""
    ids = [d.id for d in deliveries]
    result: dict[int, list[DeliveryAttempt]] = {i: [] for i in ids}
    if not ids:
        return result
    for attempt in session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)).order_by(DeliveryAttempt.id.desc())
    ):
        bucket = result[attempt.delivery_id]
        if len(bucket) < per_delivery:
            bucket.append(attempt)
    return result


def get_delivery(session: Session, sub: Subscription, delivery_id: int) -> Delivery:
    """One delivery of the subscription, or 404."""
    delivery = session.get(Delivery, delivery_id) if 0 < delivery_id < 2**31 else None
    if delivery is None or delivery.subscription_id != sub.id:
        raise NotFound("broadcast.delivery_not_found", delivery_id=delivery_id)
    return delivery


def redeliver(session: Session, sub: Subscription, delivery_id: int) -> Delivery:
    """Send a delivery again with the same ``webhook-id`` (receivers de-duplicate on it)."""
    return outbox.requeue(session, get_delivery(session, sub, delivery_id))


def solution_slugs(session: Session, subs: Sequence[Subscription]) -> dict[int, str]:
    """Slugs of every solution named in the subscriptions' filters, by id."""
    ids = {i for s in subs for i in (s.solution_ids or [])}
    if not ids:
        return {}
    rows = session.execute(select(Solution.id, Solution.slug).where(Solution.id.in_(ids))).all()
    return dict(rows)  # rows are (id, slug) pairs


def municipality_codes(session: Session, subs: Sequence[Subscription]) -> dict[int, str]:
    """Codes of the municipalities named in the subscriptions' portfolio filters, by id."""
    ids = {s.municipality_id for s in subs if s.municipality_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Municipality.id, Municipality.code).where(Municipality.id.in_(ids)))
    return dict(rows.all())  # rows are (id, code) pairs
