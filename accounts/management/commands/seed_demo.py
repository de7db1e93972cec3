"""Demo users and teams; safe to run again (nothing is duplicated or reset)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import Team, User
from accounts.roles import Role

# Demo only: every demo user has this password (README says so).
DEMO_PASSWORD = "crm-demo-2026"

DEMO_USERS = [
    # username, first, last, roles, teams, superuser
    ("anna", "Anna", "Albers", [Role.STAFF], ["Nord"], False),
    ("ben", "Ben", "Brandt", [Role.STAFF], ["Süd"], False),
    ("maria", "Maria", "Meier", [Role.MANAGER], [], False),
    ("dora", "Dora", "Datenschutz", [Role.DPO], [], False),
    ("admin", "Adam", "Admin", [Role.ADMIN], [], True),
]
DEMO_TEAMS = [("Nord", "maria"), ("Süd", "maria")]


class Command(BaseCommand):
    help = "Create the demo users and teams (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        created = 0
        users: dict[str, User] = {}
        for username, first, last, roles, _teams, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    username=username,
                    password=DEMO_PASSWORD,
                    email=f"{username}@example.com",
                    first_name=first,
                    last_name=last,
                    roles=roles,
                    is_superuser=superuser,
                    actor=None,
                )
                created += 1
            else:
                services.user_set_roles(user=user, roles=roles, actor=None)
            users[username] = user
        for name, manager in DEMO_TEAMS:
            team = Team.objects.filter(name=name).first()
            if team is None:
                team = services.team_create(
                    name=name, manager=users[manager], actor=None
                )
            else:
                services.team_set_manager(team=team, manager=users[manager], actor=None)
            members = [users[u[0]] for u in DEMO_USERS if name in u[4]]
            services.team_add_members(team=team, users=members, actor=None)
        self.stdout.write(
            f"seed_demo: {created} users created, {len(DEMO_USERS) - created} kept; "
            f"teams {', '.join(name for name, _ in DEMO_TEAMS)}"
        )
