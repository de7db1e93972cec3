"""Reads of cases: what the user may not see does not exist (404).

A case is visible when its customer is (restricted customers hidden from all but
the DPO and Admin) and, when it names a person, that person is shown to the
user (Art. 18 for one contact of an organization) — the rule of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, F
from django.http import Http404
from django.utils import timezone

from crm.models import person_shown
from crm.policy import may_change, remember_editable
from service.models import (
    OPEN_STATUSES,
    Case,
    CaseQuerySet,
    CaseRating,
    breached_q,
    soon_q,
)

LIST_SIZE = 50
CARD_SIZE = 10
PANEL_SIZE = 5


def _related(queryset: CaseQuerySet) -> CaseQuerySet:
    return queryset.select_related("customer", "person", "owner", "team", "category")


def case_get(*, user, pk: int, perm: str = "view") -> Case:
    """The case, or 404 when missing or when the user may not `perm` its customer."""
    queryset = _related(Case.objects.filter(person_shown(user, prefix="person__")))
    queryset = queryset.select_related("contract", "company")
    queryset = (
        queryset.visible_to(user) if perm == "view" else queryset.editable_by(user)
    )
    case = queryset.filter(pk=pk).first()
    if case is None:
        raise Http404
    if perm != "view":
        remember_editable(user, [case.customer_id])
    return case


def case_editable(*, user, case: Case) -> bool:
    """May the user work on this (visible) case: they may change its customer."""
    return case.customer.restricted_until is None and may_change(user, case.customer_id)


def case_list(*, user, filters: dict, now: datetime) -> CaseQuerySet:
    """Visible cases, filtered; newest first (breached and due soon: soonest due
    first)."""
    queryset = _related(
        Case.objects.across_visible(user).filter(person_shown(user, prefix="person__"))
    )
    status = filters.get("status") or "open"
    if status == "open":
        queryset = queryset.open()
    elif status != "all":
        queryset = queryset.filter(status=status)
    for name in ("kind", "priority", "category", "owner", "team", "customer"):
        value = filters.get(name)
        if value:
            queryset = queryset.filter(**{name: value})
    sla = filters.get("sla") or ""
    if sla == "breached":
        return queryset.breached(now=now).order_by("resolution_due_at", "id")
    if sla == "soon":
        return queryset.due_soon(now=now).order_by("resolution_due_at", "id")
    return queryset.order_by("-opened_at", "-id")


def case_page(*, user, filters: dict, now: datetime, number) -> Page:
    """One page of the case list (a count and the page's rows: two queries)."""
    return Paginator(
        case_list(user=user, filters=filters, now=now), LIST_SIZE
    ).get_page(number)


def customer_cases_card(*, user, customer, access) -> dict:
    """The customer page's cases: the open ones first, then the latest (one
    query), and the customer's ratings (one query)."""
    cases = list(
        _related(customer.cases.filter(person_shown(user, prefix="person__"))).order_by(
            F("resolved_at").asc(nulls_first=True), "-opened_at", "-id"
        )[: CARD_SIZE + 1]
    )
    ratings = CaseRating.objects.filter(
        case__customer=customer, score__isnull=False
    ).aggregate(average=Avg("score"), count=Count("pk"))
    return {
        "cases": cases[:CARD_SIZE],
        "more": len(cases) > CARD_SIZE,
        "can_edit": access.can_edit and customer.restricted_until is None,
        "ratings": ratings,
        "now": timezone.now(),
    }


@dataclass(frozen=True)
class CaseCounts:
    open: int
    breached: int
    soon: int
    first: list[Case]


def my_cases(*, user, now: datetime) -> CaseCounts:
    """The user's own open cases: how many, breached, due soon, and the most
    urgent few (two queries)."""
    mine = Case.objects.visible_to(user).filter(
        person_shown(user, prefix="person__"), owner=user, status__in=OPEN_STATUSES
    )
    return _counts(mine, now)


def team_cases(*, user, now: datetime) -> CaseCounts:
    """The open cases of the teams the user manages (two queries)."""
    from accounts.models import Team

    teams = Team.objects.managed_by(user).of_company(user.company_id)
    cases = Case.objects.visible_to(user).filter(
        person_shown(user, prefix="person__"),
        team__in=teams,
        status__in=OPEN_STATUSES,
    )
    return _counts(cases, now)


def _counts(cases: CaseQuerySet, now: datetime) -> CaseCounts:
    counts = cases.aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=breached_q(now)),
        soon=Count("pk", filter=soon_q(now) & ~breached_q(now)),
    )
    first = list(
        cases.filter(soon_q(now))
        .select_related("customer")
        .order_by("resolution_due_at", "id")[:PANEL_SIZE]
    )
    return CaseCounts(first=first, **counts)
