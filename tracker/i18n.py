"""Interface language: Danish first, English available (``?lang=en`` or the browser's preference)."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale


def select_locale() -> str:
    """``?lang=`` wins and is remembered; then the browser's languages; Danish by default."""
    languages = ["da", "en"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    remembered = session.get("lang")
    if remembered in languages:
        return str(remembered)
    return request.accept_languages.best_match(languages, default="da") or "da"


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our locale selector."""
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _language() -> dict[str, str]:
        locale = get_locale()
        return {"lang": locale.language if locale is not None else "da"}
