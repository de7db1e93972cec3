from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Service: the SLA clock and warranty claims (cases and tasks build on them)."""

    name = "service"
    verbose_name = _("Service")
