"""nginx as a caching reverse proxy in front of gunicorn: the configuration the README documents, on loopback.

nginx (the Debian package) runs as an unprivileged process of its own — when the bench runs as root it drops
to ``nobody`` before exec — with its configuration, cache, temp files, logs and pid file in a temp folder.
It honours the app's ``Cache-Control`` (public answers are kept ``max-age`` seconds and served stale while
one request refreshes them), and passes anything with an ``Authorization`` header or a cookie straight
through. The rows measured: nginx serving a static file (this machine's ceiling), the anonymous
overview and solutions list through the cache, and the same two from gunicorn alone, in one run.
"""

from __future__ import annotations

import http.client
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.benchmarks import load
from tests.benchmarks.server import Server, free_port

STATIC_NAME = "static-ceiling.json"
# The directives the README shows, with the paths and ports filled in.
CONFIG = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    default_type application/octet-stream;

    proxy_cache_path {dir}/cache levels=1:2 keys_zone=tracker:10m max_size=512m inactive=10m use_temp_path=off;
    upstream tracker {{ server 127.0.0.1:{upstream}; keepalive 16; }}

    server {{
        listen 127.0.0.1:{port};
        location = /{static} {{ root {dir}/static; }}
        location / {{
            proxy_pass http://tracker;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_cache tracker;
            # Only what the app marks public is kept (Cache-Control decides, Vary splits); never a personal answer.
            proxy_cache_bypass $http_authorization $http_cookie;
            proxy_no_cache $http_authorization $http_cookie;
            proxy_cache_use_stale updating error timeout http_502 http_503 http_504;
            proxy_cache_background_update on;
            proxy_cache_lock on;
            proxy_cache_revalidate on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    """The nginx executable (Debian's package, installed when missing and root), or None."""
    return load.ensure_command("nginx", "nginx")


@contextmanager
def caching_proxy(upstream_port: int, workdir: Path) -> Iterator[str]:
    """Run nginx in front of ``upstream_port``; yields its base URL. Raises RuntimeError when it cannot start."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed")
    root = workdir / f"nginx-{upstream_port}"
    for sub in ("tmp", "cache", "static"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        CONFIG.format(dir=root, upstream=upstream_port, port=port, static=STATIC_NAME),
        encoding="utf-8",
    )
    demote = None
    if os.geteuid() == 0:  # never run the proxy as root: become nobody, who must own its folder
        nobody = pwd.getpwnam("nobody")
        for path in [root, *root.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        workdir.chmod(0o755)  # mkdtemp's 0700 would keep nobody out

        def demote() -> None:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)

    log = (root / "stdout.log").open("wb")
    process = subprocess.Popen(
        [binary, "-p", str(root), "-e", str(root / "error.log"), "-c", str(conf)],
        stdout=log,
        stderr=log,
        preexec_fn=demote,
    )
    try:
        _wait(port, process, root)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def _wait(port: int, process: subprocess.Popen[bytes], root: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = (root / "error.log").read_text(errors="replace")[-600:] if (root / "error.log").exists() else ""
            raise RuntimeError(f"nginx exited with {process.returncode}: {error}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.connect()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not start listening")


def _cache_status(url: str) -> str:
    """The proxy's verdict on a second GET of ``url`` (HIT, MISS, BYPASS, …), for the report."""
    load.fetch(url)
    _status, headers, _body = load.fetch(url)
    return headers.get("x-cache-status", "–")


def measure(server: Server, workdir: Path, *, seconds: float, connections: int, wrk: str | None) -> dict[str, Any]:
    """The rows of the cache tier in one run: nginx static, the overview and list through nginx and direct."""
    binary = nginx_binary()
    if binary is None:
        return {"note": "skipped: nginx is not installed (apt-get install nginx); the nginx rows need it"}
    try:
        with caching_proxy(server.port, workdir) as proxy:
            static_dir = workdir / f"nginx-{server.port}" / "static"
            _status, _headers, listing = load.fetch(server.base_url + "/api/v1/solutions?limit=100")
            (static_dir / STATIC_NAME).write_bytes(listing)  # the same bytes as the list: a fair ceiling
            os.chmod(static_dir / STATIC_NAME, 0o644)
            rows: dict[str, dict[str, Any]] = {}
            plan = [
                ("nginx_static", proxy + "/" + STATIC_NAME),
                ("overview_via_nginx", proxy + "/"),
                ("solutions_list_via_nginx", proxy + "/api/v1/solutions?limit=100"),
                ("overview_gunicorn", server.base_url + "/"),
                ("solutions_list_gunicorn", server.base_url + "/api/v1/solutions?limit=100"),
            ]
            for key, url in plan:
                cache = _cache_status(url) if url.startswith(proxy) and key != "nginx_static" else None
                load.drive(url, {}, seconds=min(1.0, seconds), connections=connections, wrk=wrk)  # warm
                result = load.drive(url, {}, seconds=seconds, connections=connections, wrk=wrk)
                parts = urlsplit(url)
                rows[key] = {**result.as_dict(), "path": parts.path + (f"?{parts.query}" if parts.query else "")}
                if cache is not None:
                    rows[key]["cache_status"] = cache
            ceiling = rows["nginx_static"]["rps"] or 1.0
            for row in rows.values():
                row["share_of_static"] = round(row["rps"] / ceiling, 3)
            return {"nginx": binary, "connections": connections, "rows": rows}
    except RuntimeError as exc:
        return {"note": f"skipped: {exc}"}
