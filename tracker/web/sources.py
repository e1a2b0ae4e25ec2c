"""The sources pages: every scraper and watched page with its health; page diffs for coordinators.

Anyone may see which sources are healthy; what changed on a page (the diff) and the actions (mark a change
reviewed, accept a source's new state) are for coordinators. Views parse, call one service, render.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth import current_db_user
from tracker.auth.permissions import may
from tracker.auth.protect import acting_user, requires
from tracker.db import get_session
from tracker.ingest import queries, services, snapshots
from tracker.ingest.rule_stats import rule_stats
from tracker.ingest.targets import ScrapeSettings
from tracker.web.guards import safe_next, send_anonymous_to_login

bp = Blueprint("sources", __name__)
send_anonymous_to_login(bp)

PAGE_CHANGES_SHOWN = 20


def _settings() -> ScrapeSettings:
    return ScrapeSettings.from_config(current_app.config)


@bp.get("/kilder")
@requires("public")
def index() -> str:
    """All sources with health and last run; coordinators also see the page changes awaiting review."""
    session = get_session()
    sources = queries.list_sources(session, _settings())
    coordinator = may(current_db_user(), "source.manage")
    changes = snapshots.pending_page_changes(session, limit=PAGE_CHANGES_SHOWN) if coordinator else None
    return render_template(
        "sources/index.html",
        sources=sources,
        rules=rule_stats(session),
        unhealthy=sum(1 for s in sources if not s.healthy),
        page_changes=changes,
        next_url=url_for("sources.index"),
    )


@bp.get("/kilder/<string:key>")
@requires("public")
def detail(key: str) -> str:
    """One source: health, recent runs; for coordinators the latest page change and those awaiting review."""
    session = get_session()
    info = queries.get_source(session, key, _settings())
    coordinator = may(current_db_user(), "source.manage")
    latest, pending = None, None
    if coordinator and info.source_id is not None:
        latest, pending = snapshots.source_page_changes(session, info.source_id)
    return render_template(
        "sources/detail.html",
        source=info,
        coordinator=coordinator,
        latest_change=latest,
        page_changes=pending,
        next_url=url_for("sources.detail", key=key),
    )


@bp.post("/kilder/aendringer/<int(max=2147483647):snapshot_id>/gennemset")
@requires("source.manage")
def mark_reviewed(snapshot_id: int) -> BaseResponse:
    """Mark a page change as reviewed (coordinators; CSRF-protected like every form)."""
    user = acting_user()
    snapshots.mark_page_change_reviewed(get_session(), snapshot_id, user=user)
    flash(_("Sideændringen er markeret som gennemset."), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("sources.index"))


@bp.post("/kilder/<string:key>/nulstil")
@requires("source.manage")
def reset(key: str) -> BaseResponse:
    """Accept the source's current state: healthy again, and an empty page no longer counts as an alarm."""
    user = acting_user()
    services.reset_health(get_session(), key, user=user)
    flash(_("Kilden er markeret som sund igen."), "info")
    return redirect(url_for("sources.detail", key=key))
