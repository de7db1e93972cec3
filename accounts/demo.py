"""Demo users and teams; safe to run again (nothing is duplicated or reset)."""

from typing import NamedTuple

from django.db import transaction

from accounts import services
from accounts.models import Team, User
from accounts.roles import Role

# Demo only: every demo user has this password (README says so).
DEMO_PASSWORD = "crm-demo-2026"


class DemoUser(NamedTuple):
    username: str
    first_name: str
    last_name: str
    roles: list[str]
    teams: list[str]
    superuser: bool
    # Demo only: the base32 secret of the user's authenticator app (README's
    # table of demo logins; `oathtool --totp -b SECRET` prints the code).
    totp_secret: str


DEMO_USERS = [
    DemoUser(
        "anna", "Anna", "Albers", [Role.STAFF], ["Nord"], False,
        "BPY3BCLBADZJWP7TWVRFMNIW2OBXEZB4",
    ),
    DemoUser(
        "ben", "Ben", "Brandt", [Role.STAFF], ["Süd"], False,
        "DJMOU4IVN6IWRTQ6MCIZKJM4JRTEESRY",
    ),
    DemoUser(
        "maria", "Maria", "Meier", [Role.MANAGER], [], False,
        "AO4CNV5UF4SPTDKQEJT4K74R3SFK47A7",
    ),
    DemoUser(
        "dora", "Dora", "Datenschutz", [Role.DPO], [], False,
        "ADGJOUNXITTU6O5SUUIEYIRT27FZIV35",
    ),
    DemoUser(
        "admin", "Adam", "Admin", [Role.ADMIN], [], True,
        "QKOQSWFMFVY3Y7P5TGPZNEB3OHRO5QL2",
    ),
]  # fmt: skip
DEMO_TOTP_SECRETS = {demo.username: demo.totp_secret for demo in DEMO_USERS}
DEMO_TEAMS = [("Nord", "maria"), ("Süd", "maria")]


@transaction.atomic
def seed_users() -> tuple[int, dict[str, User]]:
    """Create or repair the demo users and teams; returns (created, users by name)."""
    created = 0
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = services.user_create(
                username=demo.username,
                password=DEMO_PASSWORD,
                email=f"{demo.username}@example.com",
                first_name=demo.first_name,
                last_name=demo.last_name,
                roles=demo.roles,
                is_superuser=demo.superuser,
                actor=None,
            )
            created += 1
        else:
            services.user_set_roles(user=user, roles=demo.roles, actor=None)
        services.totp_device_ensure_demo(user=user, secret=demo.totp_secret)
        users[demo.username] = user
    for name, manager in DEMO_TEAMS:
        team = Team.objects.filter(name=name).first()
        if team is None:
            team = services.team_create(name=name, manager=users[manager], actor=None)
        else:
            services.team_set_manager(team=team, manager=users[manager], actor=None)
        members = [users[d.username] for d in DEMO_USERS if name in d.teams]
        services.team_add_members(team=team, users=members, actor=None)
    return created, users


def seed_demo(context: dict) -> str:
    """seed_demo step: users and teams; puts the users into `context`."""
    created, users = seed_users()
    context["users"] = users
    return (
        f"{created} users created, {len(DEMO_USERS) - created} kept; "
        f"teams {', '.join(name for name, _ in DEMO_TEAMS)}; "
        "each with a TOTP device of its demo secret (README)"
    )
