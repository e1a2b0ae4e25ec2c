"""The ``tracker`` command: a Flask CLI group (``flask --app wsgi tracker …`` works too)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup
from sqlalchemy import select

from tracker import crypto
from tracker.auth.admin import apply_active
from tracker.auth.audit import record
from tracker.auth.tokens import create_token
from tracker.auth.users import create_user
from tracker.broadcast.cli import deliver_command
from tracker.db import get_db
from tracker.errors import AppError
from tracker.ingest.cli import scrape_command
from tracker.models import Organisation, User
from tracker.notify.cli import notify_command
from tracker.seed import seed
from tracker.settings import ConfigError
from tracker.stopping import stop_event

# Who history and the audit trail name for actions taken on the command line.
CLI_ACTOR = "tracker CLI (server operator)"

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss "%(a)s"'

cli = AppGroup("tracker", help="TU-tracker: registry of TU-løsninger.")
db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="User accounts.")
tokens_cli = AppGroup("tokens", help="API tokens.")
organisations_cli = AppGroup("organisations", help="Organisations (vendors, authorities) and their short names.")
cli.add_command(db_cli)
cli.add_command(organisations_cli)
cli.add_command(users_cli)
cli.add_command(tokens_cli)
cli.add_command(scrape_command)  # tracker scrape [SOURCE…] [--file] [--dry-run] [--json] [--list]
cli.add_command(deliver_command)  # tracker deliver [--once]
cli.add_command(notify_command)  # tracker notify [--once]


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database to the latest schema."""
    from tracker.migrate import upgrade  # alembic (0.2 s to import) loads only for this command

    try:
        upgrade(get_db().engine, revision)
    except Exception as exc:
        raise click.ClickException(f"database upgrade to {revision!r} failed: {_one_line(exc)}") from exc
    click.echo(f"database at {revision}")


def _one_line(exc: Exception) -> str:
    """An error as one readable line (alembic's messages span several; driver errors carry SQL)."""
    text = " ".join(str(exc).split())
    return (text[:300] + "…") if len(text) > 300 else text or type(exc).__name__


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    from tracker.migrate import downgrade  # alembic loads only for this command

    try:
        downgrade(get_db().engine, revision)
    except Exception as exc:
        raise click.ClickException(f"database downgrade to {revision!r} failed: {_one_line(exc)}") from exc
    click.echo(f"database at {revision}")


@cli.command("seed")
@click.option("--admin-email", default="admin@tu-tracker.local", show_default=True)
def seed_command(admin_email: str) -> None:
    """Load the 98 municipalities, organisations and starter solutions (idempotent)."""
    with get_db().unit_of_work() as session:
        report = seed(session, admin_email=admin_email)
    click.echo(
        f"municipalities: {report.municipalities_created} created, {report.municipalities_updated} updated; "
        f"organisations: {report.organisations_created} created; solutions: {report.solutions_created} created"
    )
    if report.admin_password:
        click.echo(
            framed(
                f"admin {report.admin_email} created with one-time password:",
                report.admin_password,
                "Log in and change it now; it is not shown again.",
            )
        )


def framed(*lines: str) -> str:
    """Lines in a box, so a one-time secret stands out from the output around it."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join(["", rule, *(f"| {line.ljust(width)} |" for line in lines), rule, ""])


@organisations_cli.command("list")
def organisations_list() -> None:
    """Every organisation's short name (for ``--organisation``), kind and name."""
    with get_db().unit_of_work() as session:
        rows = session.execute(
            select(Organisation.slug, Organisation.kind, Organisation.name).order_by(Organisation.slug)
        )
        found = list(rows)
    width = max((len(slug) for slug, _, _ in found), default=4)
    click.echo(f"{'slug'.ljust(width)}  {'kind'.ljust(16)}  name")
    for slug, kind, name in found:
        click.echo(f"{slug.ljust(width)}  {kind.ljust(16)}  {name}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "coordinator", "vendor", "municipality"]))
@click.option("--organisation", help="Organisation slug (vendors).")
@click.option("--municipality", help="Municipality code (municipality users).")
@click.option("--name", default=None)
def users_create(email: str, role: str, organisation: str | None, municipality: str | None, name: str | None) -> None:
    """Create a user and print a one-time password."""
    try:
        with get_db().unit_of_work() as session:
            user, password = create_user(
                session,
                email=email,
                role=role,
                organisation=organisation,
                municipality=municipality,
                name=name,
            )
            record(
                session,
                "user.create",
                actor=None,
                actor_label=CLI_ACTOR,
                object_type="user",
                object_id=user.id,
                details={"email": user.email, "role": user.role},
            )
    except AppError as exc:
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from exc
    click.echo(f"user {user.email} ({user.role}) created with one-time password: {password}")


@users_cli.command("deactivate")
@click.option("--email", required=True)
def users_deactivate(email: str) -> None:
    """Deactivate a user: sessions end; their webhook subscriptions and feed tokens stop."""
    try:
        with get_db().unit_of_work() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise click.ClickException(f"no user with e-mail {email}")
            apply_active(session, user=user, active=False, actor=None, actor_label=CLI_ACTOR)
    except AppError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"user {email.strip().lower()} deactivated")


