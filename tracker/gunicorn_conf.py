"""gunicorn settings for TU-tracker: ``gunicorn -c python:tracker.gunicorn_conf 'tracker:create_app()'``.

Sets up prometheus_client's multiprocess mode for any gunicorn started with this file (not only
``tracker run``): every worker writes its counters to one directory, /metrics adds them up, and a worker that
exits is marked dead so its gauges do not linger.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

# Before any worker imports prometheus_client: the directory must be known when the counters are created.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="tracker-metrics-"))

# Above the app's MAX_URL_LENGTH, so the app answers long URLs itself (JSON 414 on the API).
limit_request_line = 8190


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: drop its live gauges from the shared directory."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
