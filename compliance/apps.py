from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Data protection")
    demo_seeder = "compliance.demo.seed_demo"
    company_setup = "compliance.services.company_setup"
    # Keeps the calendar feed (no session, no middleware) closed like the pages.
    access_gate = "compliance.trainings.training_needed"

    def ready(self) -> None:
        # Modules that register outbox kinds (core.outbox renders from them).
        from compliance import reminders, reviews, services, trainings  # noqa: F401
        from compliance.objections import contact_objected
        from crm import cards
        from service import ratings

        # Nobody who objected or withdrew a consent is asked for a rating.
        ratings.register_contact_blocker(contact_objected)

        # Art. 19 disclosures: last in the side column, loaded by htmx.
        cards.register(
            cards.CustomerCard(
                name="disclosures",
                template="compliance/_disclosures_slot.html",
                column="side",
                order=90,
                context=lambda **_: {},
            )
        )
