from django.urls import path

from contracts import views

app_name = "contracts"

# Stable addresses: bookmarks and links in reminder e-mails depend on them.
urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("new/", views.contract_new, name="contract_new"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("<int:pk>/history/", views.contract_history, name="contract_history"),
    path("<int:pk>/notice/", views.contract_notice, name="contract_notice"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:version_pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path("calendar/", views.deadline_calendar, name="deadline_calendar"),
    path(
        "reminders/<int:pk>/acknowledge/",
        views.reminder_acknowledge,
        name="reminder_acknowledge",
    ),
    path("calendar/feed/", views.calendar_feed_settings, name="calendar_feed_settings"),
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path(
        "deadline-calculator/",
        views.deadline_calculator,
        name="deadline_calculator",
    ),
]
