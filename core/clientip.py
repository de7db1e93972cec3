"""The client's address, taking X-Forwarded-For only from trusted proxies.

With TRUSTED_PROXY_COUNT = N reverse proxies in front of the app, each appends
the address it was reached from to X-Forwarded-For; the client's address is the
N-th entry from the right. Everything left of it was sent by the client and is
not believed. With N = 0 the header is ignored and REMOTE_ADDR is the client.

django-ipware 8 was tried and not taken: its proxy_count counts proxies listed
in the header (one nginx is 0, not 1), and in its strict mode a client that
sends its own X-Forwarded-For through the proxy is answered with the proxy's
address, in the lenient mode with the address the client wrote.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address (REMOTE_ADDR, or the trusted proxies' view of it)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    chain = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(chain) < count:
        # Not through all the proxies (e.g. a health check from inside).
        return remote
    try:
        return str(ipaddress.ip_address(chain[-count]))
    except ValueError:
        return remote
