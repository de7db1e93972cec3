"""Reads of contracts; what the user may not see does not exist (404)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from contracts.models import Contract

LIST_SIZE = 50
SORTS = {
    "last_notice_day": ("last_notice_day", "id"),
    "term_end": ("term_end", "id"),
    "number": ("number",),
    "customer": ("customer__name", "id"),
    "-updated_at": ("-updated_at", "-id"),
}


def contract_get(*, user, pk: int, perm: str = "view") -> Contract:
    """The contract, or 404 when missing or when its customer is not the user's."""
    queryset = Contract.objects.select_related("customer", "customer__team", "owner")
    queryset = (
        queryset.visible_to(user) if perm == "view" else queryset.editable_by(user)
    )
    contract = queryset.filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def contract_list(*, user, filters: dict, today: date) -> QuerySet[Contract]:
    """Visible contracts, filtered, soonest last notice day first."""
    queryset = Contract.objects.visible_to(user).select_related(
        "customer", "owner", "type"
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("type"):
        queryset = queryset.filter(type=filters["type"])
    if filters.get("owner"):
        queryset = queryset.filter(owner=filters["owner"])
    if filters.get("team"):
        queryset = queryset.filter(customer__team=filters["team"])
    if filters.get("customer"):
        queryset = queryset.filter(customer_id=filters["customer"])
    if filters.get("within_days") is not None:
        queryset = queryset.notice_due_within(today=today, days=filters["within_days"])
    order = SORTS.get(
        filters.get("sort") or "last_notice_day", SORTS["last_notice_day"]
    )
    return queryset.order_by(*order)
