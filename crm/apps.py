from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customers")
    demo_seeder = "crm.demo.seed_demo"

    def ready(self) -> None:
        from core import history
        from crm.models import forget_permission_ids
        from crm.validation import display_phone, format_iban

        # The history tab and the access report show these as the pages do.
        for name in ("phone", "mobile"):
            history.register_value_formatter(name, display_phone)
        history.register_value_formatter("iban", format_iban)
        post_migrate.connect(forget_permission_ids, dispatch_uid="crm_permission_ids")
