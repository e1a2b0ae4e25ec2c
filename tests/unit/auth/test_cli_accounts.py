"""``tracker users create`` and ``tracker tokens create``: one-time secrets, clear refusals, an audit entry each."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.tokens import user_for_token
from tracker.models import AuditEntry, User


def test_users_create_binds_role_prints_password_once_and_audits(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=[
            "tracker",
            "users",
            "create",
            "--email",
            "Leverandoer@KMD.dk",
            "--role",
            "vendor",
            "--organisation",
            "kmd",
        ]
    )
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    user = session.scalar(select(User).where(User.email == "leverandoer@kmd.dk"))
    assert user is not None and user.role == "vendor" and user.organisation is not None
    assert user.organisation.slug == "kmd"
    assert user.password_hash and password not in user.password_hash
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry is not None and entry.object_id == str(user.id) and "CLI" in entry.actor_label


def test_users_create_refuses_a_vendor_without_organisation(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["tracker", "users", "create", "--email", "x@example.dk", "--role", "vendor"])
    assert result.exit_code != 0
    assert "organisation" in result.output
    assert session.scalar(select(User).where(User.email == "x@example.dk")) is None


def test_tokens_create_prints_a_working_token_once_and_audits(runner: FlaskCliRunner, session: Session) -> None:
    assert (
        runner.invoke(args=["tracker", "users", "create", "--email", "k@example.dk", "--role", "coordinator"]).exit_code
        == 0
    )
    result = runner.invoke(args=["tracker", "tokens", "create", "--email", "k@example.dk"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    user = user_for_token(session, token)
    assert user is not None and user.email == "k@example.dk"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "token.create")) is not None
    missing = runner.invoke(args=["tracker", "tokens", "create", "--email", "nobody@example.dk"])
    assert missing.exit_code != 0 and "no active user" in missing.output
