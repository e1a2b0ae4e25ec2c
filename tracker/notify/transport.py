"""Getting a composed mail out: SMTP (``smtp://``, ``smtp+starttls://``, ``smtps://``) or ``.eml`` files.

``TRACKER_MAIL_URL`` empty (the default for ``make run``) writes each mail to ``instance/mail/`` and logs its
path; ``file:///some/dir`` writes there. No database here: the worker records the outcome.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
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


def _write_eml(msg: EmailMessage, directory: Path) -> Result:
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(msg["Message-ID"]).strip("<>")) + ".eml"
    path = directory / name
    tmp = path.with_suffix(".eml.tmp")
    tmp.write_bytes(msg.as_bytes())
    os.replace(tmp, path)  # the same Message-ID overwrites: a retry never makes a second file
    log.info("mail written to %s", path)
    return Result(True, path=str(path))


def send(msg: EmailMessage, target: Target, *, timeout: float) -> Result:
    """Send one message; never raises — every failure becomes a ``Result`` with its reason."""
    try:
        if target.scheme == "file":
            assert target.directory is not None
            return _write_eml(msg, target.directory)
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if target.scheme == "smtps":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=timeout)
        with client:
            client.ehlo()
            if target.scheme == "smtp+starttls":
                client.starttls(context=context)
                client.ehlo()
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(msg)
        return Result(True)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        permanent = all(500 <= code < 600 for code in codes)
        return Result(False, f"Modtageradressen blev afvist: {_short(exc.recipients)}", permanent=permanent)
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc)
        return Result(False, f"SMTP-serveren svarede {exc.smtp_code}: {_short(text)}", permanent=exc.smtp_code >= 500)
    except (smtplib.SMTPException, OSError) as exc:
        return Result(False, f"Mailserveren kunne ikke nås ({target.label}): {_short(exc)}")


def _short(value: object, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
