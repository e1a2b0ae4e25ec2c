"""Load generators: wrk (Debian's package) when installed, else a bounded Python one; loopback only.

Both report requests/s and p50/p95/p99 latency for one URL driven for a fixed time by a fixed number of
connections, so each route's throughput can be set against /healthz of the same server in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"p50\": %d, \"p95\": %d, \"p99\": %d}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one route under load."""

    tool: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        """JSON-ready, with requests/s."""
        return {**asdict(self), "rps": round(self.rps, 1)}


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not host.startswith("127."):
        raise ValueError(f"the bench drives loopback servers only, not {host!r}")


def _installed(command: str) -> str | None:
    """``command``'s path on PATH or in /usr/sbin (where Debian puts nginx), else None."""
    sbin = f"/usr/sbin/{command}"
    return shutil.which(command) or (sbin if os.access(sbin, os.X_OK) else None)


def ensure_command(command: str, package: str, *, try_install: bool = True) -> str | None:
    """``command``'s path; when missing and we are root, try Debian's ``package`` once (services not started)."""
    path = _installed(command)
    if path or not try_install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return path
    # RUNLEVEL=1: invoke-rc.d starts no service the package brings (nginx would otherwise take port 80).
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    for argv in (
        ["apt-get", "install", "-y", "-q", package],
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", package],
    ):
        try:
            subprocess.run(argv, env=env, capture_output=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if _installed(command):
            break
    return _installed(command)


def ensure_wrk(try_install: bool = True) -> str | None:
    """wrk's path (installed from Debian's package when missing and root). None: use the Python generator."""
    return ensure_command("wrk", "wrk", try_install=try_install)


def run_wrk(wrk: str, url: str, headers: Mapping[str, str], *, seconds: float, connections: int) -> LoadResult:
    """Drive ``url`` with wrk (one thread) and read the summary its Lua ``done`` hook prints as JSON."""
    _check_loopback(url)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        argv = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        proc = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        os.unlink(script.name)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    return LoadResult(
        tool="wrk",
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=raw["errors"],
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
    )


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def run_python(url: str, headers: Mapping[str, str], *, seconds: float, connections: int) -> LoadResult:
    """Threads with keep-alive ``http.client`` connections (reopened when the server closes), for a fixed time."""
    _check_loopback(url)
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    deadline = time.monotonic() + seconds

    def _worker(slot: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers=dict(headers))
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[slot] += 1
                latencies[slot].append(time.perf_counter() - started)
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=10)
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=_worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    elapsed = time.monotonic() - started
    merged = sorted(value * 1000 for values in latencies for value in values)
    return LoadResult(
        tool="python",
        requests=len(merged),
        seconds=elapsed,
        errors=sum(errors),
        p50_ms=_percentile(merged, 50),
        p95_ms=_percentile(merged, 95),
        p99_ms=_percentile(merged, 99),
    )


def drive(url: str, headers: Mapping[str, str], *, seconds: float, connections: int, wrk: str | None) -> LoadResult:
    """Drive one URL with wrk when given, else with the Python generator."""
    if wrk:
        return run_wrk(wrk, url, headers, seconds=seconds, connections=connections)
    return run_python(url, headers, seconds=seconds, connections=connections)


def fetch(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET: status, headers (lower-case names) and body."""
    _check_loopback(url)
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=dict(headers or {}))
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()
