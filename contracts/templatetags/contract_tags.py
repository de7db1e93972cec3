"""Contract pieces that other apps' pages show (the dashboard's "my deadlines")."""

from datetime import timedelta

from django import template
from django.utils import timezone

from contracts.models import Contract, ContractStatus

register = template.Library()

MY_DEADLINES_DAYS = 60
MY_DEADLINES_SIZE = 10


@register.inclusion_tag("contracts/_my_deadlines.html")
def my_deadlines(user) -> dict:
    """The user's own contracts whose last notice day comes within 60 days."""
    today = timezone.localdate()
    contracts = list(
        Contract.objects.visible_to(user)
        .filter(
            owner=user,
            status=ContractStatus.ACTIVE,
            last_notice_day__gte=today,
            last_notice_day__lte=today + timedelta(days=MY_DEADLINES_DAYS),
        )
        .select_related("customer")
        .order_by("last_notice_day", "id")[:MY_DEADLINES_SIZE]
    )
    for contract in contracts:
        contract.days_left = (contract.last_notice_day - today).days
    return {"contracts": contracts, "days": MY_DEADLINES_DAYS}
