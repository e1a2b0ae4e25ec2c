"""/api/v1/sources — the scrapers and watched pages: health, last run, counts, recent runs.

Public, like the registry it feeds: which sources are healthy is no secret, and subscribers may want to
know whether "nothing new" means nothing changed or nothing could be read. Page diffs stay on the
coordinators' pages.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tracker.auth.protect import requires
from tracker.db import get_session
from tracker.ingest import queries
from tracker.ingest.targets import ScrapeSettings
from tracker.models import ScrapeRun

blp = Blueprint("api_sources", __name__, description="Kilder: skrabere og overvågede sider, deres sundhed og kørsler.")


class ScrapeRunSchema(Schema):
    """One run of one source."""

    id = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    duration_ms = fields.Integer(allow_none=True)
    http_status = fields.Integer(allow_none=True)
    bytes = fields.Integer(allow_none=True)
    findings = fields.Integer(required=True)
    proposals = fields.Integer(required=True)
    outcome = fields.String(required=True, metadata={"enum": ["ok", "not_modified", "failed", "rejected"]})
    error = fields.String(allow_none=True)


class SourceCountsSchema(Schema):
    """Totals over the source's life."""

    runs = fields.Integer(required=True)
    failed_runs = fields.Integer(required=True)
    proposals = fields.Integer(required=True)
    pending_proposals = fields.Integer(required=True)
    pending_page_changes = fields.Integer(required=True)


class SourceSchema(Schema):
    """A source with its health."""

    key = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["scraper", "watch"]})
    active = fields.Boolean(required=True, metadata={"description": "Still configured (else kept for history)."})
    healthy = fields.Boolean(required=True)
    health_reason = fields.String(allow_none=True)
    consecutive_failures = fields.Integer(required=True)
    last_findings = fields.Integer(allow_none=True)
    auto_accept_unknown = fields.Boolean(required=True)
    last_run_at = fields.DateTime(allow_none=True)
    last_success_at = fields.DateTime(allow_none=True)
    last_run = fields.Nested(ScrapeRunSchema, allow_none=True)
    counts = fields.Nested(SourceCountsSchema, required=True)
    html_url = fields.String(required=True)


class SourceListSchema(Schema):
    """All sources; ``unhealthy`` counts those needing attention."""

    items = fields.List(fields.Nested(SourceSchema), required=True)
    total = fields.Integer(required=True)
    unhealthy = fields.Integer(required=True)


class SourceDetailSchema(SourceSchema):
    """One source with its recent runs, newest first."""

    recent_runs = fields.List(fields.Nested(ScrapeRunSchema), required=True)


def _run(run: ScrapeRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "started_at": run.started_at,
        "duration_ms": run.duration_ms,
        "http_status": run.http_status,
        "bytes": run.bytes,
        "findings": run.findings,
        "proposals": run.proposals,
        "outcome": run.outcome,
        "error": run.error,
    }


def source_dict(info: queries.SourceInfo) -> dict[str, Any]:
    """A source as the API shows it."""
    counts = info.counts
    return {
        "key": info.key,
        "name": info.name,
        "url": info.url,
        "kind": info.kind,
        "active": info.active,
        "healthy": info.healthy,
        "health_reason": info.health_reason,
        "consecutive_failures": info.consecutive_failures,
        "last_findings": info.last_findings,
        "auto_accept_unknown": info.auto_accept_unknown,
        "last_run_at": info.last_run_at,
        "last_success_at": info.last_success_at,
        "last_run": _run(info.last_run),
        "counts": {
            "runs": counts.runs,
            "failed_runs": counts.failed_runs,
            "proposals": counts.proposals,
            "pending_proposals": counts.pending_proposals,
            "pending_page_changes": counts.pending_page_changes,
        },
        "html_url": url_for("sources.detail", key=info.key, _external=True),
    }


def _settings() -> ScrapeSettings:
    return ScrapeSettings.from_config(current_app.config)


@blp.route("")
class SourceList(MethodView):
    """Every source."""

    @blp.response(200, SourceListSchema)
    @requires("public")
    def get(self) -> dict[str, Any]:
        """All scrapers and watched pages with health, last run and counts; configured ones first."""
        infos = queries.list_sources(get_session(), _settings())
        return {
            "items": [source_dict(i) for i in infos],
            "total": len(infos),
            "unhealthy": sum(1 for i in infos if not i.healthy),
        }


@blp.route("/<string:key>")
class SourceItem(MethodView):
    """One source."""

    @blp.response(200, SourceDetailSchema)
    @blp.alt_response(404, schema="Error", description="No such source")
    @requires("public")
    def get(self, key: str) -> dict[str, Any]:
        """One source with its health and its most recent runs, newest first."""
        info = queries.get_source(get_session(), key, _settings())
        return {**source_dict(info), "recent_runs": [_run(r) for r in info.recent_runs]}
