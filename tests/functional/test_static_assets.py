"""Static files: DKFDS vendored as the pinned package makes it, versioned names kept a year, compressed answers,
a favicon and a meta description on every page."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import brotli
import pytest
from flask.testing import FlaskClient

from tracker.web import vendor

STATIC = Path(__file__).resolve().parents[2] / "tracker" / "web" / "static"
PACKAGE = Path(__file__).resolve().parents[2] / "node_modules" / "dkfds"


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_load_dkfds_and_our_files_under_versioned_names(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    urls = _assets(html)
    assert any(re.fullmatch(r"/static/vendor/dkfds/css/dkfds\.min\.[0-9a-f]{12}\.css", u) for u in urls), urls
    assert any(re.fullmatch(r"/static/vendor/dkfds/js/dkfds\.min\.[0-9a-f]{12}\.js", u) for u in urls), urls
    assert all(re.search(r"\.[0-9a-f]{12}\.[a-z]+$", u) for u in urls), urls
    assert re.search(r'<meta name="description" content="[^"]{40,}">', html)
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">', html)


def test_a_versioned_file_is_kept_a_year_and_compressed(client: FlaskClient) -> None:
    css = next(u for u in _assets(client.get("/").get_data(as_text=True)) if "dkfds.min" in u and u.endswith(".css"))
    plain = client.get(css)
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    body = plain.data
    br = client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == body
    assert len(br.data) < len(body) / 5
    gz = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == body
    again = client.get(css, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_the_stylesheet_names_its_fonts_and_icons_by_version_too(client: FlaskClient) -> None:
    css_url = next(
        u for u in _assets(client.get("/").get_data(as_text=True)) if "dkfds.min" in u and u.endswith(".css")
    )
    css = client.get(css_url).get_data(as_text=True)
    fonts = re.findall(r"url\((\.\./fonts/[^)]+\.woff2)\)", css)
    assert fonts and all(re.search(r"\.[0-9a-f]{12}\.woff2$", f) for f in fonts)
    font = client.get(f"{css_url.rsplit('/', 2)[0]}/{fonts[0][3:]}")
    assert font.status_code == 200 and font.headers["Cache-Control"].endswith("immutable")


def test_an_old_or_plain_name_still_answers_but_briefly(client: FlaskClient) -> None:
    for url in ("/static/tracker.css", "/static/tracker.000000000000.css"):
        resp = client.get(url)
        assert resp.status_code == 200 and "immutable" not in resp.headers["Cache-Control"]
    assert client.get("/static/nothing.css").status_code == 404
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_vendored_files_are_what_the_pinned_package_gives(tmp_path: Path) -> None:
    """``make vendor-dkfds`` on the package pinned in package-lock.json reproduces static/vendor/dkfds exactly."""
    if not (PACKAGE / "package.json").exists():
        pytest.skip("node_modules/dkfds is not installed (npm ci)")
    lock = json.loads((PACKAGE.parents[1] / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/dkfds"]["version"]
    record = vendor.vendor(PACKAGE, tmp_path / "dkfds")
    committed = json.loads((STATIC / "vendor" / "dkfds" / "VENDORED.json").read_text())
    assert record == committed and committed["version"] == pinned
    for name in committed["files"]:
        assert (tmp_path / "dkfds" / name).read_bytes() == (STATIC / "vendor" / "dkfds" / name).read_bytes(), name
    assert "MIT" in (STATIC / "vendor" / "dkfds" / "LICENSE.md").read_text()
    shutil.rmtree(tmp_path / "dkfds")
