"""The HTML interface, Danish first; readable without JavaScript."""

from __future__ import annotations

from flask import Flask

from tracker.web import format as fmt


def init_app(app: Flask) -> None:
    """Install the template helpers (the pages are registered by ``tracker.blueprints``)."""
    from tracker.web import about, layout  # page frame, accessibility statement, privacy (issue 16)

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
