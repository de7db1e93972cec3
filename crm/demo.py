"""Demo customers: a few dozen realistic German customers over both teams, made
through the services (so they carry history), the same on every run (seeded)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from accounts.models import Company, Team, User
from crm import services
from crm.models import Customer, CustomerKind, InteractionKind

INDUSTRIES = [
    "Maschinenbau",
    "Logistik",
    "Einzelhandel",
    "Gastronomie",
    "Handwerk",
    "IT-Dienstleistungen",
    "Energie",
    "Gesundheitswesen",
]
SUBJECTS = {
    InteractionKind.CALL: [
        "Rückruf wegen Angebot",
        "Frage zur Rechnung",
        "Terminabsprache",
    ],
    InteractionKind.EMAIL: [
        "Angebot versendet",
        "Lieferschein nachgereicht",
        "Anfrage",
    ],
    InteractionKind.MEETING: ["Jahresgespräch", "Besuch vor Ort", "Produktvorführung"],
    InteractionKind.LETTER: ["Vertragsunterlagen", "Preisanpassung angekündigt"],
    InteractionKind.NOTE: ["Interne Notiz", "Ansprechpartner gewechselt"],
}
# Valid German VAT IDs (check digit correct), so that the demo shows real data.
DEMO_VAT_IDS = ["DE136695976", "DE811569869", "DE129273398", "DE813495425"]
DEMO_PHONES = [
    "+4930{:07d}",
    "+4940{:07d}",
    "+4989{:07d}",
    "+49171{:07d}",
    "+49221{:07d}",
]


def _phone(fake: Faker) -> str:
    return random.choice(DEMO_PHONES).format(fake.random_int(1000000, 9999999))


def _name(fake: Faker) -> dict:
    """Salutation and a first name that go together."""
    if random.random() < 0.5:
        return {"salutation": "ms", "first_name": fake.first_name_female()}
    return {"salutation": "mr", "first_name": fake.first_name_male()}


def _postcode(fake: Faker) -> str:
    return f"{fake.random_int(10000, 99999)}"


# Per demo company: who owns its customers (user, team), how many, the seed.
DEMO_CUSTOMERS = {
    "first": {"owners": [("anna", "Nord"), ("ben", "Süd")], "organizations": 32,
              "private": 10, "seed": 2026},
    "second": {"owners": [("carla", "Vertrieb"), ("moritz", "Vertrieb")],
               "organizations": 12, "private": 4, "seed": 2027},
}  # fmt: skip


@transaction.atomic
def seed_customers(
    *,
    users: dict[str, User],
    company: Company,
    owners: list[tuple[str, str]],
    organizations: int = 32,
    private: int = 10,
    seed: int = 2026,
):
    """Create a company's demo customers once; returns how many were made (0
    when it has some)."""
    if Customer.objects.filter(company=company).exists():
        return 0
    fake = Faker("de_DE")
    Faker.seed(seed)
    random.seed(seed)
    teams = {team.name: team for team in Team.objects.of_company(company.pk)}
    owners = [(users[name], teams[team]) for name, team in owners]
    made = 0
    for number in range(organizations + private):
        owner, team = owners[number % 2]
        kind = CustomerKind.ORGANIZATION if number < organizations else "private"
        person = {
            **_name(fake),
            "last_name": "Müller" if number in (3, 36) else fake.last_name(),
            "email": "",
            "phone": _phone(fake),
            "preferred_language": "de",
        }
        person["email"] = fake.email()
        fields = {
            "status": random.choice(["prospect", "active", "active", "former"]),
            "owner": owner,
            "team": team,
            "key_account": number % 7 == 0,
            "notes": fake.sentence() if number % 3 == 0 else "",
            "next_review_on": timezone.localdate()
            + timedelta(days=random.randint(-30, 180)),
        }
        if kind == CustomerKind.ORGANIZATION:
            fields["name"] = fake.company()
            fields["industry"] = random.choice(INDUSTRIES)
            fields["website"] = f"https://www.{fake.domain_name()}"
            if number < len(DEMO_VAT_IDS):
                fields["vat_id"] = DEMO_VAT_IDS[number]
        customer = services.customer_create(
            actor=owner,
            kind=kind,
            fields=fields,
            tags=random.sample(["Newsletter", "Messe 2026", "Rahmenvertrag"], k=1),
            person_fields=person if kind == "private" else None,
        )
        if kind == CustomerKind.ORGANIZATION:
            for _index in range(random.randint(1, 3)):
                services.person_create(
                    customer=customer,
                    actor=owner,
                    fields={
                        **person,
                        "position": fake.job()[:100],
                        "email": fake.company_email(),
                        "phone": _phone(fake),
                    },
                )
                person = {**person, **_name(fake), "last_name": fake.last_name()}
        city, postcode = fake.city(), _postcode(fake)
        services.address_create(
            customer=customer,
            actor=owner,
            fields={
                "purpose": "postal",
                "street": fake.street_address(),
                "postcode": postcode,
                "city": city,
                "country": "DE",
            },
        )
        if kind == CustomerKind.ORGANIZATION and number % 2 == 0:
            services.address_create(
                customer=customer,
                actor=owner,
                fields={
                    "purpose": "delivery",
                    "street": fake.street_address(),
                    "postcode": postcode,
                    "city": city,
                    "country": "DE",
                    "details": [
                        "Warenannahme: Mo-Fr 7-15 Uhr",
                        "Torhöhe: 3,80 m",
                        "Anmeldung an der Pforte",
                    ],
                },
            )
        persons = list(customer.persons.all())
        now = timezone.now()
        for _index in range(random.randint(2, 8)):
            kind_of_contact = random.choice(list(SUBJECTS))
            services.interaction_create(
                customer=customer,
                actor=owner,
                fields={
                    "kind": kind_of_contact,
                    "direction": random.choice(["in", "out"]),
                    "occurred_at": now - timedelta(hours=random.randint(1, 24 * 300)),
                    "subject": random.choice(SUBJECTS[kind_of_contact]),
                    "text": fake.paragraph(nb_sentences=2),
                },
                persons=persons[:1],
            )
        made += 1
    # A duplicate to find and merge: same VAT ID as the first organization.
    first = Customer.objects.filter(company=company, vat_id=DEMO_VAT_IDS[0]).first()
    if first is not None:
        services.customer_create(
            actor=first.owner,
            kind=CustomerKind.ORGANIZATION,
            fields={
                "name": first.name.upper(),
                "owner": first.owner,
                "team": first.team,
                "vat_id": first.vat_id,
            },
        )
        made += 1
    return made


def seed_demo(context: dict) -> str:
    """seed_demo step: customers, unless `--users-only`."""
    if context.get("users_only"):
        return "customers skipped"
    made = [
        seed_customers(
            users=context["users"], company=context["companies"][key], **plan
        )
        for key, plan in DEMO_CUSTOMERS.items()
    ]
    return f"{' + '.join(str(count) for count in made)} customers created"
