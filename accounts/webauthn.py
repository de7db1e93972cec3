"""Passkeys and security keys (django-otp-webauthn) as a second factor.

The package's views, with our rules around them: a passkey login is the second
step of the password login (no passwordless login), so the lockout and
back-off of accounts.security refuse it while they run, a failed assertion
counts as a wrong code, and a passed one completes the login. A new passkey is
audited and comes with recovery codes. The package's JavaScript is served as a
static file (CSP: script-src 'self'); its configuration is a JSON data block.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views

from accounts import security, services


class SecondStepLocked(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_detail = _("Too many failed logins: the login is blocked for now.")
    default_code = "locked_out"


class CompleteCredentialRegistration(webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        services.passkey_registered(user=self.request.user, actor=self.request.user)
        return response


class BeginCredentialAuthentication(webauthn_views.BeginCredentialAuthenticationView):
    def check_can_authenticate(self):
        super().check_can_authenticate()
        if security.second_step_locked(self.request, self.request.user):
            raise SecondStepLocked()


class CompleteCredentialAuthentication(
    webauthn_views.CompleteCredentialAuthenticationView
):
    def check_can_authenticate(self):
        super().check_can_authenticate()
        if security.second_step_locked(self.request, self.request.user):
            raise SecondStepLocked()

    def complete_auth(self, device):
        super().complete_auth(device)
        self.request.session.cycle_key()
        security.second_step_passed(self.request, self.request.user)

    def handle_exception(self, exc):
        user = self.request.user
        if (
            isinstance(exc, exceptions.OTPWebAuthnApiError)
            and not isinstance(exc, SecondStepLocked)
            and user.is_authenticated
            and security.second_step_failed(self.request, user)
        ):
            exc = SecondStepLocked()
        return super().handle_exception(exc)


# The package's URL names (its template tags reverse them), our views.
app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registration/begin/",
        webauthn_views.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        CompleteCredentialRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        BeginCredentialAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteCredentialAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
