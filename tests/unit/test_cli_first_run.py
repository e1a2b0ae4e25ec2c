"""The first run: ``tracker seed`` ends with the admin's one-time password in a box, and ``tracker organisations
list`` tells an operator the short names that ``tracker users create --organisation`` takes."""

from __future__ import annotations

from flask.testing import FlaskCliRunner

from tests.support.apps import make_test_app
from tracker.cli import framed
from tracker.db import make_engine
from tracker.migrate import upgrade


def test_the_first_seed_ends_with_the_password_framed(fresh_db: str) -> None:
    engine = make_engine(fresh_db)
    upgrade(engine)
    engine.dispose()
    result = make_test_app(fresh_db).test_cli_runner().invoke(args=["tracker", "seed", "--admin-email", "a@b.dk"])
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-1].startswith("+-") and lines[-5].startswith("+-") and lines[-1] == lines[-5]
    password = lines[-3].strip("| ").strip()
    assert "one-time password" in lines[-4] and len(password) >= 16 and " " not in password
    assert all(len(line) == len(lines[-1]) for line in lines[-5:])  # one box, straight edges


def test_framed_pads_every_line_to_the_widest() -> None:
    assert framed("ab", "abcd").splitlines()[1:4] == ["+------+", "| ab   |", "| abcd |"]


def test_organisations_list_names_each_short_name(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tracker", "organisations", "list"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["slug", "kind", "name"]
    slugs = [row.split()[0] for row in rows]
    assert slugs == sorted(slugs) and "kmd" in slugs
    kmd = next(row for row in rows if row.split()[0] == "kmd")
    assert "vendor" in kmd.split() and "KMD" in kmd
