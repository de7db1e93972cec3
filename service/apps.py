from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Service: cases with their SLA clock, warranty claims, ratings and follow-up
    tasks."""

    name = "service"
    verbose_name = _("Service")
    demo_seeder = "service.demo.seed_all"
    company_setup = "service.cases.company_setup"

    def ready(self) -> None:
        from crm import cards
        from service import (  # noqa: F401 (outbox kinds)
            case_selectors,
            escalation,
            followups,
            ratings,
            selectors,
        )

        # Follow-ups: in the main column above the timeline (after contracts).
        cards.register(
            cards.CustomerCard(
                name="tasks",
                template="service/_customer_tasks_card.html",
                column="main",
                order=20,
                context=selectors.customer_tasks_card,
            )
        )
        # Complaints and service cases: in the main column, before the tasks.
        cards.register(
            cards.CustomerCard(
                name="cases",
                template="service/_customer_cases_card.html",
                column="main",
                order=15,
                context=case_selectors.customer_cases_card,
            )
        )
        # "Rückruf vereinbaren" next to "Log a contact": opens the tasks card's
        # form, prefilled with a call back for tomorrow.
        cards.register_timeline_action("call_back", "service/_timeline_call_back.html")
        # "New task" on a person's and a contract's page: the customer's task
        # form with the person or contract chosen.
        cards.register_record_action("person", "task", "service/_person_task.html")
        cards.register_record_action("contract", "task", "service/_contract_task.html")
