"""/healthz: 200 when the database answers, 503 (with the reason) when it does not."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from tracker.auth.protect import requires
from tracker.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@requires("public")
def healthz() -> tuple[Response, int]:
    """Liveness and database status, cheap enough to poll."""
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200
