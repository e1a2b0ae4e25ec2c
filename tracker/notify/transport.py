"""Getting a composed mail out: SMTP (``smtp://``, ``smtp+starttls://``, ``smtps://``) or ``.eml`` files.

``TRACKER_MAIL_URL`` empty (the default for ``make run``) writes each mail to ``instance/mail/`` and logs its
path; ``file:///some/dir`` writes there. No database here: the worker records the outcome.

A ``Connection`` stays open for many messages (each sender thread of the worker keeps one), and the TLS
context is made once per process and only for the TLS schemes: building it for every mail (even for plain
``smtp://``) was most of the worker's time.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32, compat32
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

SCHEMES = ("smtp", "smtp+starttls", "smtps", "file")


class MailConfigError(ValueError):
    """``TRACKER_MAIL_URL`` cannot be used."""


@dataclass(frozen=True)
class Target:
    """Where mail goes: an SMTP server (with TLS mode and login) or a directory of ``.eml`` files."""

    scheme: str
    host: str = ""
    port: int = 0
    username: str | None = None
    password: str | None = None
    directory: Path | None = None

    @property
    def label(self) -> str:
        """The target without credentials, for logs and the admin page."""
        if self.scheme == "file":
            return f"file://{self.directory}"
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Result:
    """One attempt: ok, or an error that is permanent (the address is refused) or worth retrying."""

    ok: bool
    error: str | None = None
    permanent: bool = False
    path: str | None = None
    cancelled: bool = False  # not sent on purpose (the user turned mail off): nothing to retry


CANCELLED = Result(False, "Ikke sendt: modtageren ønsker ikke længere mail.", permanent=True, cancelled=True)
_tls: ssl.SSLContext | None = None
_tls_lock = threading.Lock()
IDLE_CHECK_SECONDS = 10.0  # a connection idle longer is checked with NOOP before it is used again


def tls_context() -> ssl.SSLContext:
    """The process's one TLS client context (certificate and host name checked), made on first use."""
    global _tls
    with _tls_lock:
        if _tls is None:
            _tls = ssl.create_default_context()
        return _tls


def parse_target(url: str, instance_path: str) -> Target:
    """The target a mail URL names; empty means ``.eml`` files under ``instance/mail``."""
    if not url:
        return Target("file", directory=Path(instance_path) / "mail")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise MailConfigError(f"TRACKER_MAIL_URL: unknown scheme {scheme!r} (use one of {', '.join(SCHEMES)})")
    if scheme == "file":
        return Target("file", directory=Path(unquote(parts.path)))
    if not parts.hostname:
        raise MailConfigError("TRACKER_MAIL_URL: no host")
    default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[scheme]
    return Target(
        scheme,
        host=parts.hostname,
        port=parts.port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


_COMPAT32_WIRE = compat32.clone(linesep="\r\n")


@lru_cache(maxsize=4096)
def _folded(name: str, value: str) -> bytes:
    return _COMPAT32_WIRE.fold_binary(name, value)


class WirePolicy(Compat32):
    """compat32 (the folding the messages are built for, see ``compose``) with CRLF as on the wire, remembering
    how it folded each text header: most headers of a run's mails are the same (sender, list, subject, the
    multipart type), and folding them again was most of what serialising a mail cost. The same bytes."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        """compat32's folding, remembered for a text value."""
        if isinstance(value, str):
            return _folded(name, value)
        return super().fold_binary(name, value)


# How mail is serialised: the compat32 folding, CRLF.
WIRE = WirePolicy(linesep="\r\n")


def wire_bytes(msg: Message) -> bytes:
    """The message as SMTP sends it, serialised once by the stdlib's ``BytesGenerator``."""
    out = BytesIO()
    BytesGenerator(out, policy=WIRE).flatten(msg)
    return out.getvalue()


@lru_cache(maxsize=1024)
def _address(value: str) -> str:
    return parseaddr(value)[1]


@lru_cache(maxsize=4096)
def _addresses(fields: tuple[str, ...]) -> list[str]:
    return [address for _name, address in getaddresses(list(fields)) if address]


def envelope(msg: Message) -> tuple[str, list[str]] | None:
    """The envelope ``smtplib.send_message`` would take from the headers (sender; To and Cc), or None when only
    ``send_message`` will do (a Bcc to strip, an address that needs SMTPUTF8)."""
    if msg.get("Bcc") is not None or msg.get("Resent-Date") is not None:
        return None
    sender = _address(str(msg.get("Sender") or msg.get("From") or ""))
    fields = tuple(str(v) for name in ("To", "Cc") for v in msg.get_all(name, []))
    recipients = _addresses(fields)
    if not sender or not recipients or not all(a.isascii() for a in (sender, *recipients)):
        return None
    return sender, list(recipients)


def _write_eml(msg: Message, directory: Path) -> Result:
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(msg["Message-ID"]).strip("<>")) + ".eml"
    path = directory / name
    tmp = path.with_suffix(".eml.tmp")
    tmp.write_bytes(wire_bytes(msg))
    os.replace(tmp, path)  # the same Message-ID overwrites: a retry never makes a second file
    log.info("mail written to %s", path)
    return Result(True, path=str(path))


