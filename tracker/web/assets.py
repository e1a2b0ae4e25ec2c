"""Static files under versioned names: content hashes in the URL, compressed answers, a year in every cache.

``url_for('static', filename='tracker.css')`` gives ``/static/tracker.<hash>.css``; that URL's content never
changes, so it is sent ``public, max-age=31536000, immutable``. Stylesheets have their ``url()``s (DKFDS's
fonts and icons) rewritten to versioned names too, so nothing a page loads needs asking again. Text files are
sent brotli- or gzip-compressed to clients that accept it, compressed once per worker on first request. An
unversioned or outdated name is still answered, with the short public caching of other public GETs.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import posixpath
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, request

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = frozenset({"text/css", "text/javascript", "application/javascript", "image/svg+xml", "text/plain"})
_VERSIONED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|https?:|/)([^'\")?#]+)([^'\")]*)\1\s*\)")


@dataclass
class Asset:
    """One static file: its bytes as served (stylesheets rewritten), their digest, and compressed forms."""

    name: str
    data: bytes
    mimetype: str
    digest: str = ""
    encoded: dict[str, bytes] = field(default_factory=dict)

    def body(self, encoding: str) -> bytes:
        """The bytes in ``encoding`` (``br``, ``gzip`` or ``identity``), compressed on first use."""
        if encoding == "identity":
            return self.data
        if encoding not in self.encoded:
            if encoding == "br":
                import brotli

                self.encoded[encoding] = brotli.compress(self.data, quality=11)
            else:
                self.encoded[encoding] = gzip.compress(self.data, compresslevel=9, mtime=0)
        return self.encoded[encoding]


class AssetStore:
    """Every file under the static folder, read once, by plain name; versioned names map onto them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._assets: dict[str, Asset] | None = None
        self._lock = threading.Lock()

    @property
    def assets(self) -> dict[str, Asset]:
        """The files, loaded and hashed on first use (stylesheets last: they name the others' hashes)."""
        if self._assets is None:
            with self._lock:
                if self._assets is None:
                    self._assets = self._load()
        return self._assets

    def _load(self) -> dict[str, Asset]:
        assets: dict[str, Asset] = {}
        paths = sorted(p for p in self.root.rglob("*") if p.is_file())
        for path in sorted(paths, key=lambda p: p.suffix == ".css"):
            name = path.relative_to(self.root).as_posix()
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            data = path.read_bytes()
            if path.suffix == ".css":
                data = self._rewrite_css(name, data, assets)
            asset = Asset(name, data, mimetype)
            asset.digest = hashlib.sha256(data).hexdigest()[:12]
            assets[name] = asset
        return assets

    @staticmethod
    def _rewrite_css(name: str, data: bytes, known: dict[str, Asset]) -> bytes:
        """The stylesheet with each relative ``url()`` naming a file we have turned into its versioned name."""
        base = posixpath.dirname(name)

        def versioned(match: re.Match[str]) -> str:
            target = posixpath.normpath(posixpath.join(base, match.group(2)))
            asset = known.get(target)
            if asset is None:
                return match.group(0)
            relative = posixpath.relpath(versioned_name(asset), base or ".")
            return f"url({match.group(1)}{relative}{match.group(3)}{match.group(1)})"

        return _CSS_URL.sub(versioned, data.decode("utf-8")).encode("utf-8")

    def versioned(self, name: str) -> str:
        """``name`` with its content hash (unchanged when there is no such file)."""
        asset = self.assets.get(name)
        return versioned_name(asset) if asset else name

    def find(self, requested: str) -> tuple[Asset | None, bool]:
        """The asset for a requested name, and whether the name carried its current hash (so may be kept)."""
        asset = self.assets.get(requested)
        if asset is not None:
            return asset, False
        match = _VERSIONED.match(requested)
        if match is None:
            return None, False
        asset = self.assets.get(match["stem"] + match["ext"])
        return asset, asset is not None and asset.digest == match["digest"]


def versioned_name(asset: Asset) -> str:
    """``css/dkfds.min.css`` → ``css/dkfds.min.<hash>.css``."""
    stem, ext = posixpath.splitext(asset.name)
    return f"{stem}.{asset.digest}{ext}"


def _encoding_for(asset: Asset) -> str:
    """The best encoding the client accepts for this file: brotli, then gzip, else none."""
    if asset.mimetype not in COMPRESSIBLE or len(asset.data) < 512:
        return "identity"
    accepted = request.accept_encodings
    if accepted["br"] and _has_brotli():
        return "br"
    return "gzip" if accepted["gzip"] else "identity"


def _has_brotli() -> bool:
    try:
        import brotli  # noqa: F401  (only asks whether it is installed)
    except ImportError:
        return False
    return True


def serve(store: AssetStore, filename: str) -> Response:
    """Answer a static file: versioned names for a year, others briefly; compressed when worth it."""
    asset, current = store.find(filename)
    if asset is None:
        abort(404)
    encoding = _encoding_for(asset)
    response = Response(asset.body(encoding), mimetype=asset.mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    if asset.mimetype in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")
    response.set_etag(f"{asset.digest}-{encoding}")
    if current:
        response.headers["Cache-Control"] = IMMUTABLE
    response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Serve ``/static/`` from the store and make ``url_for('static', …)`` name versioned files."""
    store = AssetStore(Path(app.static_folder or ""))
    app.extensions["assets"] = store
    app.view_functions["static"] = lambda filename: serve(store, filename)

    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = store.versioned(values["filename"])

    @app.route("/favicon.ico")
    def favicon() -> Response:
        """Browsers ask for it whatever the page says: the same icon, by its old name."""
        return serve(store, "favicon.ico")
