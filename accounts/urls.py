from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("administration/", views.administration, name="administration"),
    path("language/", views.set_language, name="set_language"),
]