@cli.command("rotate-secrets")
def rotate_secrets() -> None:
    """Re-encrypt every stored webhook secret with the first key of TRACKER_ENCRYPTION_KEYS."""
    from sqlalchemy import text

    count = 0
    with get_db().unit_of_work() as session:
        # Read and write the stored form itself (the ORM column would decrypt on read).
        rows = session.execute(text("SELECT id, secret, previous_secret FROM subscription")).all()
        for row_id, secret, previous in rows:
            session.execute(
                text("UPDATE subscription SET secret = :s, previous_secret = :p WHERE id = :id"),
                {"s": crypto.rotate(secret), "p": crypto.rotate(previous) if previous else previous, "id": row_id},
            )
            count += 1
        record(session, "secrets.rotate", actor=None, actor_label=CLI_ACTOR, details={"subscriptions": count})
    click.echo(f"{count} webhook secrets re-encrypted with the newest key")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def tokens_create(email: str, name: str) -> None:
    """Create an API token for a user and print it once."""
    with get_db().unit_of_work() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            raise click.ClickException(f"no active user with e-mail {email}")
        token, plain = create_token(session, user, name)
        record(
            session,
            "token.create",
            actor=user,
            actor_label=CLI_ACTOR,
            object_type="api_token",
            object_id=token.id,
            details={"name": name, "prefix": token.prefix},
        )
    click.echo(plain)


@cli.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler (stands by unless it holds the leader lock). Stops on Ctrl-C / SIGTERM."""
    from tracker import scheduler  # apscheduler loads only for this command

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the LocalProxy stub does not declare its unwrapping method
    stop = stop_event()  # no watchdog: a running job (a scrape) is let finish and record its run
    click.echo(f"scheduler {scheduler.holder_id()} started")
    scheduler.serve(app, stop)
    click.echo("scheduler stopped")


@cli.command("run")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True)
def run_command(bind: str, workers: int) -> None:
    """Serve with gunicorn and run the scheduler beside it; Ctrl-C stops both."""
    env = dict(os.environ)
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="tracker-metrics-"))
    procs: list[subprocess.Popen[Any]] = [
        subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:tracker.gunicorn_conf",  # multiprocess metrics, request-line limit
                "-w",
                str(workers),
                "-b",
                bind,
                "--access-logfile",
                "-",
                "--log-level",
                "warning",  # gunicorn's start-up chatter would bury the first run's one-time password
                # %(U)s is the path without the query: private feed tokens (?token=) never reach the log.
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "tracker:create_app()",
            ],
            env=env,
        ),
        subprocess.Popen([sys.executable, "-m", "tracker.cli", "scheduler"], env=env),
    ]
    click.echo(f"serving on http://{bind} with the scheduler; Ctrl-C stops both")

    def _stop(*_: Any) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
    finally:
        _stop()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def init_app(app: Flask) -> None:
    """Register the ``tracker`` group on the app's CLI."""
    app.cli.add_command(cli)


def main() -> None:
    """Console script entry point: the ``tracker`` group with the app built by ``create_app``."""
    from tracker import create_app  # the composition root (it imports this module)

    group = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False)
    for name, command in cli.commands.items():
        group.add_command(command, name)
    try:
        group.main(prog_name="tracker")
    except ConfigError as exc:  # a bad setting: one clear line, no traceback
        raise SystemExit(f"TU-tracker cannot start: {exc}") from None


if __name__ == "__main__":
    main()
