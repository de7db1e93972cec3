from django.urls import path

from service import views

app_name = "service"

urlpatterns = [
    path("sla-calculator/", views.sla_calculator, name="sla_calculator"),
    path("warranty-calculator/", views.warranty_calculator, name="warranty_calculator"),
]
