"""``tracker run`` serves with gunicorn beside the scheduler, and Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.databases import fresh_database
from tests.support.waiting import wait_until
from tracker.db import make_engine
from tracker.migrate import upgrade

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return {int(p) for p in out.stdout.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_serves_and_ctrl_c_stops_web_and_scheduler(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        port = _free_port()
        env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_ENV": "development"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "run", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline, body = time.monotonic() + 60, b""
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                        body = resp.read()
                        break
                except OSError:
                    time.sleep(0.3)
            assert b'"database":"ok"' in body
            children = _children(proc.pid)
            assert len(children) == 2  # gunicorn master and the scheduler
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) is not None
            wait_until(lambda: not any(_alive(child) for child in children), what="gunicorn and the scheduler exit")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
