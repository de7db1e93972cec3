"""Real SMTP servers for tests, on free ports: one that refuses some mailboxes,
one that accepts a connection and then never answers."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from config.services import free_port


@dataclass
class Recorder:
    """aiosmtpd handler: refuses the addresses in `refuse` with 550, keeps the rest."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content.decode("utf8", "replace")
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in content.splitlines()
            if line.lower().startswith("message-id:")
        )
        self.received.append((message_id, list(envelope.rcpt_tos)))
        return "250 Message accepted"


@contextlib.contextmanager
def smtp_server(settings, *, refuse=()):
    """A real SMTP server the app sends to (via `settings`); yields its Recorder."""
    handler = Recorder(refuse=set(refuse))
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    _point_at(settings, port)
    try:
        yield handler
    finally:
        controller.stop()


@contextlib.contextmanager
def hanging_smtp_server(settings):
    """A server that accepts connections and never sends its greeting; yields an
    Event set when a client has connected."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _address = listener.accept()
                held.append(conn)
                connected.set()

    threading.Thread(target=accept, daemon=True).start()
    _point_at(settings, listener.getsockname()[1])
    try:
        yield connected
    finally:
        listener.close()
        for conn in held:
            conn.close()


def _point_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
