"""The real app under gunicorn on 127.0.0.1: start, wait for /healthz, find the workers, read their peak RSS."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
# One key for the bench run: the synthetic build encrypts webhook secrets with it, and every server and
# worker the bench starts (production config, which refuses to run without keys) decrypts with it.
ENCRYPTION_KEYS = Fernet.generate_key().decode()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A running gunicorn: its port, master process and log file."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The master's child processes (the workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_peak_rss_mb(self) -> dict[int, float]:
        """Each worker's peak resident set (VmHWM) in MB, read from /proc."""
        peaks: dict[int, float] = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return peaks

    def worker_cpu_seconds(self) -> float:
        """User plus system CPU time the workers have used so far (from /proc/<pid>/stat)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / ticks

    def log_tail(self, lines: int = 30) -> str:
        """The end of gunicorn's output, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def server_env(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a production-like server: production config, a random secret, the bench database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        {
            "TRACKER_ENV": "production",
            "TRACKER_SECRET_KEY": os.urandom(24).hex(),
            "TRACKER_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_BASE_URL": "http://127.0.0.1",
            "TRACKER_SCHEDULER_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra or {})
    return env


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Poll /healthz until it answers 200; raise with the reason when the server dies or never answers."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
            last = f"status {response.status}"
        except OSError as exc:
            last = str(exc)
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy: {last}")


@contextmanager
def gunicorn(database_url: str, workdir: Path, *, workers: int = 2) -> Iterator[Server]:
    """Serve ``tracker:create_app()`` with ``workers`` sync workers on a free loopback port."""
    port = free_port()
    log_path = workdir / f"gunicorn-{port}.log"
    argv = [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
        "--backlog", "256", "--graceful-timeout", "5", "tracker:create_app()",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=server_env(database_url), stdout=log, stderr=log)
    server = Server(port, process, log_path)
    try:
        try:
            wait_healthy(port, process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{server.log_tail()}") from exc
        # Workers fork lazily after the master binds; wait until both are there.
        deadline = time.monotonic() + 10
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
