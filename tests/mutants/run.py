"""``make mutants`` (``python -m tests.mutants.run``): hand-written mutants, each against the tests meant to kill it.

Each mutant in ``tests.mutants.catalogue`` names a file, an exact snippet of it, its replacement and the test files
(or node ids) that should notice. The worktree is copied once into a temporary directory (the real sources are
never edited); each mutant is applied there alone, its tests run with ``pytest -x`` against the copy, and the copy
is restored. Outcomes:

- ``killed``   — a test failed (or the mutated module no longer imports);
- ``timeout``  — the tests ran past ``--timeout`` (not counted as killed: on a loaded machine a survivor's tests
  may simply run long; rerun it alone);
- ``survived`` — every test passed: a missing test, or a mutant that changes nothing observable;
- ``stale``    — the snippet is no longer in the file (or occurs more than once): the code moved under the
  mutant, so rewrite it; a stale mutant is not counted in the score but makes the run fail;
- ``error``    — the mutant does not compile or its tests select nothing: a mistake in the catalogue.

Before the mutants, every test file they name runs once on the unmutated copy (``--no-baseline`` skips it): a test
that fails already would "kill" every mutant. The score is killed over the mutants that ran (timeouts included);
the run exits 1 when it is below ``--min-score`` (90 %) or any mutant is stale or in error.
Not part of ``make test`` or CI: about an hour on two idle cores (each mutant starts pytest and builds its database),
far longer on a loaded machine; ``--only`` runs some.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mutants.catalogue import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[2]
# Never copied: the virtualenv, caches, local databases. node_modules is linked (the browser suite's axe-core).
_SKIP_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "instance"}
_LINKED = {"node_modules"}


@dataclass
class Result:
    """What one mutant came to."""

    mutant: Mutant
    outcome: str
    seconds: float = 0.0
    detail: str = ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The runner's options; the defaults are what ``make mutants`` runs."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutants.run", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated mutant ids, or prefixes ending in * (e.g. 'I*,N6')")
    parser.add_argument("--list", action="store_true", help="list the mutants and whether each snippet is found")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the unmutated tests")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per mutant's tests (default 600)")
    parser.add_argument("--min-score", type=float, default=0.9, help="exit 1 below this share killed (default 0.9)")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (its path is printed)")
    return parser.parse_args(argv)


def selected(only: str) -> list[Mutant]:
    """The mutants named by ``--only`` (exact ids, or a prefix ending in ``*``: ``N*``), else all of them."""
    if not only:
        return list(MUTANTS)
    chosen: dict[str, Mutant] = {}
    for w in (w.strip() for w in only.split(",") if w.strip()):  # in the order asked
        for m in MUTANTS:
            if m.id == w or (w.endswith("*") and m.id.startswith(w[:-1])):
                chosen.setdefault(m.id, m)
    return list(chosen.values())


def copy_tree(target: Path) -> None:
    """The worktree's files as they are now (uncommitted edits included), without caches or the virtualenv."""
    for path in ROOT.iterdir():
        if path.name in _SKIP_DIRS:
            continue
        if path.name in _LINKED:
            (target / path.name).symlink_to(path.resolve())
        elif path.is_dir():
            shutil.copytree(path, target / path.name, ignore=shutil.ignore_patterns(*_SKIP_DIRS, "*.pyc"))
        else:
            shutil.copy2(path, target / path.name)


def environment(copy: Path) -> dict[str, str]:
    """The tests import the copy (not the installed editable package); its bytecode stays inside the copy."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy)
    env["PYTHONPYCACHEPREFIX"] = str(copy / ".pycache")
    env.setdefault("TRACKER_ENV", "testing")
    return env


_stamps = itertools.count(int(time.time()) + 10, 2)


def write(path: Path, text: str) -> None:
    """Write ``text`` with a modification time (whole seconds) the file never had before.

    A .pyc is reused when the source's mtime (in seconds) and size match; a same-size mutant written within the
    same second as the original would otherwise run as the original.
    """
    path.write_text(text, encoding="utf-8")
    stamp = next(_stamps)
    os.utime(path, (stamp, stamp))


def check_imports_copy(copy: Path, env: dict[str, str]) -> None:
    """Refuse to run if ``tracker`` or ``scrapers`` would be imported from anywhere but the copy."""
    probe = "import tracker, scrapers; print(tracker.__file__); print(scrapers.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=copy, env=env, capture_output=True, text=True, check=True
    ).stdout
    for line in out.split():
        if not Path(line).resolve().is_relative_to(copy.resolve()):
            raise SystemExit(f"the tests would import {line}, not the copy in {copy}: refusing to run")


def pytest(copy: Path, env: dict[str, str], tests: tuple[str, ...], timeout: float) -> tuple[int | None, str]:
    """Run ``tests`` in the copy with ``-x``; the exit code (None on timeout) and the output's tail."""
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--no-header", *tests]
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, ""
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return done.returncode, "\n".join(lines[-12:])


def count_in(copy: Path, mutant: Mutant) -> int:
    """How often the mutant's snippet occurs in its file (0 when the file is gone)."""
    path = copy / mutant.file
    return path.read_text(encoding="utf-8").count(mutant.original) if path.exists() else 0


