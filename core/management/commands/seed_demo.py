"""Demo data for `make run`: each app seeds its own part (its AppConfig names a
`demo_seeder`), in INSTALLED_APPS order, so that no app imports a later one.
Safe to run again: nothing is duplicated."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Create the demo users, teams, customers and contracts (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--users-only", action="store_true", help="Only users and teams."
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        context = {"users_only": options["users_only"]}
        for config in apps.get_app_configs():
            seeder = getattr(config, "demo_seeder", None)
            if seeder:
                message = import_string(seeder)(context)
                self.stdout.write(f"seed_demo ({config.label}): {message}")
