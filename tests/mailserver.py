"""A real SMTP server for the tests (aiosmtpd), on a free port of 127.0.0.1, keeping what it is sent."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class MailServer:
    """Accepts every message (or answers `reply` instead, to test refusals) and keeps them in `received`."""

    def __init__(self):
        self.received: list[EmailMessage] = []
        self.reply: str | None = None
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.reply:
            return self.reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
        self.reply = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
