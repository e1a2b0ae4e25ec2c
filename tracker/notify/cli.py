"""``tracker notify [--once]``: write due digests and send due mail outside the scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.clock import clock_set_to
from tracker.notify import worker
from tracker.stopping import stop_event


@click.command("notify")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between rounds (MAIL_INTERVAL_SECONDS).")
@click.option(
    "--at",
    "at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="With --once: run as at this instant (UTC unless an offset is given), e.g. a replay, or a test's fixed "
    "clock handed to this process.",
)
@with_appcontext
def notify_command(once: bool, interval: float | None, at: datetime | None) -> None:
    """Send due e-mail: immediate alerts and daily/weekly digests. Stops on Ctrl-C / SIGTERM."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the LocalProxy stub does not declare its unwrapping method
    if at is not None and not once:
        raise click.UsageError("--at goes with --once.")
    if once:
        instant = None if at is None else at if at.tzinfo else at.replace(tzinfo=UTC)
        if instant is None:
            r = worker.run_once(app)
        else:
            with clock_set_to(lambda: instant):
                r = worker.run_once(app, clock=lambda: instant)
        click.echo(f"mail: {r.digests} digests written, {r.claimed} claimed, {r.sent} sent, {r.failed} failed")
        return
    # A mail in flight may take MAIL_TIMEOUT; past that, the watchdog ends the process (the lease brings it back).
    stop = stop_event(watchdog_seconds=float(app.config.get("MAIL_TIMEOUT") or 30.0) + 10.0)
    click.echo("mail worker started")
    worker.serve(app, stop, interval=interval)
    click.echo("mail worker stopped")
