from django.urls import path

from service import case_views, rating_views, task_views, views

app_name = "service"

urlpatterns = [
    path("sla-calculator/", views.sla_calculator, name="sla_calculator"),
    path("warranty-calculator/", views.warranty_calculator, name="warranty_calculator"),
    path("settings/", case_views.service_settings, name="settings"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_new, name="case_new"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", case_views.case_status, name="case_status"),
    path("cases/<int:pk>/contact/", case_views.case_contact, name="case_contact"),
    path("cases/<int:pk>/tasks/", case_views.case_task, name="case_task"),
    path(
        "customers/<int:pk>/cases/new/",
        case_views.customer_case_new,
        name="customer_case_new",
    ),
    path("ratings/", rating_views.rating_report, name="rating_report"),
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/new/", task_views.task_new, name="task_new"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/done/", task_views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/reopen/", task_views.task_reopen, name="task_reopen"),
    path("customers/<int:pk>/tasks/", task_views.customer_tasks, name="customer_tasks"),
]
