"""Item 5 (our part): webhook secrets are encrypted at rest with TRACKER_ENCRYPTION_KEYS, and rotate."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import subscribe
from tracker import crypto
from tracker.models import Subscription


@pytest.fixture
def restore_keys(app: Flask) -> Iterator[None]:
    yield
    crypto.configure(crypto.keys_from_config(app.config["ENCRYPTION_KEYS"], app.config["SECRET_KEY"]))


def _stored(session: Session, sub_id: int) -> str:
    return str(session.execute(text("SELECT secret FROM subscription WHERE id = :i"), {"i": sub_id}).scalar_one())


def test_the_database_holds_only_ciphertext(session: Session) -> None:
    owner = make_user(session, "crypt@kl.dk", "coordinator")
    sub, secret = subscribe(session, owner, "https://127.0.0.1:9/hook")
    session.commit()
    stored = _stored(session, sub.id)
    assert stored.startswith("fernet:") and secret not in stored
    session.expire_all()
    assert session.get(Subscription, sub.id).secret == secret  # type: ignore[union-attr]  # the row exists: this test made it


def test_keys_rotate(
    app: Flask, session: Session, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch, restore_keys: None
) -> None:
    owner = make_user(session, "rotate@kl.dk", "coordinator")
    sub, secret = subscribe(session, owner, "https://127.0.0.1:9/hook")
    session.commit()
    old_stored = _stored(session, sub.id)
    old_keys = crypto.keys_from_config(app.config["ENCRYPTION_KEYS"], app.config["SECRET_KEY"])
    new_key = Fernet.generate_key()
    crypto.configure([new_key, *old_keys])  # the new key in front, the old still decrypts
    result = runner.invoke(args=["tracker", "rotate-secrets"])
    assert result.exit_code == 0, result.output
    new_stored = _stored(session, sub.id)
    assert new_stored != old_stored
    crypto.configure([new_key])  # the old key removed: everything still reads
    session.expire_all()
    assert session.get(Subscription, sub.id).secret == secret  # type: ignore[union-attr]  # the row exists: this test made it


def test_bad_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="Fernet"):
        crypto.keys_from_config("not-a-key", "x")
