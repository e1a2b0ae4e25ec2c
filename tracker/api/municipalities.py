"""/api/v1/municipalities — the 98 municipalities by official code."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.api.schemas import MunicipalityListSchema, MunicipalitySchema
from tracker.api.serialize import municipality_dict
from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.models import Municipality
from tracker.municipalities import queries

blp = Blueprint("api_municipalities", __name__, description="Kommunerne (98) med officiel kommunekode.")


def get_municipality_or_404(code: str) -> Municipality:
    """A municipality by its 3-digit code; a 4-digit zero-padded code (DAWA style, '0101') is accepted."""
    return queries.get_municipality(get_session(), code)


@blp.route("")
class MunicipalityList(MethodView):
    """All municipalities."""

    @blp.response(200, MunicipalityListSchema)
    @requires("public")
    def get(self) -> dict[str, Any]:
        """The 98 municipalities, by code."""
        rows = queries.list_municipalities(get_session())
        return {"items": [municipality_dict(m) for m in rows], "total": len(rows)}


@blp.route("/<string:code>")
class MunicipalityItem(MethodView):
    """One municipality."""

    @blp.response(200, MunicipalitySchema)
    @blp.alt_response(404, schema="Error", description="No such municipality")
    @requires("public")
    def get(self, code: str) -> dict[str, Any]:
        """One municipality by official code."""
        return municipality_dict(get_municipality_or_404(code))
