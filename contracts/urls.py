from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path(
        "deadline-calculator/",
        views.deadline_calculator,
        name="deadline_calculator",
    ),
]
