"""Consents: the person page's consent card (staff) and the links in e-mails
(public, no login: confirming a double opt-in, withdrawing)."""

from django.urls import path

from compliance import views

app_name = "consents"

urlpatterns = [
    path("person/<int:person_pk>/", views.person_consents, name="person"),
    path(
        "person/<int:person_pk>/<int:pk>/withdraw/",
        views.consent_withdraw,
        name="withdraw",
    ),
    path("confirm/<str:token>/", views.consent_confirm_link, name="confirm"),
    path("withdraw/<str:token>/", views.consent_withdraw_link, name="withdraw_link"),
]
