"""The public-sector basics: the accessibility statement (/tilgaengelighed) and the privacy page (/privatliv)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from tracker.auth.protect import requires

bp = Blueprint("about", __name__)


def site_owner() -> str:
    """Who runs this service (``TRACKER_SITE_OWNER``)."""
    return str(current_app.config.get("SITE_OWNER", ""))


def site_contact() -> str:
    """The service's functional mailbox (``TRACKER_CONTACT_EMAIL``; empty: not published)."""
    return str(current_app.config.get("CONTACT_EMAIL", ""))


@bp.get("/tilgaengelighed")
@requires("public")
def accessibility() -> str:
    """The accessibility statement required by the Danish web accessibility law (lov nr. 692 af 08/06/2018)."""
    return render_template("about/accessibility.html")


@bp.get("/privatliv")
@requires("public")
def privacy() -> str:
    """What the service stores about people, why, and for how long."""
    return render_template("about/privacy.html")
