"""Reads of contracts; what the user may not see does not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from contracts import deadlines as engine
from contracts.models import Contract, value_totals_of
from core.holidays import public_holidays

LIST_SIZE = 50
# Pages by OFFSET (five sort orders over nullable dates make keysets costly);
# beyond this many pages, narrowing the filter is the better way.
MAX_PAGE = 200
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
    queryset = Contract.objects.across_visible(user).select_related(
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


@dataclass(frozen=True)
class DeadlineReport:
    """What the contract page, the calculator and `manage.py deadline` show."""

    result: engine.Deadlines
    explanation: list[str]
    problems: list[str]
    received: date | None
    end_for_received: date | None


def deadline_report(
    terms: engine.Terms,
    *,
    today: date,
    language: str,
    land: str | None = None,
    received: date | None = None,
    ahead: bool = False,
) -> DeadlineReport:
    """The engine's dates for `today` with their explanation in `language`.

    `ahead`: the next deadline still to come (as the stored dates, the list, the
    feed and the reminders have it), with a passed one named as passed; without
    it, the term running on `today` (the calculator's question).
    """
    compute = engine.upcoming if ahead else engine.deadlines
    result = compute(terms, today=today, holidays=public_holidays(today.year, land))
    return DeadlineReport(
        result=result,
        explanation=engine.explain(result.steps, language),
        problems=engine.explain(engine.consumer_problems(terms), language),
        received=received,
        end_for_received=engine.end_for_notice(terms, received=received)
        if received
        else None,
    )


CUSTOMER_CARD_SIZE = 10
RUNNING_FIRST = {"active": 0, "notice_given": 1, "draft": 2, "ended": 3}


def customer_contracts_card(*, user, customer, access) -> dict:
    """The customer page's contracts: running ones first, by next deadline, with
    the value totals of the running ones (the page showed only a button before)."""
    contracts = sorted(
        Contract.objects.filter(customer=customer).select_related("type"),
        key=lambda contract: (
            RUNNING_FIRST.get(contract.status, 9),
            contract.last_notice_day or contract.term_end or date.max,
            contract.number,
        ),
    )
    running = [c for c in contracts if c.is_running]
    return {
        "contracts": contracts[:CUSTOMER_CARD_SIZE],
        "more": max(len(contracts) - CUSTOMER_CARD_SIZE, 0),
        "totals": value_totals_of(running),
        "can_edit": access.can_edit,
    }
