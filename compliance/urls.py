from django.urls import path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.activity_list, name="activity_list"),
    path("register/new/", views.activity_edit, name="activity_new"),
    path("register/<int:pk>/", views.activity_edit, name="activity_edit"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/update/", views.request_update, name="request_update"),
    path("requests/<int:pk>/extend/", views.request_extend, name="request_extend"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("requests/<int:pk>/erase/", views.request_erase, name="request_erase"),
    path(
        "requests/<int:pk>/recipients-told/",
        views.request_recipients_told,
        name="request_recipients_told",
    ),
    path(
        "requests/<int:pk>/do/<str:action>/",
        views.request_action,
        name="request_action",
    ),
    path("requests/<int:pk>/report/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path(
        "reports/<int:pk>/<str:kind>/",
        views.report_download,
        name="report_download",
    ),
    path("retention/", views.retention_rules, name="retention_rules"),
    path("retention/<int:pk>/", views.retention_rules, name="retention_rule_edit"),
    path("access-log/", views.access_log, name="access_log"),
    path("trainings/", views.trainings, name="trainings"),
    path("trainings/<int:pk>/delete/", views.training_delete, name="training_delete"),
]
