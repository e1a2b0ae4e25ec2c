"""/api/v1/municipalities — the 98 municipalities by official code."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from tracker.api.schemas import MunicipalityListSchema, MunicipalitySchema
from tracker.api.serialize import municipality_dict
from tracker.db import get_session
from tracker.errors import NotFound
from tracker.models import Municipality

blp = Blueprint("api_municipalities", __name__, description="Kommunerne (98) med officiel kommunekode.")


def get_municipality_or_404(code: str) -> Municipality:
    """A municipality by its 3-digit code; a 4-digit zero-padded code (DAWA style, '0101') is accepted."""
    normalised = code[1:] if len(code) == 4 and code.startswith("0") else code
    municipality = get_session().scalar(select(Municipality).where(Municipality.code == normalised))
    if municipality is None:
        raise NotFound(f"Der findes ingen kommune med kode '{code}'.")
    return municipality


@blp.route("")
class MunicipalityList(MethodView):
    """All municipalities."""

    @blp.response(200, MunicipalityListSchema)
    def get(self) -> dict[str, Any]:
        """The 98 municipalities, by code."""
        rows = get_session().scalars(select(Municipality).order_by(Municipality.code)).all()
        return {"items": [municipality_dict(m) for m in rows], "total": len(rows)}


@blp.route("/<string:code>")
class MunicipalityItem(MethodView):
    """One municipality."""

    @blp.response(200, MunicipalitySchema)
    @blp.alt_response(404, schema="Error", description="No such municipality")
    def get(self, code: str) -> dict[str, Any]:
        """One municipality by official code."""
        return municipality_dict(get_municipality_or_404(code))
