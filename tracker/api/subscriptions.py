"""/api/v1/subscriptions — webhook endpoints, their test ping, secret rotation, delivery log and redelivery.

Only the owner sees a subscription (others get 404). Municipality users and coordinators/admins may own them.
Deliveries follow Standard Webhooks: headers webhook-id, webhook-timestamp, webhook-signature.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker.api.paging import PageSchema
from tracker.auth import api_user, current_db_user
from tracker.auth.protect import requires
from tracker.broadcast import subscriptions as svc
from tracker.broadcast.ssrf import policy_from_config
from tracker.db import get_session
from tracker.inputs import LINE_PATTERN, TEXT_PATTERN, PageQuerySchema
from tracker.models import Delivery, DeliveryAttempt, Subscription, User
from tracker.models.vocab import TransitionCategory, TransitionKind
from tracker.registry.events import EVENT_TYPES

blp = Blueprint(
    "api_subscriptions",
    __name__,
    description="Webhook-abonnementer: signerede leveringer (Standard Webhooks) af ændringer, med log og gensending.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


# The receiver's address as the API checks its form (``broadcast.ssrf.split_url``): https:// (plain http only for
# networks the operator exempts), no user name or password, a host name of labels of letters, digits and inner
# hyphens (at most 63 each: a Unicode name is sent in its xn-- form), a port 1–65535, then no spaces, control
# characters or fragment. Whether the host resolves to a public address is asked of DNS when it is used.
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_URL = {
    "pattern": (
        f"^https://({_LABEL}\\.)*{_LABEL}(:{_PORT})?([/?][^\\s#\\u0000-\\u001f\\u007f\\u0085\\u00a0\\u2028\\u2029]*)?$"
    ),
    "description": "https:// address of the receiver, without user name or password (resolving to a public address)",
}
SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,79}$"


class TransitionFilterSchema(Schema):
    """Which transition.* events to deliver (the other events follow event_types); empty lists: any."""

    kinds = fields.List(
        fields.String(validate=validate.OneOf([k.value for k in TransitionKind])),
        load_default=list,
        validate=validate.Length(max=8),
    )
    categories = fields.List(
        fields.String(validate=validate.OneOf([c.value for c in TransitionCategory])),
        load_default=list,
        validate=validate.Length(max=3),
    )
    major = fields.Boolean(allow_none=True, load_default=None, metadata={"description": "null: major or not"})


class SubscriptionInSchema(Schema):
    """A new subscription."""

    url = fields.String(required=True, validate=validate.Length(min=1, max=1000), metadata=_URL)
    description = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={"pattern": TEXT_PATTERN})
    event_types = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)), load_default=list, validate=validate.Length(max=20)
    )
    solutions = fields.List(
        fields.String(validate=validate.Length(min=1, max=80), metadata={"pattern": SLUG_PATTERN}),
        load_default=list,
        validate=validate.Length(max=svc.MAX_SOLUTION_FILTERS),
        metadata={"description": "Solution slugs; empty: all solutions."},
    )
    municipality = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=3, max=4),
        metadata={
            "description": "Only solutions in this municipality's portfolio (code), plus its readiness.",
            "pattern": LINE_PATTERN,
        },
    )
    transitions = fields.Nested(TransitionFilterSchema, allow_none=True, load_default=None)


class SubscriptionPatchSchema(Schema):
    """Changes to a subscription; ``active: true`` re-enables one that was switched off."""

    url = fields.String(validate=validate.Length(min=1, max=1000), metadata=_URL)
    description = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={"pattern": TEXT_PATTERN})
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), validate=validate.Length(max=20))
    solutions = fields.List(
        fields.String(validate=validate.Length(min=1, max=80), metadata={"pattern": SLUG_PATTERN}),
        validate=validate.Length(max=svc.MAX_SOLUTION_FILTERS),
    )
    municipality = fields.String(
        allow_none=True, validate=validate.Length(min=3, max=4), metadata={"pattern": LINE_PATTERN}
    )
    transitions = fields.Nested(TransitionFilterSchema, allow_none=True)
    active = fields.Boolean()


class SubscriptionSchema(Schema):
    """A subscription as its owner sees it (never the secret)."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(allow_none=True)
    event_types = fields.List(fields.String(), required=True)
    solutions = fields.List(fields.String(), required=True)
    municipality = fields.String(allow_none=True)
    transitions = fields.Nested(TransitionFilterSchema, allow_none=True, required=True)
    active = fields.Boolean(required=True)
    disabled_reason = fields.String(allow_none=True)
    failing_since = fields.DateTime(allow_none=True)
    previous_secret_expires_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class SubscriptionWithSecretSchema(SubscriptionSchema):
    """Right after creation or rotation: the secret, shown this once."""

    secret = fields.String(required=True)


