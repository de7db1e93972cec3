"""Headers on every response (django-csp sets the Content-Security-Policy)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# No page of ours uses these browser features; a policy that names them off
# keeps an injected or framed script from asking for them.
PERMISSIONS_POLICY = ", ".join(
    [
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "autoplay",
            "camera",
            "display-capture",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "screen-wake-lock",
            "usb",
            "xr-spatial-tracking",
        )
    ]
    # Passkeys (WebAuthn), the second factor: on our own pages only.
    + ["publickey-credentials-create=(self)", "publickey-credentials-get=(self)"]
)


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response, and
    Cache-Control: no-store on everything but static files.

    Pages, partials and downloads carry personal data: no browser, proxy or
    shared computer may keep a copy. A view that sets its own Cache-Control
    keeps it (the calendar feed: private, for calendar clients), unless it is
    a download (an attachment), which is never stored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith(self.static_prefix):
            return response
        attachment = response.get("Content-Disposition", "").startswith("attachment")
        if attachment or "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class DomainErrorMiddleware:
    """A rule's refusal (core.errors.DomainError) that no view caught is answered
    with its message in our layout, never a 500: 403 for PermissionRefused, 409
    (the record's state or the input conflicts) for the rest. Views still catch
    what they show next to a field; this is the floor under every entry point."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from django.shortcuts import render

        from core.errors import DomainError, PermissionRefused

        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, PermissionRefused):
            context = {"exception": exception.message}
            return render(request, "403.html", context, status=403)
        context = {"message": exception.message, "code": exception.code}
        return render(request, "core/refused.html", context, status=409)
