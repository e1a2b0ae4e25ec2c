"""Configuration: defaults ← environment file ← TRACKER_* variables ← test overrides, checked once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from tracker.settings import ConfigError, load_config


def _load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], **overrides: object) -> Flask:
    for key in list(os.environ):
        if key.startswith("TRACKER_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = Flask("cfgtest", instance_path=str(tmp_path / "instance"))
    load_config(app, overrides or None)
    return app


def test_development_defaults_to_sqlite_under_instance(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = _load(monkeypatch, tmp_path, {})
    assert app.config["ENV_NAME"] == "development"
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'tracker.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_environment_variables_override_with_types(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = _load(
        monkeypatch,
        tmp_path,
        {
            "TRACKER_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/x",
            "TRACKER_SCRAPE_INTERVAL_MINUTES": "15",
            "TRACKER_SCHEDULER_ENABLED": "no",
            "TRACKER_WEBHOOK_READ_TIMEOUT": "2.5",
            "TRACKER_LANGUAGES": "da, en",
        },
    )
    assert app.config["DATABASE_URL"].startswith("postgresql")
    assert app.config["SCRAPE_INTERVAL_MINUTES"] == 15
    assert app.config["SCHEDULER_ENABLED"] is False
    assert app.config["WEBHOOK_READ_TIMEOUT"] == 2.5
    assert app.config["LANGUAGES"] == ["da", "en"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRACKER_ENV": "staging"}, "TRACKER_ENV must be one of"),
        ({"TRACKER_SCRAPE_INTERVAL_MINUTES": "often"}, "TRACKER_SCRAPE_INTERVAL_MINUTES"),
        ({"TRACKER_SCHEDULER_ENABLED": "perhaps"}, "yes/no"),
        ({"TRACKER_DATABASE_URL": "mysql://x"}, "sqlite:// or postgresql"),
        ({"TRACKER_ENV": "production"}, "TRACKER_SECRET_KEY must be set"),
        ({"TRACKER_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32, 10.0.0.0/33"}, "'10.0.0.0/33' is not a CIDR network"),
        ({"TRACKER_BASE_URL": "tu-tracker.kl.dk"}, "TRACKER_BASE_URL: 'tu-tracker.kl.dk' is not an http"),
        ({"TRACKER_SCRAPE_WATCH_URLS": "https://a.example/x, ftp://b"}, "TRACKER_SCRAPE_WATCH_URLS: 'ftp://b'"),
        ({"TRACKER_SCRAPE_INTERVAL_MINUTES": "0"}, "TRACKER_SCRAPE_INTERVAL_MINUTES: must be above 0"),
        ({"TRACKER_WEBHOOK_READ_TIMEOUT": "-1"}, "TRACKER_WEBHOOK_READ_TIMEOUT: must not be negative"),
        ({"TRACKER_PROXY_HOPS": "-1"}, "TRACKER_PROXY_HOPS: must not be negative"),
    ],
)
def test_bad_configuration_is_refused_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(monkeypatch, tmp_path, env)


def test_production_with_a_secret_uses_secure_host_cookies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="  # a Fernet key for this test only
    app = _load(
        monkeypatch,
        tmp_path,
        {"TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "x" * 40, "TRACKER_ENCRYPTION_KEYS": key},
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_a_bad_setting_stops_the_command_line_with_one_line(tmp_path: Path) -> None:
    """The ``tracker`` command refuses to start on a bad value: one line on stderr, no traceback."""
    env = {**os.environ, "TRACKER_WEBHOOK_ALLOWED_NETWORKS": "not-a-network", "TRACKER_ENV": "testing"}
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    done = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "TU-tracker cannot start: TRACKER_WEBHOOK_ALLOWED_NETWORKS: "
        "'not-a-network' is not a CIDR network (such as 10.0.0.0/8)"
    ]