class SubscriptionListSchema(Schema):
    """The caller's subscriptions."""

    items = fields.List(fields.Nested(SubscriptionSchema), required=True)


class AttemptSchema(Schema):
    """One HTTP attempt."""

    attempted_at = fields.DateTime(required=True)
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class DeliverySchema(Schema):
    """A delivery (one event to one subscription) and its attempts, newest first."""

    id = fields.Integer(required=True)
    message_id = fields.String(required=True, metadata={"description": "The webhook-id header: dedupe on it."})
    event_id = fields.Integer(allow_none=True)
    event_type = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "pending | succeeded | failed | cancelled"})
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema), required=True)


class DeliveryPageSchema(PageSchema):
    """A page of the delivery log."""

    items = fields.List(fields.Nested(DeliverySchema), required=True)


def _subscription_dicts(subs: list[Subscription]) -> list[dict[str, Any]]:
    session = get_session()
    slugs, codes = svc.solution_slugs(session, subs), svc.municipality_codes(session, subs)
    return [
        {
            "id": s.id,
            "url": s.url,
            "description": s.description,
            "event_types": list(s.event_types or []),
            "solutions": [slugs[i] for i in (s.solution_ids or []) if i in slugs],
            "municipality": codes.get(s.municipality_id) if s.municipality_id is not None else None,
            "transitions": s.transition_filter,
            "active": s.active,
            "disabled_reason": s.disabled_reason,
            "failing_since": s.failing_since,
            "previous_secret_expires_at": s.previous_secret_expires_at,
            "created_at": s.created_at,
        }
        for s in subs
    ]


def _delivery_dict(delivery: Delivery, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "message_id": delivery.message_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.state == "pending" else None,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
        "attempt_log": [
            {"attempted_at": a.attempted_at, "status_code": a.status_code, "latency_ms": a.latency_ms, "error": a.error}
            for a in attempts
        ],
    }


def _one_delivery(delivery: Delivery) -> dict[str, Any]:
    return _delivery_dict(delivery, svc.attempts_of(get_session(), [delivery])[delivery.id])


def _writer() -> User:
    """Writes need a bearer token (the API is exempt from CSRF, so the login cookie does not count)."""
    return svc.require_manager(api_user(write=True))


def _owned(subscription_id: int, user: User | None) -> Subscription:
    return svc.get_owned(get_session(), user, subscription_id)


