"""Demo contracts for the demo customers: some with notice deadlines in the next
weeks, so that the list, the dashboard and reminders have something to show."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Company
from contracts import services
from contracts.models import Contract, ContractType
from crm.models import Customer

TYPES = ["Wartung", "Miete", "Software-Lizenz", "Reinigung"]
SITES = ["Zentrale", "Lager Nord", "Filiale Süd", "Werk 2", "Standort Hafen"]
# Per demo company: how many organizations get a contract, and the seed.
DEMO_CONTRACTS = {
    "first": {"count": 24, "seed": 2026},
    "second": {"count": 8, "seed": 2027},
}


def seed_demo(context: dict) -> str:
    """seed_demo step: contracts for organizations, once per company."""
    if context.get("users_only"):
        return "contracts skipped"
    made = [
        seed_contracts(company, **DEMO_CONTRACTS[key])
        for key, company in context["companies"].items()
    ]
    return f"{' + '.join(str(count) for count in made)} contracts created"


def seed_contracts(company: Company, *, count: int, seed: int) -> int:
    """A company's demo contracts, unless it has some."""
    if Contract.objects.filter(company=company).exists():
        return 0
    random.seed(seed)
    today = timezone.localdate()
    types = [
        ContractType.objects.get_or_create(company=company, name=name)[0]
        for name in TYPES
    ]
    made = 0
    customers = Customer.objects.filter(company=company, kind="organization")
    for index, customer in enumerate(customers.order_by("pk")[:count]):
        # Start dates chosen so that the last notice days spread over the next
        # months (12-month terms, 1 or 3 months' notice), some within two weeks.
        start = today - timedelta(days=180 + index * 9)
        kind = random.choice(TYPES)
        fields = {
            "title": f"{kind} {random.choice(SITES)}",
            "type": types[TYPES.index(kind)],
            "status": "active",
            "consumer": False,
            "standard_terms": True,
            "concluded_on": start - timedelta(days=14),
            "start": start,
            "initial_months": 12,
            "renewal": "months",
            "renewal_months": 12,
            "notice_amount": random.choice([1, 3]),
            "notice_unit": "months",
            "anchor": "term_end",
            "value_amount": random.choice([250, 480, 1200, 3600]),
            "currency": "EUR",
            "value_period": random.choice(["month", "year"]),
            "owner": customer.owner,
        }
        services.contract_create(
            customer=customer,
            actor=customer.owner,
            fields=fields,
            persons=list(customer.persons.all()[:1]),
            today=today,
        )
        made += 1
    return made
