"""Small rules the code keeps (issue 28 item 4), read from the source: one time zone, one clock, every ignore with
its reason."""

from __future__ import annotations

import ast
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
    assert [line.split(":")[0] for line in _lines('ZoneInfo("Europe/Copenhagen")')] == ["tracker/clock.py"]


# What reads the wall clock; ``time.monotonic``/``perf_counter`` (durations) are not the time of day.
WALL_CLOCK = {"now", "utcnow", "today", "time", "time_ns", "localtime", "gmtime"}


def _wall_clock_reads(path: Path) -> list[str]:
    """Calls such as ``datetime.now(UTC)``, ``date.today()``, ``time.time()`` (however the module is imported)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WALL_CLOCK:
            owner = ast.unparse(node.func.value).split(".")[-1]
            if owner in {"datetime", "date", "time"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_service_reads_the_time_from_its_one_clock() -> None:
    """``tracker.clock`` is the only reader of the wall clock, so a test or a replay can set the time for all.

    The scrapers are left out: they import nothing of ``tracker`` (their fetch time stamps a page, decides nothing).
    """
    app_code = [path for path in CODE if path.is_relative_to(ROOT / "tracker") and path.name != "clock.py"]
    assert [read for path in app_code for read in _wall_clock_reads(path)] == []
    assert len(_wall_clock_reads(ROOT / "tracker" / "clock.py")) == 1  # the check sees a read where there is one


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
