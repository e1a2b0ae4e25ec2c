"""Load configuration once, in layers: config/default ← config/<TRACKER_ENV> ← TRACKER_* env ← test overrides."""

from __future__ import annotations

import importlib
import ipaddress
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


# --- Checks of single settings: each returns what is wrong with a value, or None -----------------------------

Check = Callable[[Any], str | None]


def positive(value: Any) -> str | None:
    """A number above zero (an interval, a timeout, a size)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"expected a number, got {value!r}"
    if number < 0:
        return f"must not be negative (got {value})"
    return None if number > 0 else f"must be above 0, got {value!r}"


def not_negative(value: Any) -> str | None:
    """A number of zero or more (0 often means 'off' or 'derive it')."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"expected a number, got {value!r}"
    return None if number >= 0 else f"must not be negative (got {value})"


def _items(value: Any) -> list[str]:
    parts = value.split(",") if isinstance(value, str) else list(value or [])
    return [str(part).strip() for part in parts if str(part).strip()]


def cidrs(value: Any) -> str | None:
    """Comma-separated CIDR networks (or a list of them); empty is allowed."""
    for text in _items(value):
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return f"{text!r} is not a CIDR network (such as 10.0.0.0/8)"
    return None


def http_urls(value: Any) -> str | None:
    """Comma-separated absolute http(s) URLs (or one); empty is allowed."""
    for text in _items(value):
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{text!r} is not an http:// or https:// URL"
    return None


# Every setting with a check, in one place: a new setting registers its check here (or with ``register``).
CHECKS: dict[str, list[Check]] = {}


def register(name: str, *checks: Check) -> None:
    """Check setting ``name`` at every start; a failing check stops the app with a one-line message."""
    CHECKS.setdefault(name, []).extend(checks)


for _name in (
    "SCRAPE_INTERVAL_MINUTES",
    "SCRAPE_CONNECT_TIMEOUT",
    "SCRAPE_READ_TIMEOUT",
    "SCRAPE_MAX_TRIES",
    "SCRAPE_MAX_ARTICLES",
    "SCRAPE_UNHEALTHY_AFTER_FAILURES",
    "WEBHOOK_CONNECT_TIMEOUT",
    "WEBHOOK_READ_TIMEOUT",
    "WEBHOOK_BATCH_SIZE",
    "WEBHOOK_CONCURRENCY",
    "WEBHOOK_DISABLE_AFTER_HOURS",
    "MAIL_BATCH_SIZE",
    "MAIL_CONCURRENCY",
    "SCHEDULER_LEASE_SECONDS",
    "DELIVERY_INTERVAL_SECONDS",
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW_SECONDS",
    "API_PAGE_SIZE_MAX",
):
    register(_name, positive)
for _name in ("PROXY_HOPS", "SCRAPE_JITTER_SECONDS", "SCRAPE_BACKOFF_SECONDS", "WEBHOOK_CLAIM_SECONDS"):
    register(_name, not_negative)
register("WEBHOOK_ALLOWED_NETWORKS", cidrs)
register("BASE_URL", http_urls)
register("SCRAPE_BASE_URL", http_urls)
register("SCRAPE_WATCH_URLS", http_urls)


# Any other interval, timeout or limit: a negative one is a typo that would silently disable something.
DURATION_SUFFIXES = ("_SECONDS", "_TIMEOUT", "_INTERVAL", "_MINUTES", "_HOURS", "_DAYS")


def _checks_for(name: str, value: Any) -> list[Check]:
    if name in CHECKS:
        return CHECKS[name]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return [not_negative] if numeric and name.endswith(DURATION_SUFFIXES) else []


def _check_registered(config: Mapping[str, Any]) -> None:
    for name, value in config.items():
        for check in _checks_for(name, value):
            problem = check(value)
            if problem:
                raise ConfigError(f"{ENV_PREFIX}{name}: {problem}")


def _check(config: Mapping[str, Any]) -> None:
    """Refuse configurations that would run insecurely or not at all."""
    _check_registered(config)
    if not config.get("SECRET_KEY"):
        raise ConfigError("TRACKER_SECRET_KEY must be set (a long random string)")
    url = str(config["DATABASE_URL"])
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError("TRACKER_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
    if config["ENV_NAME"] == "production" and not config.get("ENCRYPTION_KEYS"):
        raise ConfigError("production needs TRACKER_ENCRYPTION_KEYS (Fernet keys for secrets at rest)")
    if config["ENV_NAME"] == "production" and not config.get("SESSION_COOKIE_SECURE"):
        raise ConfigError("production needs secure cookies (https)")
