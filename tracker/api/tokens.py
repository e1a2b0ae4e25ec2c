"""/api/v1/tokens — one's own API tokens: list with last use, create (shown once), revoke."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.api.edit_schemas import TokenCreateSchema, TokenListSchema, TokenSchema
from tracker.api.solution_writes import documented
from tracker.auth import api_user, tokens
from tracker.auth.permissions import require_user
from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.models import ApiToken

blp = Blueprint("api_tokens", __name__, description="Dine egne API-tokens.")


def token_dict(row: ApiToken, plain: str | None = None) -> dict[str, Any]:
    """A token as its owner sees it; the token itself only when just created."""
    data: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }
    if plain is not None:
        data["token"] = plain
    return data


@blp.route("")
class TokenList(MethodView):
    """One's own tokens."""

    @blp.response(200, TokenListSchema)
    @documented(blp, 401)
    @requires("account")
    def get(self) -> dict[str, Any]:
        """Your tokens, newest first, with when each was last used."""
        user = require_user(api_user(write=False))
        return {"items": [token_dict(t) for t in tokens.list_tokens(get_session(), user)]}

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenSchema)
    @documented(blp, 401, 422)
    @requires("account")
    def post(self, data: dict[str, Any]) -> Response:
        """Create a token; the response is the only place it is ever shown."""
        user = require_user(api_user(write=True))
        row, plain = tokens.issue_token(get_session(), user, data["name"], remote_addr=request.remote_addr)
        resp = jsonify(TokenSchema().dump(token_dict(row, plain)))
        resp.status_code = 201
        resp.headers["Cache-Control"] = "no-store"
        return resp


@blp.route("/<int(max=2147483647):token_id>")
class TokenItem(MethodView):
    """One of one's own tokens."""

    @blp.response(200, TokenSchema)
    @documented(blp, 401, 404)
    @requires("account")
    def delete(self, token_id: int) -> dict[str, Any]:
        """Revoke the token at once (another user's token is 'not found')."""
        user = require_user(api_user(write=True))
        return token_dict(tokens.revoke_own_token(get_session(), user, token_id, remote_addr=request.remote_addr))
