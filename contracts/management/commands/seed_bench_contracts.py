"""Contracts for the benchmark, fast: PostgreSQL COPY on top of `seed_bench`.

    python manage.py seed_bench --organizations 10000
    python manage.py seed_bench_contracts --contracts 200000 --due 2000

spreads the contracts over the customers (each gets its customer's owner), with
terms whose stored dates come from the deadline engine:

- `--due` active contracts have their last notice day within the next 85 days
  (what the daily reminder scan must find),
- the other active ones have every deadline more than 90 days ahead (the longest
  default lead time), and
- one in twenty has ended years ago (history that must cost nothing);

and gives `bench_feed` (its own team) exactly `--feed-contracts` contracts,
all with deadlines in the calendar feed's window. Meant for a database that
`seed_bench` filled and that has no contracts yet.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Company, NumberCounter, Team, User
from accounts.roles import Role
from contracts import deadlines as engine
from contracts.models import Contract
from crm.management.commands.seed_bench import BENCH_PASSWORD, _copy
from crm.models import Customer

FEED_CUSTOMERS = 250
TITLES = ["Wartungsvertrag", "Mietvertrag", "Softwarelizenz", "Rahmenvertrag"]
COLUMNS = [
    "customer_id",
    "number",
    "title",
    "status",
    "consumer",
    "standard_terms",
    "concluded_on",
    "start",
    "initial_months",
    "renewal",
    "renewal_months",
    "notice_amount",
    "notice_unit",
    "anchor",
    "value_amount",
    "currency",
    "value_period",
    "owner_id",
    "notes",
    "term_end",
    "last_notice_day",
    "version",
    "created_at",
    "updated_at",
]


def _terms(*, status: str, term_end: date, months: int) -> engine.Terms:
    """Terms of `months` renewing by 12, three months' notice, ending on `term_end`."""
    start = engine.add_months(term_end + timedelta(days=1), -months)
    if status == "ended":
        return engine.Terms(
            start=start,
            initial_months=months,
            renewal=engine.Renewal.NONE,
            notice=engine.Period(3, engine.Unit.MONTHS),
        )
    return engine.Terms(
        start=start,
        initial_months=months,
        renewal=engine.Renewal.MONTHS,
        renewal_months=12,
        notice=engine.Period(3, engine.Unit.MONTHS),
    )


class Command(BaseCommand):
    help = "Generate benchmark contracts with COPY (after seed_bench)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--contracts", type=int, default=200_000)
        parser.add_argument("--due", type=int, default=2_000)
        parser.add_argument("--feed-contracts", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        if Contract.objects.exists():
            raise CommandError(
                "seed_bench_contracts needs a database without contracts."
            )
        customers = list(Customer.objects.order_by("pk").values_list("pk", "owner_id"))
        if len(customers) <= FEED_CUSTOMERS:
            raise CommandError("Run seed_bench first (more customers are needed).")
        started = time.monotonic()
        random.seed(options["seed"])
        today = timezone.localdate()
        total, due, feed = (
            options["contracts"],
            options["due"],
            options["feed_contracts"],
        )
        feed_user = self._feed_user()
        feed_customers = [pk for pk, _owner in customers[:FEED_CUSTOMERS]]
        others = customers[FEED_CUSTOMERS:]
        due_every = max(1, (total - feed) // max(1, due))
        now = datetime.now(UTC)

        def rows():
            due_left = due
            for index in range(total):
                if index < feed:  # bench_feed's: all within the feed's window
                    customer_id, owner_id = feed_customers[index % FEED_CUSTOMERS], None
                    # 24 months from a past start; never due (all beyond 90 days)
                    status, months = "active", 24
                    end = today + timedelta(days=random.randint(185, 700))
                else:
                    customer_id, owner_id = others[index % len(others)]
                    months = random.choice([12, 24, 36])
                    if due_left and (index - feed) % due_every == 0:
                        due_left -= 1  # last notice day (end - 3 months) in 3..85 days
                        status, end = (
                            "active",
                            today + timedelta(days=random.randint(95, 175)),
                        )
                    elif index % 20 == 1:
                        status = "ended"
                        end = today - timedelta(days=random.randint(400, 3000))
                    else:  # every deadline beyond the longest lead time
                        status = "active"
                        end = today + timedelta(days=random.randint(185, months * 30))
                terms = _terms(status=status, term_end=end, months=months)
                result = engine.upcoming(terms, today=today)
                term_end = result.term.end if result.term else end
                yield (
                    customer_id,
                    f"V-{index + 1:07d}",
                    TITLES[index % len(TITLES)],
                    status,
                    False,
                    True,
                    terms.start,
                    terms.start,
                    months,
                    terms.renewal.value,
                    terms.renewal_months,
                    3,
                    "months",
                    "term_end",
                    f"{random.randint(50, 5000)}.00",
                    "EUR",
                    "month",
                    owner_id or feed_user.pk,
                    "",
                    term_end,
                    result.last_notice_day if status == "active" else None,
                    1,
                    now,
                    now,
                )

        with transaction.atomic():
            Customer.objects.filter(pk__in=feed_customers).update(
                owner=feed_user, team=Team.objects.get(slug="bench-feed")
            )
            company = Company.objects.order_by("pk").first()  # the bench's one
            written = _copy(
                "contracts_contract", COLUMNS, rows(), company_id=company.pk
            )
            NumberCounter.objects.update_or_create(
                company=company, kind="contract", defaults={"value": total + 1}
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contracts_contract")
            cursor.execute("VACUUM ANALYZE crm_customer")
        self.stdout.write(
            f"seed_bench_contracts: {written} contracts ({due} due, {feed} for "
            f"bench_feed) in {time.monotonic() - started:.0f} s"
        )

    def _feed_user(self) -> User:
        user = User.objects.filter(username="bench_feed").first()
        if user is not None:
            return user
        manager = User.objects.get(username="bench_manager")
        team = Team.objects.filter(slug="bench-feed").first() or (
            account_services.team_create(name="Bench Feed", manager=manager, actor=None)
        )
        user = account_services.user_create(
            username="bench_feed",
            password=BENCH_PASSWORD,
            roles=[Role.STAFF],
            actor=None,
        )
        account_services.team_add_members(team=team, users=[user], actor=None)
        return user
