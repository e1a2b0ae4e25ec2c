"""Interface language: Danish first, English available (``?lang=en`` or the browser's preference)."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext

log = logging.getLogger(__name__)


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


def compile_catalogs(source: Path, target: Path) -> list[str]:
    """Compile each ``<lang>/LC_MESSAGES/messages.po`` under ``source`` into a ``.mo`` under ``target``.

    The ``.po`` files are the reviewed source; the binary ``.mo`` is derived, so it is built at start-up
    into the instance folder instead of being committed. Written to a temporary file and renamed, so
    workers starting together never read half a catalog. Returns the languages compiled.
    """
    compiled = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        mo_path = target / lang / "LC_MESSAGES" / "messages.mo"
        source_bytes = po_path.read_bytes()
        # The source's hash, not its mtime, decides: a checkout can leave an older mtime on a newer file.
        digest = hashlib.sha256(source_bytes).hexdigest()
        stamp = mo_path.with_suffix(".sha256")
        if mo_path.exists() and stamp.exists() and stamp.read_text() == digest:
            compiled.append(lang)
            continue
        catalog = read_po(io.BytesIO(source_bytes), locale=lang)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(tmp, mo_path)
            stamp.write_text(digest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        compiled.append(lang)
    return compiled


def init_app(app: Flask) -> None:
    """Compile the translations into the instance folder, then attach Flask-Babel with our locale selector."""
    target = Path(app.instance_path) / "translations"
    try:
        compile_catalogs(Path(app.root_path) / "translations", target)
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    except OSError:
        # A read-only instance folder must not stop the service: it then speaks Danish only.
        log.exception("could not compile translations into %s; English is unavailable", target)
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _language() -> dict[str, str]:
        return {"lang": current_language()}


def current_language() -> str:
    """The request's language code ("da" or "en"): templates' ``lang`` and the ``Content-Language`` header."""
    locale = get_locale()
    return locale.language if locale is not None else "da"


def translated(text: str, /, **variables: Any) -> str:
    """``gettext`` inside a request; the Danish text (formatted) outside one (jobs, the CLI, tests)."""
    if has_request_context():
        return str(gettext(text, **variables))
    return text % variables if variables else text


class Said(str):
    """A Danish sentence (a problem in an error's ``details``, say) that remembers its msgid and parameters, so
    the edge can word it again in the request's language (``worded``): the error handler does for ``details``,
    the planned-changes import for every row's problem (English with Accept-Language: en)."""

    __slots__ = ("msgid", "params")
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Said:
        """The sentence filled in Danish; ``params`` may be ``Said`` themselves (a kind's words)."""
        text = msgid % {k: str(v) for k, v in params.items()} if params else msgid
        said = super().__new__(cls, text)
        said.msgid, said.params = msgid, params
        return said

    def worded(self) -> str:
        """The sentence in the request's language (Danish outside a request)."""
        values = {k: v.worded() if isinstance(v, Said) else v for k, v in self.params.items()}
        return translated(self.msgid, **values)


def worded(problem: str) -> str:
    """A problem in the request's language: a ``Said`` is worded again, any other text passes as it is."""
    return problem.worded() if isinstance(problem, Said) else problem
