"""Vendoring Det Fælles Designsystem: copy what the pages use from the pinned npm package into static/.

Run by ``make vendor-dkfds`` (after ``npm ci`` has installed ``dkfds`` at the version pinned in package.json and
package-lock.json) as ``python3 tracker/web/vendor.py node_modules/dkfds tracker/web/static/vendor/dkfds``;
it needs only the standard library.
It copies the minified stylesheet and script, every file the stylesheet refers to (fonts, icons) and nothing
else, the icon sprite, and the licence, and writes VENDORED.json (version, licence, integrity, files) so the
repository records exactly what it carries. ``make run`` then needs no npm.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

# The built files the pages load; everything else is what the stylesheet references.
ENTRY_FILES = ("css/dkfds.min.css", "js/dkfds.min.js", "img/all-svg-icons.svg")
URL_REFERENCE = re.compile(r"url\(\s*['\"]?(?!data:)([^'\")?#]+)")


def referenced_files(stylesheet: Path) -> list[str]:
    """The files (relative to the package's dist/) that the stylesheet's ``url()``s name, in order."""
    seen: dict[str, None] = {}
    for target in URL_REFERENCE.findall(stylesheet.read_text(encoding="utf-8")):
        resolved = (Path("css") / target).as_posix()
        parts: list[str] = []
        for part in resolved.split("/"):
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        seen["/".join(parts)] = None
    return list(seen)


def vendor(package: Path, target: Path) -> dict[str, object]:
    """Replace ``target`` with the package's used files; return the record written to VENDORED.json."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    dist = package / "dist"
    # The stylesheet's trailing source-map comment names a file we do not ship: drop it with the map.
    files = [*ENTRY_FILES, *referenced_files(dist / "css" / "dkfds.min.css")]
    if target.exists():
        shutil.rmtree(target)
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        data = (dist / name).read_bytes()
        if name.endswith((".css", ".js")):
            data = re.sub(rb"\n?/[*/]# sourceMappingURL=[^\n]*", b"", data)
        destination.write_bytes(data)
    shutil.copyfile(package / "LICENSE.md", target / "LICENSE.md")
    record: dict[str, object] = {
        "package": meta["name"],
        "version": meta["version"],
        "license": meta["license"],
        "homepage": meta.get("homepage"),
        "files": {name: hashlib.sha256((target / name).read_bytes()).hexdigest() for name in files},
    }
    (target / "VENDORED.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return record


def main(argv: list[str]) -> int:
    """``python3 tracker/web/vendor.py PACKAGE_DIR TARGET_DIR``."""
    if len(argv) != 2:
        print(
            "usage: python3 tracker/web/vendor.py node_modules/dkfds tracker/web/static/vendor/dkfds", file=sys.stderr
        )
        return 2
    record = vendor(Path(argv[0]), Path(argv[1]))
    files = record["files"]
    assert isinstance(files, dict)
    print(f"dkfds {record['version']} ({record['license']}): {len(files)} files in {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
