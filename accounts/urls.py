from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("administration/", views.administration, name="administration"),
    path("language/", views.set_language, name="set_language"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/end-others/", views.session_end_others, name="session_end_others"),
    path("sessions/<str:reference>/end/", views.session_end, name="session_end"),
]
