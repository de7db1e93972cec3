import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts import sessions


class LanguageMiddleware:
    """German first: the user's language, else the language cookie, else German.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted:
    a company's CRM speaks the company's language until a user chooses otherwise,
    and that choice is stored on the user (pages and e-mails follow it).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the user taken from the session's own query
    (accounts.sessions.session_user): no second query for the user."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = sessions.session_user(request)
    return request._cached_user


class SessionPolicyMiddleware:
    """Idle and absolute timeouts end the session; its last use is noted (at most
    once a minute). A session that ended says so on the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            client = request.session.get(sessions.CLIENT_KEY)
            if client is not None and sessions.timed_out(client, now=now):
                logout(request)  # deletes the row
                _tell_ended(request)
            else:
                sessions.session_touch(request, now=now)
        elif getattr(request.session, "ended", False):
            # The cookie names a session that expired or was ended elsewhere.
            _tell_ended(request)
        return self.get_response(request)


def _tell_ended(request) -> None:
    messages.info(
        request,
        _("Your session has expired or was ended. Please log in again."),
        fail_silently=True,
    )


# Routes an unverified session may open: the second step, logging out, and the
# passkey ceremonies (django-otp-webauthn refuses a new passkey to an unverified
# user who has a factor). Enrolment only while the user has no factor yet.
SECOND_STEP_ROUTES = frozenset({"accounts:verify", "logout"})
SECOND_STEP_NAMESPACES = frozenset({"otp_webauthn"})
ENROLMENT_ROUTES = frozenset({"accounts:security", "accounts:totp_add"})


class SecondFactorMiddleware:
    """After the password, the second factor: no page but the second step until
    the session is verified, for users who have a factor or whose role needs one
    (those without one yet get the enrolment on the security page first).

    Views open to anonymous visitors (@login_not_required: the login, links in
    e-mails, the calendar feed) stay open. A verified session costs no query
    here (django-otp's middleware loaded its device); an unverified one two or
    three (its factors, its roles).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts import factors

        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and (
            match.view_name in SECOND_STEP_ROUTES
            or match.namespace in SECOND_STEP_NAMESPACES
        ):
            return None
        if factors.has_factor(user):
            target = "accounts:verify"
        elif factors.required_for(user):
            if match is not None and match.view_name in ENROLMENT_ROUTES:
                return None
            target = "accounts:security"
        else:
            return None  # no factor, none required: the password was enough
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


# Routes open before the commitment is accepted: the commitment itself, the
# second step and factors, logging out, the language and the company switch.
COMMITMENT_ROUTES = frozenset(
    {
        "accounts:commitment",
        "accounts:verify",
        "accounts:security",
        "accounts:totp_add",
        "accounts:set_language",
        "accounts:company_switch",
        "logout",
    }
)


class CommitmentMiddleware:
    """No page with personal data before the user accepted their company's
    current confidentiality commitment (a new version asks again). No query:
    accounts.services.commitment_needed reads the session's user row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts.services import commitment_needed

        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and (
            match.view_name in COMMITMENT_ROUTES
            or match.namespace in SECOND_STEP_NAMESPACES
        ):
            return None
        if not commitment_needed(request.user):
            return None
        target = reverse("accounts:commitment")
        url = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
