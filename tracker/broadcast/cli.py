"""``tracker deliver [--once]``: run the webhook delivery worker outside the scheduler."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.broadcast import worker
from tracker.stopping import stop_event

STOP_MARGIN_SECONDS = 6.0  # after the grace period: releasing claims and leaving, before the watchdog ends it


@click.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between rounds (DELIVERY_INTERVAL_SECONDS).")
@with_appcontext
def deliver_command(once: bool, interval: float | None) -> None:
    """Send due webhook deliveries (several workers may run side by side). Stops on Ctrl-C / SIGTERM."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the LocalProxy stub does not declare its unwrapping method
    # On SIGTERM nothing new is sent; requests in flight get WEBHOOK_STOP_SECONDS, then their claims are
    # released for the next worker, so the process ends within seconds even with receivers that hang.
    grace = float(app.config.get("WEBHOOK_STOP_SECONDS") or 5.0)
    stop = stop_event(watchdog_seconds=grace + STOP_MARGIN_SECONDS)
    if once:
        report = worker.run_once(app, stop=stop)
        click.echo(f"deliveries: {report.claimed} claimed, {report.succeeded} succeeded, {report.failed} failed")
        return
    click.echo("delivery worker started")
    worker.serve(app, stop, interval=interval)
    click.echo("delivery worker stopped")