@blp.route("")
class SubscriptionList(MethodView):
    """The caller's subscriptions."""

    @blp.doc(security=SECURITY)
    @blp.response(200, SubscriptionListSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks (vendors)")
    @requires("subscription.manage")
    def get(self) -> dict[str, Any]:
        """Your own subscriptions, newest first."""
        return {"items": _subscription_dicts(svc.list_owned(get_session(), current_db_user()))}

    @blp.doc(security=SECURITY)
    @blp.arguments(SubscriptionInSchema)
    @blp.response(201, SubscriptionWithSecretSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks, or another municipality")
    @blp.alt_response(409, schema="Error", description="Too many subscriptions")
    @requires("subscription.manage")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Register an endpoint. The URL must be https and resolve to public addresses only; the response
        carries the signing secret (whsec_…) this once."""
        sub, secret = svc.create_subscription(
            get_session(), _writer(), policy=policy_from_config(current_app.config), **args
        )
        return {**_subscription_dicts([sub])[0], "secret": secret}


@blp.route("/<int(max=2147483647):subscription_id>")
class SubscriptionItem(MethodView):
    """One of your subscriptions."""

    @blp.doc(security=SECURITY)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks")
    @blp.alt_response(404, schema="Error", description="No such subscription of yours")
    @requires("subscription.manage")
    def get(self, subscription_id: int) -> dict[str, Any]:
        """One subscription, with why it was disabled if it was."""
        return _subscription_dicts([_owned(subscription_id, current_db_user())])[0]

    @blp.doc(security=SECURITY)
    @blp.arguments(SubscriptionPatchSchema)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks, or another municipality")
    @blp.alt_response(404, schema="Error", description="No such subscription of yours")
    @requires("subscription.manage")
    def patch(self, args: dict[str, Any], subscription_id: int) -> dict[str, Any]:
        """Change the URL, description or filters, or switch it off/on (on clears the disable notice)."""
        user = _writer()
        sub = _owned(subscription_id, user)
        svc.update_subscription(get_session(), sub, user, args, policy=policy_from_config(current_app.config))
        return _subscription_dicts([sub])[0]

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks")
    @blp.alt_response(404, schema="Error", description="No such subscription of yours")
    @requires("subscription.manage")
    def delete(self, subscription_id: int) -> None:
        """Delete the subscription and its delivery log."""
        user = _writer()
        svc.delete_subscription(get_session(), _owned(subscription_id, user), user)


@blp.route("/<int(max=2147483647):subscription_id>/test")
class SubscriptionTest(MethodView):
    """A test ping."""

    @blp.doc(security=SECURITY)
    @blp.response(202, DeliverySchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks")
    @blp.alt_response(404, schema="Error", description="No such subscription of yours")
    @blp.alt_response(409, schema="Error", description="The subscription is disabled")
    @requires("subscription.manage")
    def post(self, subscription_id: int) -> dict[str, Any]:
        """Queue a subscription.test delivery; the worker sends it within seconds (see the delivery log)."""
        return _one_delivery(svc.send_test(get_session(), _owned(subscription_id, _writer())))


@blp.route("/<int(max=2147483647):subscription_id>/rotate-secret")
class SubscriptionRotate(MethodView):
    """Secret rotation."""

    @blp.doc(security=SECURITY)
    @blp.response(200, SubscriptionWithSecretSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks")
    @blp.alt_response(404, schema="Error", description="No such subscription of yours")
    @requires("subscription.manage")
    def post(self, subscription_id: int) -> dict[str, Any]:
        """A new secret, shown this once; for 24 hours both the new and the old secret sign every delivery."""
        user = _writer()
        sub = _owned(subscription_id, user)
        secret = svc.rotate_secret(get_session(), sub, user)
        return {**_subscription_dicts([sub])[0], "secret": secret}


@blp.route("/<int(max=2147483647):subscription_id>/deliveries")
class SubscriptionDeliveries(MethodView):
    """The delivery log."""

    @blp.doc(security=SECURITY)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, DeliveryPageSchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks")
    @blp.alt_response(404, schema="Error", description="No such subscription of yours")
    @requires("subscription.manage")
    def get(self, args: dict[str, Any], subscription_id: int) -> dict[str, Any]:
        """Deliveries, newest first, each with its attempts (status, latency, error)."""
        session = get_session()
        sub = _owned(subscription_id, current_db_user())
        rows, total = svc.list_deliveries(session, sub, limit=args["limit"], offset=args["offset"])
        attempts = svc.attempts_of(session, rows)
        return {
            "items": [_delivery_dict(d, attempts[d.id]) for d in rows],
            "total": total,
            "limit": args["limit"],
            "offset": args["offset"],
        }


@blp.route("/<int(max=2147483647):subscription_id>/deliveries/<int(max=2147483647):delivery_id>/redeliver")
class DeliveryRedeliver(MethodView):
    """Manual redelivery."""

    @blp.doc(security=SECURITY)
    @blp.response(202, DeliverySchema)
    @blp.alt_response(401, schema="Error", description="Not logged in")
    @blp.alt_response(403, schema="Error", description="Role may not own webhooks")
    @blp.alt_response(404, schema="Error", description="No such subscription or delivery of yours")
    @blp.alt_response(409, schema="Error", description="Disabled subscription, or the delivery is being sent")
    @requires("subscription.manage")
    def post(self, subscription_id: int, delivery_id: int) -> dict[str, Any]:
        """Send a delivery again, with the same webhook-id, from the start of the retry schedule."""
        sub = _owned(subscription_id, _writer())
        return _one_delivery(svc.redeliver(get_session(), sub, delivery_id))
