"""The HTML interface, Danish first; readable without JavaScript."""

from __future__ import annotations

from flask import Flask

from tracker.web import format as fmt


def init_app(app: Flask) -> None:
    """Register the public pages and the template helpers."""
    from tracker.web import health, public

    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
    from tracker.web import admin_views, auth_views, edit_views, review_views  # accounts, editing, review (issue 3)

    for blueprint in (auth_views.bp, edit_views.bp, review_views.bp, admin_views.bp):
        app.register_blueprint(blueprint)
    from tracker.web import sources  # sources, health and page diffs (issue 4)

    app.register_blueprint(sources.bp)
    from tracker.broadcast import pages, views  # feeds, calendars, subscription pages (issue 5)

    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
    from tracker.web import municipality_views  # municipality pages, national picture, upcoming (issue 6)

    app.register_blueprint(municipality_views.bp)
    from tracker.web import about, layout  # page frame, accessibility statement, privacy (issue 16)

    app.register_blueprint(about.bp)
    app.jinja_env.globals.update(
        error_summary=layout.error_summary,
        nav_link=layout.nav_link,
        sort_header=layout.sort_header,
        site_owner=about.site_owner,
        site_contact=about.site_contact,
    )
    app.jinja_env.filters["day"] = fmt.format_day
    app.jinja_env.filters["switch"] = fmt.format_switch
    app.jinja_env.globals.update(
        LOA_LABELS=fmt.LOA_LABELS,
        CONFIDENCE_LABELS=fmt.CONFIDENCE_LABELS,
        STATE_LABELS=fmt.STATE_LABELS,
        KIND_LABELS=fmt.KIND_LABELS,
    )