class Connection:
    """One SMTP session reused for many messages; opened on first use, reopened after an error."""

    def __init__(self, target: Target, *, timeout: float) -> None:
        """Nothing is opened until the first message."""
        self.target = target
        self.timeout = timeout
        self._client: smtplib.SMTP | None = None
        self._used_at = 0.0

    def _open(self) -> smtplib.SMTP:
        target = self.target
        client: smtplib.SMTP
        if target.scheme == "smtps":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=tls_context())
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            client.ehlo()
            if target.scheme == "smtp+starttls":
                client.starttls(context=tls_context())
                client.ehlo()
            if target.username:
                client.login(target.username, target.password or "")
        except BaseException:
            _quietly_close(client)
            raise
        return client

    def _ready(self) -> tuple[smtplib.SMTP, bool]:
        """The open client (checked with NOOP after a long idle), or a new one; and whether it was reused."""
        client = self._client
        if client is not None and time.monotonic() - self._used_at > IDLE_CHECK_SECONDS:
            try:
                if client.noop()[0] != 250:
                    raise smtplib.SMTPServerDisconnected("NOOP refused")
            except (smtplib.SMTPException, OSError):
                self.close()
                client = None
        if client is not None:
            return client, True
        self._client = self._open()
        return self._client, False

    def send(self, msg: Message) -> Result:
        """Send one message; never raises — every failure becomes a ``Result`` with its reason."""
        target = self.target
        try:
            if target.scheme == "file":
                assert target.directory is not None
                return _write_eml(msg, target.directory)
            client, reused = self._ready()
            # Serialised once, sent as it is (send_message would parse the addresses back out of the headers and
            # flatten the message again for every attempt).
            sent = envelope(msg)
            raw = wire_bytes(msg) if sent is not None else b""

            def deliver(client: smtplib.SMTP) -> None:
                if sent is None:
                    client.send_message(msg)
                else:
                    client.sendmail(sent[0], sent[1], raw)

            try:
                deliver(client)
            except smtplib.SMTPServerDisconnected:
                self.close()
                if not reused:
                    raise
                # The server closed a connection we kept (idle timeout) before taking the message: once more.
                client, _ = self._ready()
                deliver(client)
            self._used_at = time.monotonic()
            return Result(True)
        except smtplib.SMTPRecipientsRefused as exc:  # smtplib has reset the session: it stays usable
            self._used_at = time.monotonic()
            codes = [code for code, _text in exc.recipients.values()]
            permanent = all(500 <= code < 600 for code in codes)
            return Result(False, f"Modtageradressen blev afvist: {_short(exc.recipients)}", permanent=permanent)
        except smtplib.SMTPResponseException as exc:
            self.close()  # the conversation's state is unknown after a refused command: start afresh
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc)
            return Result(
                False, f"SMTP-serveren svarede {exc.smtp_code}: {_short(text)}", permanent=exc.smtp_code >= 500
            )
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            return Result(False, f"Mailserveren kunne ikke nås ({target.label}): {_short(exc)}")

    def close(self) -> None:
        """QUIT and close (errors ignored: the server may be gone)."""
        client, self._client = self._client, None
        if client is not None:
            _quietly_close(client, polite=True)


def _quietly_close(client: smtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite:
            client.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        client.close()


def send(msg: Message, target: Target, *, timeout: float) -> Result:
    """Send one message on a connection of its own; never raises."""
    connection = Connection(target, timeout=timeout)
    try:
        return connection.send(msg)
    finally:
        connection.close()


def _short(value: object, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
