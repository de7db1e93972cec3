from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")
    demo_seeder = "contracts.demo.seed_demo"

    def ready(self) -> None:
        from contracts import reminders, selectors  # noqa: F401 (an outbox kind)
        from crm import cards

        cards.register(
            cards.CustomerCard(
                name="contracts",
                template="contracts/_customer_contracts.html",
                column="main",
                order=10,
                context=selectors.customer_contracts_card,
            )
        )
