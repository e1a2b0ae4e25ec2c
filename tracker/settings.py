"""Load configuration once, in layers: config/default ← config/<TRACKER_ENV> ← TRACKER_* env ← test overrides."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "TRACKER_"
ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """The configuration cannot run: said once, at start-up, in words an operator understands."""


def _coerce(current: Any, raw: str) -> Any:
    """Turn an environment string into the type of the default it overrides."""
    if isinstance(current, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"expected a yes/no value, got {raw!r}")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` from the layers and check the result."""
    env = (overrides or {}).get("ENV_NAME") or os.environ.get("TRACKER_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"TRACKER_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    app.config.from_object(importlib.import_module("config.default"))
    app.config.from_object(importlib.import_module(f"config.{env}"))
    app.config["ENV_NAME"] = env
    for key, raw in os.environ.items():
        if not key.startswith(ENV_PREFIX) or key == "TRACKER_ENV":
            continue
        name = key.removeprefix(ENV_PREFIX)
        try:
            app.config[name] = _coerce(app.config.get(name, ""), raw)
        except (ValueError, ConfigError) as exc:
            raise ConfigError(f"{key}: {exc}") from exc
    if overrides:
        app.config.update(overrides)
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'tracker.db'}"
    _check(app.config)


def _check(config: Mapping[str, Any]) -> None:
    """Refuse configurations that would run insecurely or not at all."""
    if not config.get("SECRET_KEY"):
        raise ConfigError("TRACKER_SECRET_KEY must be set (a long random string)")
    url = str(config["DATABASE_URL"])
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError("TRACKER_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
    if config["ENV_NAME"] == "production" and not config.get("ENCRYPTION_KEYS"):
        raise ConfigError("production needs TRACKER_ENCRYPTION_KEYS (Fernet keys for secrets at rest)")
    for name, value in config.items():
        # Intervals, timeouts and limits: a negative one is a typo that would silently disable something.
        if name.endswith(("_SECONDS", "_TIMEOUT", "_INTERVAL", "_MINUTES", "_HOURS", "_DAYS")) and (
            isinstance(value, int | float) and not isinstance(value, bool) and value < 0
        ):
            raise ConfigError(f"TRACKER_{name} must not be negative (got {value})")
    if config["ENV_NAME"] == "production" and not config.get("SESSION_COOKIE_SECURE"):
        raise ConfigError("production needs secure cookies (https)")
