"""Disclosures (Art. 19): the customer page's card, for staff."""

from django.urls import path

from compliance import views

app_name = "disclosures"

urlpatterns = [
    path("customer/<int:customer_pk>/", views.customer_disclosures, name="customer"),
]
