"""Demo users and teams; safe to run again (nothing is duplicated or reset)."""

from typing import NamedTuple

from django.db import transaction

from accounts import services
from accounts.models import Company, Team, User
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
    company: str = "first"  # DEMO_COMPANIES' key


# The first company is the one the installation was migrated into (from the
# settings); the second lives beside it with overlapping numbers (K-000001 in
# both), its own Land (Bavaria's holidays), users and DPO.
SECOND_COMPANY = {
    "name": "Beispiel Handels AG",
    "slug": "beispiel-handels-ag",
    "legal_form": "AG",
    "address": "Marienplatz 8\n80331 München",
    "letterhead": "Amtsgericht München HRB 123456 · Vorstand: Dr. Erika Beispiel",
    "email": "crm@beispiel-handels.example",
    "land": "BY",
    "country": "DE",
    "supervisory_authority": (
        "Bayerisches Landesamt für Datenschutzaufsicht (BayLDA), "
        "Promenade 18, 91522 Ansbach"
    ),
    "data_review_months": 12,
}


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
    DemoUser(
        "carla", "Carla", "Claßen", [Role.STAFF], ["Vertrieb"], False,
        "7GJ7MU3RPUAFXRUZNTZY32F7RLP4H3W5", "second",
    ),
    DemoUser(
        "moritz", "Moritz", "Maier", [Role.MANAGER], [], False,
        "RCB42XXFE4MUH5VKT2HTR4JETIEGZPFS", "second",
    ),
    DemoUser(
        "dieter", "Dieter", "Datenschutz", [Role.DPO], [], False,
        "L5WA7FR6G5V7IAPDAL7EZDVEL36S3NPN", "second",
    ),
]  # fmt: skip
DEMO_TOTP_SECRETS = {demo.username: demo.totp_secret for demo in DEMO_USERS}
# (company, team, manager)
DEMO_TEAMS = [
    ("first", "Nord", "maria"),
    ("first", "Süd", "maria"),
    ("second", "Vertrieb", "moritz"),
]


def seed_companies() -> dict[str, Company]:
    """The first company (made by the migration; here when the database has
    none) and the second; returns them by DEMO_COMPANIES' key."""
    first = Company.objects.order_by("pk").first()
    if first is None:
        first = services.company_create(actor=None)
    second = Company.objects.filter(slug=SECOND_COMPANY["slug"]).first()
    if second is None:
        second = services.company_create(actor=None, **SECOND_COMPANY)
    return {"first": first, "second": second}


@transaction.atomic
def seed_users() -> tuple[int, dict[str, User]]:
    """Create or repair the demo users and teams; returns (created, users by name)."""
    created = 0
    users: dict[str, User] = {}
    companies = seed_companies()
    for demo in DEMO_USERS:
        company = companies[demo.company]
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
                company=company,
                actor=None,
            )
            created += 1
        else:
            services.user_set_roles(
                user=user, roles=demo.roles, company=company, actor=None
            )
        services.totp_device_ensure_demo(user=user, secret=demo.totp_secret)
        users[demo.username] = user
    for key, name, manager in DEMO_TEAMS:
        company = companies[key]
        team = Team.objects.filter(company=company, name=name).first()
        if team is None:
            team = services.team_create(
                name=name, manager=users[manager], company=company, actor=None
            )
        else:
            services.team_set_manager(team=team, manager=users[manager], actor=None)
        members = [users[d.username] for d in DEMO_USERS if name in d.teams]
        services.team_add_members(team=team, users=members, actor=None)
    seed_commitments(companies, users)
    return created, users


COMMITMENT = (
    "Verpflichtung auf die Vertraulichkeit\n\n"
    "Ich verpflichte mich, personenbezogene Daten, die mir bei meiner Tätigkeit "
    "bekannt werden, nur nach Weisung und nur für die Aufgaben zu verarbeiten, für "
    "die ich sie erhalte (Art. 29, Art. 32 Abs. 4 DSGVO). Ich gebe sie nicht "
    "unbefugt weiter und mache sie niemandem zugänglich, der sie nicht für seine "
    "Aufgabe braucht.\n\n"
    "Diese Verpflichtung gilt auch nach dem Ende meiner Tätigkeit fort. Verstöße "
    "können arbeitsrechtliche Folgen haben und nach Art. 83 DSGVO, § 42 BDSG "
    "geahndet werden."
)


def seed_commitments(companies: dict[str, Company], users: dict[str, User]) -> None:
    """Each demo company's commitment (version 1), accepted by its demo users
    (the operator: in both), so that the demo opens on its pages."""
    for key, company in companies.items():
        if company.commitment_version == 0 and not company.commitment_texts.exists():
            services.commitment_publish(actor=None, text=COMMITMENT, company=company)
        company.refresh_from_db(fields=["commitment_version"])
        for demo in DEMO_USERS:
            if demo.company != key and not demo.superuser:
                continue
            user = users[demo.username]
            accepted = (user.accepted_commitments or {}).get(str(company.pk), 0)
            if accepted < company.commitment_version:
                services.commitment_accept(
                    user=user, version=company.commitment_version, company_id=company.pk
                )


def seed_demo(context: dict) -> str:
    """seed_demo step: users and teams; puts the users into `context`."""
    created, users = seed_users()
    context["users"] = users
    context["companies"] = seed_companies()
    return (
        f"companies {', '.join(c.name for c in context['companies'].values())}; "
        f"{created} users created, {len(DEMO_USERS) - created} kept; "
        f"teams {', '.join(name for _, name, _ in DEMO_TEAMS)}; "
        "each with a TOTP device of its demo secret (README)"
    )
