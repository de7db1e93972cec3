"""Large benchmark data, fast: PostgreSQL COPY, no per-row ORM work.

    python manage.py seed_bench --organizations 100000

makes 100,000 organizations with 3 persons, 1 address and 20 interactions each
(300,000 persons, 2,000,000 interactions), spread over 4 teams of 3 users, plus
one "hot" customer with 2,000 interactions and a few personal grants for the
benchmark user `bench_staff`. Deliberately no history rows: they would double the
time and the benchmark reads none. Meant for an empty database.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from faker import Faker

from accounts import services as account_services
from accounts.models import Company, NumberCounter, Team, User
from accounts.roles import Role
from crm import search
from crm.models import Customer, CustomerUserObjectPermission

BENCH_PASSWORD = "bench-only-2026"
HOT_CUSTOMER_NAME = "Hot Interactions GmbH"


def _pools(fake: Faker, size: int = 600) -> dict[str, list[str]]:
    return {
        "first": [fake.first_name() for _ in range(size)],
        "last": [fake.last_name() for _ in range(size)] + ["Müller", "Mueller"],
        "company": [fake.last_name() for _ in range(size)],
        "suffix": ["GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.", "OHG", "UG"],
        "industry": ["Maschinenbau", "Logistik", "Handel", "Handwerk", "IT", "Energie"],
        "city": [fake.city() for _ in range(size // 3)],
        "street": [fake.street_name() for _ in range(size // 3)],
    }


def _copy(table: str, columns: list[str], rows, *, company_id: int) -> int:
    """COPY the rows, each with the company's id as its last column."""
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join([*columns, 'company_id'])}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row((*row, company_id))
                count += 1
    return count


