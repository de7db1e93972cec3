from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customers")
    demo_seeder = "crm.demo.seed_demo"

    def ready(self) -> None:
        from core import versioning
        from crm.history import changes_since
        from crm.models import forget_permission_ids

        versioning.describe_changes_with(changes_since)
        post_migrate.connect(forget_permission_ids, dispatch_uid="crm_permission_ids")
