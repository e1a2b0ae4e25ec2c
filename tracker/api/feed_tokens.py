"""/api/v1/municipalities/{code}/feed-tokens — a municipality's private feed and calendar addresses.

The same rules as the page (``broadcast.feed_tokens``): the municipality's own users and coordinators list,
create (the token and its addresses are answered once) and revoke. Writes take a bearer token.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tracker.auth import api_user
from tracker.auth.protect import requires
from tracker.broadcast import feed_tokens
from tracker.broadcast.subscriptions import municipality_by_code
from tracker.db import get_session
from tracker.errors import NotFound
from tracker.links import absolute
from tracker.models import FeedToken, Municipality

blp = Blueprint("api_feed_tokens", __name__, description="Kommunens private feed- og kalenderadresser.")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class FeedTokenSchema(Schema):
    """A private address token (its value only when just created)."""

    id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)


class FeedLinksSchema(Schema):
    """The private addresses of a new token."""

    atom = fields.String(required=True)
    rss = fields.String(required=True)
    ics = fields.String(required=True)
    webcal = fields.String(required=True)


class NewFeedTokenSchema(FeedTokenSchema):
    """A new token: shown once, with its addresses."""

    token = fields.String(required=True)
    links = fields.Nested(FeedLinksSchema, required=True)


class FeedTokenListSchema(Schema):
    """The municipality's tokens, newest first."""

    items = fields.List(fields.Nested(FeedTokenSchema), required=True)


def _municipality(code: str) -> Municipality:
    municipality = municipality_by_code(get_session(), code[:10])
    if municipality is None:
        raise NotFound("municipalities.municipality_not_found", code=code[:10])
    return municipality


def _row(row: FeedToken) -> dict[str, Any]:
    return {"id": row.id, "created_at": row.created_at, "revoked_at": row.revoked_at}


@blp.route("/<string:code>/feed-tokens")
class FeedTokens(MethodView):
    """List and create."""

    @blp.response(200, FeedTokenListSchema)
    @blp.alt_response(401, schema="Error", description="No valid bearer token")
    @blp.alt_response(403, schema="Error", description="Not this municipality's user or a coordinator")
    @blp.alt_response(404, schema="Error", description="No such municipality")
    @blp.doc(security=SECURITY)
    @requires("municipality.feed_tokens")
    def get(self, code: str) -> dict[str, Any]:
        """The municipality's tokens (never their values)."""
        municipality = _municipality(code)
        rows = feed_tokens.list_tokens(get_session(), api_user(write=False), municipality)
        return {"items": [_row(r) for r in rows]}

    @blp.response(201, NewFeedTokenSchema)
    @blp.alt_response(401, schema="Error", description="No valid bearer token")
    @blp.alt_response(403, schema="Error", description="Not this municipality's user or a coordinator")
    @blp.alt_response(404, schema="Error", description="No such municipality")
    @blp.doc(security=SECURITY)
    @requires("municipality.feed_tokens")
    def post(self, code: str) -> Response:
        """A new private address; the token is in this answer only."""
        municipality = _municipality(code)
        row, plain = feed_tokens.create_token(get_session(), api_user(write=True), municipality)
        body = {**_row(row), "token": plain, "links": feed_tokens.private_links(municipality, plain, absolute)}
        resp = jsonify(NewFeedTokenSchema().dump(body))
        resp.status_code = 201
        resp.headers["Cache-Control"] = "no-store"  # it shows a secret
        return resp


@blp.route("/<string:code>/feed-tokens/<int(max=2147483647):token_id>")
class FeedTokenItem(MethodView):
    """Revoke."""

    @blp.response(204)
    @blp.alt_response(401, schema="Error", description="No valid bearer token")
    @blp.alt_response(403, schema="Error", description="Not this municipality's user or a coordinator")
    @blp.alt_response(404, schema="Error", description="No such municipality or token")
    @blp.doc(security=SECURITY)
    @requires("municipality.feed_tokens")
    def delete(self, code: str, token_id: int) -> None:
        """Revoke the token: feeds and calendars using it stop at once."""
        municipality = _municipality(code)
        feed_tokens.revoke_token(get_session(), api_user(write=True), municipality, token_id)