class Command(BaseCommand):
    help = "Generate large benchmark data with COPY (organizations, persons, ...)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organizations", type=int, default=10_000)
        parser.add_argument("--persons-per-organization", type=int, default=3)
        parser.add_argument("--interactions-per-organization", type=int, default=20)
        parser.add_argument("--hot-interactions", type=int, default=2_000)
        parser.add_argument("--teams", type=int, default=4)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--company",
            default="",
            help="Name of the company to fill (made when missing); default: the first.",
        )
        parser.add_argument(
            "--prefix", default="bench", help="Prefix of the benchmark users' names."
        )

    def handle(self, *args, **options) -> None:
        self.company = self._company(options["company"])
        self.prefix = options["prefix"]
        if Customer.objects.filter(company=self.company).exists():
            raise CommandError("seed_bench needs a company without customers.")
        started = time.monotonic()
        random.seed(options["seed"])
        Faker.seed(options["seed"])
        pools = _pools(Faker("de_DE"))
        teams, owners = self._teams_and_users(options["teams"])
        with transaction.atomic():
            n = options["organizations"]
            self._customers(n, teams, owners, pools)
            first_id = (
                Customer.objects.filter(company=self.company)
                .order_by("pk")
                .values_list("pk", flat=True)[0]
            )
            ids = range(first_id, first_id + n)
            persons = self._persons(ids, options["persons_per_organization"], pools)
            addresses = self._addresses(ids, pools)
            interactions = self._interactions(
                ids, options["interactions_per_organization"], owners
            )
            NumberCounter.objects.update_or_create(
                company=self.company, kind="customer", defaults={"value": n + 1}
            )
            hot = self._hot_customer(teams[0], owners[0], options["hot_interactions"])
            self._grants(ids, first_id, teams)
        # VACUUM, not only ANALYZE: rows COPYed after the GIN indexes were made sit in
        # their pending lists, which every search would scan until autovacuum came.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"seed_bench: {n} organizations, {persons} persons, {addresses} addresses, "
            f"{interactions + options['hot_interactions']} interactions "
            f"(hot customer {hot}) in {time.monotonic() - started:.0f} s"
        )

    def _company(self, name: str) -> Company:
        if not name:
            return Company.objects.order_by("pk").first()
        company = Company.objects.filter(name=name).first()
        return company or account_services.company_create(actor=None, name=name)

    def _user(self, username: str, role: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                username=username,
                password=BENCH_PASSWORD,
                roles=[role],
                company=self.company,
                actor=None,
            )
        return user

    def _teams_and_users(self, count: int):
        teams, owners = [], []
        prefix = self.prefix
        manager = self._user(f"{prefix}_manager", Role.MANAGER)
        self._user(f"{prefix}_dpo", Role.DPO)  # reads all of the company
        for number in range(1, count + 1):
            team = Team.objects.filter(
                company=self.company, slug=f"bench-{number}"
            ).first()
            if team is None:
                team = account_services.team_create(
                    name=f"Bench {number}",
                    manager=manager,
                    company=self.company,
                    actor=None,
                )
            members = []
            for member in range(1, 4):
                username = (
                    f"{prefix}_staff"
                    if (number, member) == (1, 1)
                    else (f"{prefix}_{number}_{member}")
                )
                user = self._user(username, Role.STAFF)
                members.append(user)
            account_services.team_add_members(team=team, users=members, actor=None)
            teams.append(team)
            owners.append(members)
        return teams, owners

    def _customers(self, n: int, teams, owners, pools) -> None:
        today = datetime.now(UTC).date()
        now = datetime.now(UTC)

        def rows():
            for number in range(n):
                team_index = number % len(teams)
                owner = random.choice(owners[team_index])
                name = (
                    f"{random.choice(pools['company'])} "
                    f"{random.choice(pools['industry'])} "
                    f"{random.choice(pools['suffix'])}"
                )
                customer_number = f"K-{number + 1:06d}"
                yield (
                    "organization",
                    customer_number,
                    name,
                    random.choice(["prospect", "active", "active", "former"]),
                    owner.pk,
                    teams[team_index].pk,
                    number % 50 == 0,
                    random.choice(pools["industry"]),
                    "",
                    "",
                    "",
                    "",
                    today + timedelta(days=random.randint(-60, 180)),
                    1,
                    search.document(name, customer_number),
                    now,
                    now - timedelta(minutes=number),
                )

        _copy(
            "crm_customer",
            [
                "kind",
                "number",
                "name",
                "status",
                "owner_id",
                "team_id",
                "key_account",
                "industry",
                "website",
                "vat_id",
                "iban",
                "notes",
                "next_review_on",
                "version",
                "search_text",
                "created_at",
                "updated_at",
            ],
            rows(),
            company_id=self.company.pk,
        )

    def _persons(self, ids, per_customer: int, pools) -> int:
        now = datetime.now(UTC)

        def rows():
            for customer_id in ids:
                for index in range(per_customer):
                    first = random.choice(pools["first"])
                    last = random.choice(pools["last"])
                    email = f"{first}.{last}.{customer_id}.{index}@example.com".lower()
                    phone = f"+4930{random.randint(1000000, 9999999)}"
                    yield (
                        customer_id,
                        random.choice(["ms", "mr"]),
                        "",
                        first,
                        last,
                        "",
                        email,
                        "",
                        phone,
                        "",
                        "de",
                        "",
                        "",
                        search.document(first, last, email, phones=[phone]),
                        now,
                    )

        return _copy(
            "crm_person",
            [
                "customer_id",
                "salutation",
                "title",
                "first_name",
                "last_name",
                "position",
                "email",
                "email_secondary",
                "phone",
                "mobile",
                "preferred_language",
                "preferred_channel",
                "personal_notes",
                "search_text",
                "created_at",
            ],
            rows(),
            company_id=self.company.pk,
        )

    def _addresses(self, ids, pools) -> int:
        now = datetime.now(UTC)

        def rows():
            for customer_id in ids:
                yield (
                    customer_id,
                    "postal",
                    True,
                    "",
                    f"{random.choice(pools['street'])} {random.randint(1, 120)}",
                    f"{random.randint(10000, 99999)}",
                    random.choice(pools["city"]),
                    "DE",
                    "[]",
                    now,
                )

        count = _copy(
            "crm_address",
            [
                "customer_id",
                "purpose",
                "is_current",
                "recipient",
                "street",
                "postcode",
                "city",
                "country",
                "details",
                "created_at",
            ],
            rows(),
            company_id=self.company.pk,
        )
        # The city and postcode are part of the customer's search words.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE crm_customer c SET search_text = c.search_text || ' ' || "
                "a.postcode || ' ' || lower(a.city) FROM crm_address a "
                "WHERE a.customer_id = c.id AND a.is_current AND c.company_id = %s",
                [self.company.pk],
            )
        return count

    def _interactions(self, ids, per_customer: int, owners) -> int:
        now = datetime.now(UTC)
        users = [user.pk for members in owners for user in members]
        kinds = ["call", "email", "meeting", "letter", "note"]

        def rows():
            for customer_id in ids:
                for index in range(per_customer):
                    yield (
                        customer_id,
                        kinds[index % 5],
                        "out",
                        now - timedelta(hours=random.randint(1, 24 * 700)),
                        f"Kontakt {index}",
                        "",
                        random.choice(users),
                        now,
                    )

        return _copy(
            "crm_interaction",
            [
                "customer_id",
                "kind",
                "direction",
                "occurred_at",
                "subject",
                "text",
                "user_id",
                "created_at",
            ],
            rows(),
            company_id=self.company.pk,
        )

    def _hot_customer(self, team, owner_members, count: int) -> int:
        from crm import services

        owner = owner_members[0]
        customer = services.customer_create(
            actor=owner,
            kind="organization",
            fields={"name": HOT_CUSTOMER_NAME, "owner": owner, "team": team},
        )
        self._interactions([customer.pk], count, [owner_members])
        return customer.pk

    def _grants(self, ids, first_id: int, teams) -> None:
        """A few personal grants for bench_staff on customers of other teams."""
        user = User.objects.get(username=f"{self.prefix}_staff")
        view = Permission.objects.get(codename="view_customer")
        # Team 1 gets every len(teams)-th customer from the first; grant others.
        others = [pk for pk in ids if (pk - first_id) % len(teams) != 0]
        chosen = others[:: max(1, len(others) // 20)]
        CustomerUserObjectPermission.objects.bulk_create(
            [
                CustomerUserObjectPermission(
                    content_object_id=pk, user=user, permission=view
                )
                for pk in chosen[:20]
            ]
        )
