"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepted, and can hang or refuse."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """The aiosmtpd handler: every accepted message, parsed; optionally hangs the first ``hang`` DATA."""

    def __init__(self, hang: int = 0, refuse: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.hang = hang
        self.hang_from = 0  # >0: hold the n-th DATA (and only it) until released
        self.refuse = refuse
        self.release = threading.Event()
        self.data_seen = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        with self._lock:
            self.data_seen += 1
            hang = self.data_seen <= self.hang or self.data_seen == self.hang_from
        if self.refuse:
            return self.refuse
        if hang:
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        with self._lock:
            self.messages.append(msg)
        return "250 OK"

    def ids(self) -> list[str]:
        """The Message-IDs accepted, in order (duplicates kept)."""
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]


def free_port() -> int:
    """A port nobody listens on right now (also: an unreachable mail server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(hang: int = 0, refuse: str | None = None) -> Iterator[tuple[Inbox, str]]:
    """A running server and its ``smtp://127.0.0.1:<port>`` URL."""
    inbox = Inbox(hang=hang, refuse=refuse)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        inbox.release.set()
        controller.stop()


def text_part(msg: EmailMessage) -> str:
    """The plain-text body."""
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(msg: EmailMessage) -> str:
    """The HTML body."""
    part = msg.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())
