"""Reads of cases: what the user may not see does not exist (404).

A case is visible when its customer is (restricted customers hidden from all but
the DPO and Admin) and, when it names a person, that person is shown to the
user (Art. 18 for one contact of an organization) — the rule of tasks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from core.cache import CACHE_DOWN, cache_get, cache_set
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


def _person_shown_by_key(user) -> Q:
    """person_shown by key: a case without a person, or whose person is not one
    of the company's few restricted ones (no join of every person; for lists
    across many customers)."""
    from crm.models import Person

    if not person_shown(user):
        return Q()
    restricted = Person.objects.filter(
        company_id=user.company_id, restricted_until__isnull=False
    ).values("pk")
    return Q(person_id__isnull=True) | ~Q(person_id__in=restricted)


def case_list(*, user, filters: dict, now: datetime) -> CaseQuerySet:
    """Visible cases, filtered; newest first (breached and due soon: soonest due
    first). Without joins: the page's rows are joined once chosen (case_page)."""
    queryset = Case.objects.across_visible(user).filter(_person_shown_by_key(user))
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


GENERATION_KEY = "service:cases:generation"
COUNT_CACHE_SECONDS = 60


def forget_case_counts() -> None:
    """Make every cached case-list count stale (after a case is recorded or
    moved on); customers reassigned or shared bump crm's generation, which the
    key holds too."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (yet, or evicted)
        cache_set(GENERATION_KEY, 1, None)
    except CACHE_DOWN:
        pass


def _count_key(user, filters: dict) -> str | None:
    from crm.selectors import GENERATION_KEY as CUSTOMERS

    shown = sorted((k, str(v)) for k, v in filters.items() if k != "page" and v)
    try:
        generations = cache.get_many([GENERATION_KEY, CUSTOMERS])
    except CACHE_DOWN:
        return None
    mine, theirs = generations.get(GENERATION_KEY, 0), generations.get(CUSTOMERS, 0)
    raw = f"{mine}:{theirs}:{user.pk}:{user.company_id}:{shown}"
    return "service:case-count:" + hashlib.sha256(raw.encode()).hexdigest()


class _CasePaginator(Paginator):
    """Pages of case ids; a page's rows are then read with their joins. The
    count is cached a minute per user and filter (paging asks it again and
    again), dropped when a case or a customer's visibility changes."""

    def __init__(self, *args, count_key: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        total = cache_get(self.count_key) if self.count_key else None
        if total is None:
            total = super().count
            if self.count_key:
                cache_set(self.count_key, total, COUNT_CACHE_SECONDS)
        return total

    def _get_page(self, object_list, number, paginator):
        ids = [case.pk for case in object_list]
        rows = {case.pk: case for case in _related(Case.objects.filter(pk__in=ids))}
        chosen = [rows[pk] for pk in ids if pk in rows]
        return super()._get_page(chosen, number, paginator)


def case_page(*, user, filters: dict, now: datetime, number) -> Page:
    """One page of the case list: the count (cached), the page's ids (the case
    table and the visibility only) and the page's rows with their joins."""
    queryset = case_list(user=user, filters=filters, now=now).only("pk")
    paginator = _CasePaginator(queryset, LIST_SIZE, count_key=_count_key(user, filters))
    return paginator.get_page(number)


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
