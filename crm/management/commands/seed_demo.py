"""Demo users, teams and customers; safe to run again (nothing is duplicated)."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_TEAMS, DEMO_USERS, seed_users
from crm.demo import seed_customers


class Command(BaseCommand):
    help = "Create the demo users, teams and customers (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--users-only", action="store_true", help="Only users and teams."
        )

    def handle(self, *args, **options) -> None:
        created, users = seed_users()
        self.stdout.write(
            f"seed_demo: {created} users created, {len(DEMO_USERS) - created} kept; "
            f"teams {', '.join(name for name, _ in DEMO_TEAMS)}"
        )
        if not options["users_only"]:
            customers = seed_customers(users=users)
            self.stdout.write(f"seed_demo: {customers} customers created")
