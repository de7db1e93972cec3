"""A user's own data protection trainings (every signed-in user; the page the
training gate leads to)."""

from django.urls import path

from compliance import views

app_name = "training"

urlpatterns = [
    path("", views.training_status, name="status"),
]
