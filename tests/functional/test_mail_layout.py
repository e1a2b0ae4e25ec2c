"""Mail as it arrives: a List-Id, a long Danish subject folded without losing a space, an HTML part that keeps
to a phone's width (long addresses as their host) and has colours for dark mode."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.mail import html_part, text_part
from tracker.models import MailMessage
from tracker.notify.compose import render

# The standard library's own folding turns "7. ændringer" into "7.ændringer" in this one (found by search).
LOSES_A_SPACE = (
    "før skifter Aula TU-tracker: på før 7. ændringer før ændringer NemLog-in NemLog-in før december Betydelig "
    "være kommunernes 2026) Københavns være 2027 kommunernes Betydelig – skal"
)
LONG_URL = (
    "https://www.digst.dk/it-loesninger/nemlog-in/det-kan-nemlog-in/overgang-til-nsis-for-erhvervsbrugere/tidsplan"
)


def _sent(msg: Message) -> EmailMessage:
    """The message as a receiver parses it from the wire."""
    return message_from_bytes(msg.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def _alert(app: Flask, session: Session, subject: str, lines: list[tuple[str, str | None]]) -> Message:
    user = make_user(session, f"layout-{len(subject)}@kl.example.dk", "coordinator")
    mail = MailMessage(message_id="<layout@example.dk>", kind="immediate")
    with app.test_request_context():
        return render(
            mail,
            user,
            "alert",
            subject,
            "da",
            datetime(2026, 12, 7, 7, tzinfo=UTC),
            lines=lines,
            reason="Du får denne mail, fordi du har bedt om advarsler.",
        )


@pytest.fixture
def mail_config(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    return app


@pytest.mark.parametrize(
    "subject", [LOSES_A_SPACE, "TU-tracker: dagens ændringer (1 ændring, 7. december 2026)", "ASCII only"]
)
def test_the_subject_arrives_as_written_in_short_lines(mail_config: Flask, session: Session, subject: str) -> None:
    msg = _alert(mail_config, session, subject, [])
    head = msg.as_bytes().split(b"\n\n")[0].decode("ascii")
    folded = re.search(r"^Subject: .*?(?=^\S)", head, re.M | re.S)
    assert folded and all(len(line) <= 78 for line in folded.group(0).splitlines())
    assert _sent(msg)["Subject"] == subject


def test_the_standard_folding_would_have_lost_that_space() -> None:
    """Why compose builds the Subject as a compat32 Header: if this starts failing, the stdlib is fixed."""
    msg = EmailMessage()
    msg["Subject"] = LOSES_A_SPACE
    msg.set_content("x")
    assert _sent(msg)["Subject"].strip() != LOSES_A_SPACE


@pytest.fixture
def alert_mail(mail_config: Flask, session: Session) -> Message:
    lines: list[tuple[str, str | None]] = [(f"Kilden {LONG_URL} er ændret.", "https://tu-tracker.example.dk/kilder")]
    return _alert(mail_config, session, "TU-tracker: en kildeside er ændret", lines)


def test_every_mail_names_its_list(alert_mail: Message) -> None:
    assert _sent(alert_mail)["List-Id"] == "TU-tracker <tu-tracker.example.dk>"


def test_long_addresses_are_links_named_by_host_and_dark_mode_has_colours(alert_mail: Message) -> None:
    html = html_part(_sent(alert_mail))
    assert f'<a href="{LONG_URL}">digst.dk</a>' in html and f">{LONG_URL}<" not in html
    assert LONG_URL in text_part(_sent(alert_mail))  # the plain part keeps the whole address
    assert '<meta name="color-scheme" content="light dark">' in html
    dark = html[html.index("@media (prefers-color-scheme: dark)") :]
    assert re.search(r"body \{ color: #f5f5f5; background: #1a1a1a; \}", dark)
    assert 'style="' not in html  # no inline colour a dark mode could not override
