"""Small rules the code keeps (issue 28 item 4), read from the source: one time zone, every ignore with its reason."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = [
    path for folder in ("tracker", "scrapers", "migrations", "config") for path in sorted((ROOT / folder).rglob("*.py"))
] + [ROOT / "wsgi.py"]
# A suppression names what it silences and then says why: ``
IGNORE = re.compile(r"#\s*(noqa|type:\s*ignore)\b(?P<rest>.*)$")
REASONED = re.compile(r"^(:\s*[A-Z0-9, ]+|\[[a-z-, ]+\])\s*(-|–|—|#|\()\s*\S")


def _lines(pattern: str) -> list[str]:
    found = []
    for path in CODE:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_danish_time_zone_is_defined_once() -> None:
    assert [line.split(":")[0] for line in _lines('ZoneInfo("Europe/Copenhagen")')] == ["tracker/vocabulary.py"]


def test_every_ignore_says_what_and_why() -> None:
    unexplained = []
    for path in CODE:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = IGNORE.search(line)
            if match and not REASONED.match(match.group("rest")):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert unexplained == []


def test_the_reason_check_tells_a_reason_from_none() -> None:
    assert REASONED.match(": S704 - vendored SVG")
    assert REASONED.match("[attr-defined]  # the stub lacks it")
    assert not REASONED.match(": S704")
    assert not REASONED.match("[return-value]")
