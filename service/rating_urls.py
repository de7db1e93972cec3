"""The public page a rating e-mail links to (no login: the token is the
credential)."""

from django.urls import path

from service import rating_views

app_name = "ratings"

urlpatterns = [
    path("<str:token>/", rating_views.rating_form, name="form"),
]
