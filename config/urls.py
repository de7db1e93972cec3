"""The project's URLs: one include per app, namespaced."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from core import views as core_views
from crm import views as crm_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/tasks", core_views.healthz_tasks, name="healthz_tasks"),
    path("", include("accounts.urls")),
    # Before Django's auth URLs: the reset page with its e-mails throttled.
    path(
        "accounts/password_reset/",
        accounts_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    # The password pages end the user's other sessions (accounts.views).
    path(
        "accounts/password_change/",
        accounts_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Passkeys (django-otp-webauthn's views with our lockout and audit).
    path("accounts/webauthn/", include("accounts.webauthn")),
    path("customers/", include("crm.urls")),
    path("search/", crm_views.search, name="search"),
    path("contracts/", include("contracts.urls")),
    path("service/", include("service.urls")),
    path("rating/", include("service.rating_urls")),
    path("compliance/", include("compliance.urls")),
    path("consents/", include("compliance.consent_urls")),
    path("disclosures/", include("compliance.disclosure_urls")),
    path("training/", include("compliance.training_urls")),
    path("admin/", admin.site.urls),
]

# Outages of PostgreSQL/Redis answer 503 with Retry-After (core.outage).
handler500 = "core.outage.server_error"
