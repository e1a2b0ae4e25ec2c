"""/metrics in Prometheus text: request counts and latency, plus scheduler, job and outbox state from the database.

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``tracker run``) lets every worker's counters add up.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.clock import utcnow
from tracker.db import get_db
from tracker.errors import error_response
from tracker.models import ChangeEvent, Delivery, JobRun, SchedulerLease, Source
from tracker.outbox.queues import QUEUES
from tracker.outbox.stats import queue_stats

REQUESTS = Counter("tracker_http_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "HTTP request latency",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class StateCollector(Collector):
    """Scheduler, job, outbox and source state, read from the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        """Remember the app whose database to read."""
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield gauges; a database outage yields tracker_up 0 instead of an error."""
        up = GaugeMetricFamily("tracker_database_up", "Whether the database answered")
        try:
            with get_db(self.app).sessionmaker() as session:
                lease = session.get(SchedulerLease, "scheduler")
                leader = GaugeMetricFamily("tracker_scheduler_leader_lease_valid", "A scheduler holds a valid lease")
                leader.add_metric([], 1.0 if lease is not None and lease.expires_at > utcnow() else 0.0)
                last = GaugeMetricFamily(
                    "tracker_job_last_run_timestamp_seconds",
                    "Last run of each job",
                    labels=["job", "outcome"],
                )
                rows = session.execute(
                    select(JobRun.job_id, JobRun.outcome, func.max(JobRun.started_at)).group_by(
                        JobRun.job_id, JobRun.outcome
                    )
                )
                for job_id, outcome, started in rows:
                    last.add_metric([job_id, outcome], started.timestamp() if started else 0.0)
                pending = GaugeMetricFamily("tracker_deliveries_pending", "Webhook deliveries waiting")
                pending.add_metric(
                    [], float(session.scalar(select(func.count()).where(Delivery.state == "pending")) or 0)
                )
                queues = _queue_families(session)
                events = GaugeMetricFamily("tracker_last_event_id", "Latest change-event id")
                events.add_metric([], float(session.scalar(select(func.max(ChangeEvent.id))) or 0))
                unhealthy = GaugeMetricFamily("tracker_sources_unhealthy", "Sources marked unhealthy")
                unhealthy.add_metric(
                    [], float(session.scalar(select(func.count()).where(Source.healthy.is_(False))) or 0)
                )
            up.add_metric([], 1.0)
            yield from (leader, last, pending, *queues, events, unhealthy)
        except Exception:
            up.add_metric([], 0.0)
        yield up


def _queue_families(session: Session) -> tuple[GaugeMetricFamily, ...]:
    """Each outbox (webhook, mail): rows pending, rows failed for good, age of the oldest pending row."""
    pending = GaugeMetricFamily("tracker_outbox_pending", "Outbox rows waiting to be sent", labels=["queue"])
    failed = GaugeMetricFamily("tracker_outbox_failed", "Outbox rows that gave up", labels=["queue"])
    oldest = GaugeMetricFamily(
        "tracker_outbox_oldest_pending_age_seconds", "Age of the oldest waiting outbox row", labels=["queue"]
    )
    now = utcnow()
    for queue in QUEUES:
        stats = queue_stats(session, queue, now)
        pending.add_metric([queue.name], float(stats.pending))
        failed.add_metric([queue.name], float(stats.failed))
        oldest.add_metric([queue.name], stats.oldest_pending_age_seconds)
    return pending, failed, oldest


def _multiprocess() -> bool:
    """Whether prometheus_client keeps the counters in files (multiprocess mode: PROMETHEUS_MULTIPROC_DIR was set
    before it was imported, as ``gunicorn_conf`` does), not whether the variable is set now: set later, the
    counters still live in this process, and reading the files would lose them."""
    return values.ValueClass is not values.MutexValue


def init_app(app: Flask) -> None:
    """Time every request and serve /metrics."""
    state_registry = CollectorRegistry()
    state_registry.register(StateCollector(app))

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _record(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        started = g.get("request_started")
        if started is not None:
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        return response

    networks = [
        ipaddress.ip_network(n.strip(), strict=False)
        for n in str(app.config.get("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")).split(",")
        if n.strip()
    ]

    def _allowed() -> bool:
        token = str(app.config.get("METRICS_TOKEN") or "")
        sent = request.headers.get("Authorization", "")
        if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
        try:
            address = ipaddress.ip_address(request.remote_addr or "")
        except ValueError:
            return False
        return any(address in network for network in networks)

    @app.get("/metrics")
    def metrics() -> Response:
        if not _allowed():
            return error_response(403, "forbidden", "Metrikkerne er kun for driften (tilladte netværk eller token).")
        if _multiprocess():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            body = generate_latest(registry)
        else:
            from prometheus_client import REGISTRY

            body = generate_latest(REGISTRY)
        body += generate_latest(state_registry)
        # content_type, not mimetype: Flask would append a second "charset" (Prometheus 3 refuses that).
        return Response(body, content_type=CONTENT_TYPE_LATEST)
