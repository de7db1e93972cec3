"""Error pages: an outage of PostgreSQL or Redis answers 503 with Retry-After in our
layout, anything else our 500 page; never Django's bare "Server Error (500)".

`handler500` (config/urls.py) sees every uncaught exception, whichever layer raised
it (session and login middleware included), which a middleware would not.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_AFTER_SECONDS = 30
OUTAGES = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def _page(template: str, status: int, fallback: str) -> HttpResponse:
    # Rendered without the request: no context processor may query what is down.
    try:
        body = render_to_string(template, {"LANGUAGE_CODE": get_language()})
    except Exception:  # the error page itself must not fail
        body = fallback
    return HttpResponse(body, status=status)


def outage_response() -> HttpResponse:
    """The 503 page with Retry-After."""
    response = _page("503.html", 503, "Service temporarily unavailable.")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request) -> HttpResponse:
    """handler500: 503 for an outage, our 500 page for everything else."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGES):
        return outage_response()
    return _page("500.html", 500, "Server error.")