def run_one(copy: Path, env: dict[str, str], mutant: Mutant, timeout: float) -> Result:
    """Apply one mutant in the copy, run its tests, restore the file."""
    path = copy / mutant.file
    found = count_in(copy, mutant)
    if found != 1:
        why = "snippet not found" if found == 0 else f"snippet occurs {found} times"
        return Result(mutant, "stale", detail=f"{why} in {mutant.file}")
    original = path.read_text(encoding="utf-8")
    mutated = original.replace(mutant.original, mutant.replacement)
    try:
        compile(mutated, str(path), "exec")
    except SyntaxError as exc:
        return Result(mutant, "error", detail=f"does not compile: {exc}")
    started = time.monotonic()
    write(path, mutated)
    try:
        code, tail = pytest(copy, env, mutant.tests, timeout)
    finally:
        write(path, original)
    seconds = time.monotonic() - started
    if code is None:
        return Result(mutant, "timeout", seconds)
    if code == 0:
        return Result(mutant, "survived", seconds)
    if code in (1, 2):  # 1: a test failed; 2: collection failed (the mutated module does not import)
        return Result(mutant, "killed", seconds, _first_failure(tail))
    return Result(mutant, "error", seconds, f"pytest exit {code} (no tests selected, or a usage error)\n{tail}")


def _first_failure(tail: str) -> str:
    failed = [line for line in tail.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return failed[0][:160] if failed else ""


def baseline(copy: Path, env: dict[str, str], mutants: list[Mutant], timeout: float) -> None:
    """Every named test passes unmutated, or there is nothing to measure."""
    files = sorted({t.split("::")[0] for m in mutants for t in m.tests if not t.startswith("-")})
    print(f"baseline: {len(files)} test files on the unmutated copy …", flush=True)
    started = time.monotonic()
    code, tail = pytest(copy, env, tuple(files), timeout * 4)
    if code != 0:
        raise SystemExit(f"the unmutated tests do not pass (exit {code}); fix them first:\n{tail}")
    print(f"baseline: passed in {time.monotonic() - started:.0f} s", flush=True)


def report(results: list[Result], min_score: float) -> int:
    """The table, the score and the exit code."""
    for r in results:
        if r.outcome in ("survived", "stale", "error"):
            print(f"  {r.outcome.upper():9} {r.mutant.id:6} {r.mutant.file}: {r.mutant.why}")
            if r.detail:
                print("            " + r.detail.replace("\n", "\n            "))
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("killed", "timeout", "survived", "stale", "error")}
    # A timeout is not counted as killed: on a loaded machine a surviving mutant's tests can simply run long.
    ran = counts["killed"] + counts["timeout"] + counts["survived"]
    dead = counts["killed"]
    score = dead / ran if ran else 0.0
    print(
        f"\nmutants: {len(results)} — killed {counts['killed']}, timeout {counts['timeout']}, "
        f"survived {counts['survived']}, stale {counts['stale']}, error {counts['error']}"
    )
    print(f"score: {dead}/{ran} killed = {score:.0%} (target {min_score:.0%})")
    return 0 if ran and score >= min_score and not counts["stale"] and not counts["error"] else 1


def main(argv: list[str] | None = None) -> int:
    """Copy, baseline, run each mutant, report."""
    args = parse_args(argv)
    mutants = selected(args.only)
    if not mutants:
        raise SystemExit(f"no mutant matches {args.only!r}")
    duplicates = {m.id for m in MUTANTS if sum(1 for n in MUTANTS if n.id == m.id) > 1}
    if duplicates:
        raise SystemExit(f"mutant ids used twice: {sorted(duplicates)}")
    if args.list:
        for m in mutants:
            found = count_in(ROOT, m)
            state = "ok" if found == 1 else "STALE" if found == 0 else f"AMBIGUOUS×{found}"
            print(f"{m.id:6} {state:12} {m.file}: {m.why}")
        return 0
    # Stopped (kill, Ctrl-C): the running pytest is killed (subprocess.run does that when interrupted) and the
    # copy removed, by the ``finally`` below.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    copy = Path(tempfile.mkdtemp(prefix="tracker-mutants-"))
    try:
        copy_tree(copy)
        env = environment(copy)
        check_imports_copy(copy, env)
        if not args.no_baseline:
            baseline(copy, env, mutants, args.timeout)
        results: list[Result] = []
        for number, mutant in enumerate(mutants, 1):
            result = run_one(copy, env, mutant, args.timeout)
            results.append(result)
            print(
                f"[{number:3}/{len(mutants)}] {mutant.id:6} {result.outcome:8} {result.seconds:5.0f} s  "
                f"{mutant.file}  {result.detail.splitlines()[0] if result.detail else ''}",
                flush=True,
            )
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    [
                        {"id": r.mutant.id, "file": r.mutant.file, "outcome": r.outcome, "seconds": round(r.seconds)}
                        for r in results
                    ],
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
        return report(results, args.min_score)
    finally:
        if args.keep:
            print(f"copy kept in {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
