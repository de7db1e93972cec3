from django.urls import path

from crm import views

app_name = "crm"

# Stable addresses: bookmarks and links in e-mails depend on them.
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_new, name="customer_new"),
    path("export.csv", views.customer_export, name="customer_export"),
    path("reassign/", views.customer_reassign, name="customer_reassign"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/delete/", views.customer_delete, name="customer_delete"),
    path("<int:pk>/reviewed/", views.customer_reviewed, name="customer_reviewed"),
    path("<int:pk>/history/", views.customer_history, name="customer_history"),
    path("<int:pk>/timeline/", views.customer_timeline, name="customer_timeline"),
    path("<int:pk>/sharing/", views.customer_sharing, name="customer_sharing"),
    path("<int:pk>/duplicates/", views.customer_duplicates, name="customer_duplicates"),
    path("<int:pk>/merge/", views.customer_merge, name="customer_merge"),
    path("<int:pk>/persons/new/", views.person_new, name="person_new"),
    path(
        "<int:pk>/persons/<int:person_pk>/", views.person_detail, name="person_detail"
    ),
    path(
        "<int:pk>/persons/<int:person_pk>/edit/", views.person_edit, name="person_edit"
    ),
    path(
        "<int:pk>/persons/<int:person_pk>/delete/",
        views.person_delete,
        name="person_delete",
    ),
    path("<int:pk>/addresses/new/", views.address_new, name="address_new"),
    path(
        "<int:pk>/addresses/<int:address_pk>/edit/",
        views.address_edit,
        name="address_edit",
    ),
]
