"""Item 7: /metrics has one charset parameter, is served only to allowed networks or with the metrics token,
and the app's own gunicorn configuration sets up multiprocess counters."""

from __future__ import annotations

import importlib
import os

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_one_charset_parameter(client: FlaskClient) -> None:
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].count("charset") == 1
    assert "tracker_http_requests_total" in resp.get_data(as_text=True)


def test_only_allowed_networks_or_the_token(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "m-secret-token")
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer nope"}).status_code == 403
    ok = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer m-secret-token"})
    assert ok.status_code == 200


def test_the_gunicorn_config_sets_up_multiprocess_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # setenv first, so the variable the config module sets is undone after the test (other tests read it).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "unused")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    conf = importlib.reload(importlib.import_module("tracker.gunicorn_conf"))
    assert os.path.isdir(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert conf.limit_request_line == 8190 and callable(conf.child_exit)
