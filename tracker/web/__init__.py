"""The HTML interface, Danish first; readable without JavaScript."""

from __future__ import annotations

from flask import Flask

from tracker.models import ChangeEvent
from tracker.web import format as fmt


def _public_label(label: str | None) -> str:
    """A stored label as the public may see it (no names, no e-mail addresses)."""
    from tracker.auth.display import public_label
    from tracker.db import get_session

    return public_label(label, get_session())


def _event_actor(event: ChangeEvent) -> str:
    """Who made a change: role and organisation; coordinators and admins also see the person."""
    from tracker.auth import current_db_user
    from tracker.auth.display import label_for_viewer
    from tracker.db import get_session

    return label_for_viewer(event.actor_label, event.actor_id, current_db_user(), get_session())


def init_app(app: Flask) -> None:
    """Register the public pages and the template helpers."""
    from tracker.web import health, public

    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
    from tracker.web import (  # accounts, editing, review (issue 3)
        admin_views,
        auth_views,
        edit_views,
        review_views,
        totp_views,  # noqa: F401 - adds the second-factor routes to auth_views.bp
    )

    for blueprint in (auth_views.bp, edit_views.bp, review_views.bp, admin_views.bp):
        app.register_blueprint(blueprint)
    from tracker.web import sources  # sources, health and page diffs (issue 4)

    app.register_blueprint(sources.bp)
    from tracker.broadcast import pages, views  # feeds, calendars, subscription pages (issue 5)

    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
    from tracker.web import municipality_views  # municipality pages, national picture, upcoming (issue 6)

    app.register_blueprint(municipality_views.bp)
    app.jinja_env.filters["day"] = fmt.format_day
    app.jinja_env.filters["switch"] = fmt.format_switch
    app.jinja_env.filters["public_label"] = _public_label
    app.jinja_env.globals["event_actor"] = _event_actor
    app.jinja_env.globals.update(
        LOA_LABELS=fmt.LOA_LABELS,
        CONFIDENCE_LABELS=fmt.CONFIDENCE_LABELS,
        STATE_LABELS=fmt.STATE_LABELS,
        KIND_LABELS=fmt.KIND_LABELS,
    )
