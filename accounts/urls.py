from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("administration/", views.administration, name="administration"),
    path("administration/company/", views.company_settings, name="company_settings"),
    path("administration/users/new/", views.user_new, name="user_new"),
    path("administration/users/<int:pk>/", views.user_edit, name="user_edit"),
    path(
        "administration/users/<int:pk>/invite/",
        views.user_invite_again,
        name="user_invite_again",
    ),
    path("administration/teams/new/", views.team_edit, name="team_new"),
    path("administration/teams/<int:pk>/", views.team_edit, name="team_edit"),
    path(
        "administration/users/<int:pk>/reset-factors/",
        views.factors_reset,
        name="factors_reset",
    ),
    path("language/", views.set_language, name="set_language"),
    path("company/", views.company_switch, name="company_switch"),
    path("commitment/", views.commitment, name="commitment"),
    path(
        "administration/commitment/",
        views.commitment_admin,
        name="commitment_admin",
    ),
    path("accounts/verify/", views.verify, name="verify"),
    path("accounts/security/", views.security_page, name="security"),
    path("accounts/security/totp/", views.totp_add, name="totp_add"),
    path(
        "accounts/security/<str:kind>/<int:pk>/remove/",
        views.factor_remove,
        name="factor_remove",
    ),
    path(
        "accounts/security/recovery-codes/",
        views.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/end-others/", views.session_end_others, name="session_end_others"),
    path("sessions/<str:reference>/end/", views.session_end, name="session_end"),
]
