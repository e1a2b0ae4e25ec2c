"""Item 15: `make run` installs only the service's dependencies; a bad `db upgrade` says so in one line;
negative intervals are refused; requests-hardened is gone (it was never imported)."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tracker.settings import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[3]


def test_make_run_installs_only_runtime_dependencies(tmp_path: Path) -> None:
    plan = subprocess.run(
        ["make", "-n", "-B", "run", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pip install --quiet -e ." in plan
    assert "[test]" not in plan
    test_plan = subprocess.run(
        ["make", "-n", "-B", "test", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'.[test]'" in test_plan


def test_requests_hardened_is_not_a_dependency() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "requests-hardened" not in config["options"]["install_requires"]


def test_db_upgrade_to_an_unknown_revision_is_one_readable_line(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tracker", "db", "upgrade", "--revision", "nosuch"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "nosuch" in lines[0], result.output


def test_negative_intervals_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("TRACKER_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TRACKER_LOGIN_WINDOW_SECONDS", "-900")
    with pytest.raises(ConfigError, match="must not be negative"):
        load_config(Flask("cfg", instance_path=str(tmp_path)), {"ENV_NAME": "testing"})
