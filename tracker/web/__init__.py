"""The HTML interface, Danish first; readable without JavaScript."""

from __future__ import annotations

from flask import Flask

from tracker.auth import current_db_user
from tracker.auth.display import label_for_viewer, public_label
from tracker.db import get_session
from tracker.links import link_label, short_links
from tracker.models import ChangeEvent
from tracker.municipalities.names import genitive
from tracker.vocabulary import stored_words
from tracker.web import about, assets, icons, layout, transition_format
from tracker.web import format as fmt


def _public_label(label: str | None) -> str:
    """A stored label as the public may see it (no names, no e-mail addresses)."""
    return public_label(label, get_session())


def _event_actor(event: ChangeEvent) -> str:
    """Who made a change: role and organisation; coordinators and admins also see the person."""
    return stored_words(label_for_viewer(event.actor_label, event.actor_id, current_db_user(), get_session()))


def init_app(app: Flask) -> None:
    """Install the template helpers (the pages are registered by ``tracker.blueprints``)."""
    assets.init_app(app)
    transition_format.init_app(app)
    app.jinja_env.globals.update(
        error_summary=layout.error_summary,
        nav_link=layout.nav_link,
        menu_item=layout.menu_item,
        icon=icons.icon,
        icon_sprite=icons.icon_sprite,
        sort_header=layout.sort_header,
        site_owner=about.site_owner,
        site_contact=about.site_contact,
    )
    app.jinja_env.filters["day"] = fmt.format_day
    app.jinja_env.filters["switch"] = fmt.format_switch
    app.jinja_env.filters["link_label"] = link_label
    app.jinja_env.filters["short_links"] = short_links
    app.jinja_env.filters["stored_words"] = stored_words
    app.jinja_env.filters["public_label"] = _public_label
    app.jinja_env.globals["event_actor"] = _event_actor
    app.jinja_env.globals["genitive"] = genitive
    app.jinja_env.globals.update(fmt.LABEL_GLOBALS)  # every vocabulary's labels, each under its one name
