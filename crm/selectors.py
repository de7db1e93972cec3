"""Reads that pages, exports and the search share. Every one starts from
`visible_to(user)`: what the user may not see does not exist (404)."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.permissions import access_of
from accounts.roles import (
    COMPLIANCE_ROLES,
    CUSTOMER_DELETE_ROLES,
    CUSTOMER_EDIT_ROLES,
    Role,
)
from core import history
from core.cache import CACHE_DOWN, cache_get, cache_set
from crm import policy, quality, search, validation
from crm.models import (
    Address,
    Customer,
    CustomerGroupObjectPermission,
    CustomerStatus,
    CustomerUserObjectPermission,
    Interaction,
    Person,
    Tag,
)

PAGE_SIZE = 25
COUNT_CAP = 1000  # beyond this the list says "more than 1,000" (no full COUNT)
TIMELINE_SIZE = 20
SEARCH_LIMIT = 20

_trigram: dict[str, bool] = {}


def trigram_available() -> bool:
    """pg_trgm installed in this database? (Not on a PostgreSQL without contrib.)"""
    key = connection.settings_dict["NAME"]
    if key not in _trigram:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _trigram[key] = cursor.fetchone() is not None
    return _trigram[key]


def _tag_names() -> ArraySubquery:
    return ArraySubquery(
        Tag.objects.filter(customer=OuterRef("pk")).order_by("name").values("name")
    )


def customer_get(*, user, pk: int, perm: str = "view") -> Customer:
    """The customer, or 404 when it does not exist or the user may not `perm` it."""
    queryset = Customer.objects.select_related("owner", "team").defer("search_text")
    if perm == "view":
        queryset = queryset.visible_to(user)
    else:
        queryset = queryset.editable_by(user)
    customer = queryset.annotate(tag_names=_tag_names()).filter(pk=pk).first()
    if customer is None:
        raise Http404
    if perm != "view":
        policy.remember_editable(user, [customer.pk])
    return customer


def person_get(*, user, pk: int, perm: str = "view") -> Person:
    """A person with its customer, or 404 when the user may not `perm` the
    customer (or the person is restricted, for all but the DPO and Admin)."""
    queryset = Person.objects.select_related("customer")
    if perm == "view":
        queryset = queryset.visible_to(user)
    else:
        queryset = queryset.editable_by(user)
    person = queryset.filter(pk=pk).first()
    if person is None:
        raise Http404
    if perm != "view":
        policy.remember_editable(user, [person.customer_id])
    return person


def child_get(*, model, customer: Customer, pk: int, user):
    """A person/address/interaction of an already authorized customer, or 404
    (also a person restricted under Art. 18, for all but the DPO and Admin)."""
    obj = model.objects.filter(customer=customer, pk=pk).shown_to(user).first()
    if obj is None:
        raise Http404
    obj.customer = customer
    return obj


@dataclass(frozen=True)
class Access:
    """Why a user sees a customer, and what they may do with it."""

    reasons: list[str]
    can_edit: bool
    can_delete: bool
    can_share: bool
    keeps_data_records: bool = False  # DPO and Admin: data-subject requests


def customer_access(*, user, customer: Customer) -> Access:
    """Reasons (owner, team, manager, grant, role) and rights, one query for grants."""
    access = access_of(user)
    reasons, edit = [], False
    if customer.owner_id == user.pk:
        reasons.append(_("You are the account owner."))
        edit = True
    if customer.team_id in access.member_team_ids:
        reasons.append(_("You are in team %(team)s.") % {"team": customer.team.name})
        edit = True
    if customer.team_id in access.managed_team_ids:
        reasons.append(_("You manage team %(team)s.") % {"team": customer.team.name})
        edit = True
    user_grants = CustomerUserObjectPermission.objects.filter(
        content_object=customer, user=user
    ).values_list("permission__codename", Value(""))
    group_grants = CustomerGroupObjectPermission.objects.filter(
        content_object=customer, group__user=user
    ).values_list("permission__codename", "group__name")
    grants = list(user_grants.union(group_grants, all=True))
    codenames = {codename for codename, _group in grants}
    if "view_customer" in codenames:
        groups = sorted({group for _c, group in grants if group})
        if groups:
            reasons.append(
                _("It is shared with your group(s): %(groups)s.")
                % {"groups": ", ".join(g.removeprefix("team:") for g in groups)}
            )
        if any(not group for _c, group in grants):
            reasons.append(_("It is shared with you personally."))
    edit = edit or "change_customer" in codenames
    if Role.ADMIN in access.roles:
        reasons.append(_("You are an administrator."))
        edit = True
    if Role.DPO in access.roles:
        reasons.append(_("As data protection officer you may read every customer."))
    may_edit_role = bool(access.roles & CUSTOMER_EDIT_ROLES)
    edit = edit and may_edit_role
    return Access(
        reasons=reasons,
        can_edit=edit,
        can_delete=edit and bool(access.roles & CUSTOMER_DELETE_ROLES),
        can_share=policy.may_share(user, customer),
        keeps_data_records=bool(access.roles & COMPLIANCE_ROLES),
    )


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list: only what the list shows, no model instance."""

    pk: int
    number: str
    name: str
    kind: str
    status: str
    key_account: bool
    next_review_on: date
    owner: str
    team: str
    city: str | None


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    next_after: int | None
    count: int
    count_capped: bool
    is_first: bool


# sort option -> column; a leading "-" in the option means descending.
SORT_FIELDS = {
    "name": "name",
    "-name": "name",
    "number": "number",
    "-updated_at": "updated_at",
}
COUNT_CACHE_SECONDS = 60


def customer_list(
    *, user, filters: dict, today: date | None = None
) -> QuerySet[Customer]:
    """The customers the user sees, filtered (no order, no page)."""
    queryset = Customer.objects.visible_to(user)
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("owner"):
        queryset = queryset.filter(owner=filters["owner"])
    if filters.get("team"):
        queryset = queryset.filter(team=filters["team"])
    if filters.get("key_account"):
        queryset = queryset.filter(key_account=True)
    if filters.get("tag"):
        queryset = queryset.filter(tags__name__iexact=filters["tag"])
    if filters.get("review_due"):
        queryset = queryset.review_due(today=today or timezone.localdate())
    return queryset


def _city() -> Subquery:
    return Subquery(
        Address.objects.filter(
            customer=OuterRef("pk"), is_current=True, purpose__in=["postal", "billing"]
        )
        .order_by("-purpose")
        .values("city")[:1]
    )


class Choice(NamedTuple):
    """An option of a select: unpacks as (value, label) like Django's choices."""

    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


CHOICES_CACHE_SECONDS = 60


def list_choices(company_id: int | None) -> tuple[list[Choice], list[Choice]]:
    """The company's owners and teams for the list's filter and bulk selects,
    cached a minute (per company).

    Only what the selects offer; a submitted choice is checked against the
    database by the form, so a minute-old list can never grant anything.
    """
    from crm.forms import owner_choices

    key = f"crm:list-choices:{company_id}"
    cached = cache_get(key)
    if cached is None:
        owners = [Choice(u.pk, str(u)) for u in owner_choices(company_id)]
        teams = [Choice(t.pk, t.name) for t in Team.objects.of_company(company_id)]
        cached = ([(c.pk, c.label) for c in owners], [(c.pk, c.label) for c in teams])
        cache_set(key, cached, CHOICES_CACHE_SECONDS)
    owners, teams = cached
    return [Choice(*c) for c in owners], [Choice(*c) for c in teams]


GENERATION_KEY = "crm:customers:generation"


def forget_counts() -> None:
    """Make every cached list count stale (called after customers change)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (yet, or evicted)
        cache_set(GENERATION_KEY, 1, None)
    except CACHE_DOWN:
        # Redis down: nothing cached can be read now; what it holds lapses within
        # COUNT_CACHE_SECONDS once it is back.
        pass


def _capped_count(queryset: QuerySet, *, user, filters: dict) -> int:
    """COUNT of at most COUNT_CAP + 1 rows, cached per user and filter.

    Paging through a list asks the same count again and again. The cached number
    is dropped whenever a customer is created, deleted, reassigned, shared or
    merged (forget_counts) and after a minute at the latest.
    """
    shown = {k: getattr(v, "pk", v) for k, v in filters.items() if k != "after" and v}
    try:
        generation = cache.get_or_set(GENERATION_KEY, 0, None)
    except CACHE_DOWN:  # Redis down: count in the database, cache nothing
        return queryset.order_by()[: COUNT_CAP + 1].count()
    key = (
        "crm:count:"
        + hashlib.sha256(
            f"{generation}:{user.pk}:{user.company_id}:{sorted(shown.items())}".encode()
        ).hexdigest()
    )
    total = cache_get(key)
    if total is None:
        total = queryset.order_by()[: COUNT_CAP + 1].count()
        cache_set(key, total, COUNT_CACHE_SECONDS)
    return total


def customer_page_query(
    *, user, filters: dict, size: int = PAGE_SIZE
) -> QuerySet[Customer]:
    """The rows of one list page, by keyset (an index on (sort column, id))."""
    sort = filters.get("sort") or "name"
    queryset = customer_list(user=user, filters=filters)
    field = SORT_FIELDS[sort]
    descending = sort.startswith("-")
    after = filters.get("after")
    if after:
        anchor = queryset.filter(pk=after).values_list(field, flat=True).first()
        if anchor is not None:
            # (field, pk) beyond the anchor; the first filter bounds the index scan.
            if descending:
                queryset = queryset.filter(**{f"{field}__lte": anchor}).filter(
                    Q(**{f"{field}__lt": anchor}) | Q(pk__lt=after)
                )
            else:
                queryset = queryset.filter(**{f"{field}__gte": anchor}).filter(
                    Q(**{f"{field}__gt": anchor}) | Q(pk__gt=after)
                )
    order = [f"-{field}", "-pk"] if descending else [field, "pk"]
    return queryset.annotate(city=_city()).order_by(*order)[: size + 1]


def customer_page(*, user, filters: dict, size: int = PAGE_SIZE) -> CustomerPage:
    """One page of the list by keyset: fast on page 1 and page 2,000 alike."""
    total = _capped_count(
        customer_list(user=user, filters=filters), user=user, filters=filters
    )
    after = filters.get("after")
    values = customer_page_query(user=user, filters=filters, size=size)
    statuses = dict(CustomerStatus.choices)
    rows = [
        CustomerRow(
            pk=pk,
            number=number,
            name=name,
            kind=kind,
            status=str(statuses.get(status, status)),
            key_account=key_account,
            next_review_on=review,
            owner=f"{first} {last}".strip() or login,
            team=team,
            city=city,
        )
        for (
            pk,
            number,
            name,
            kind,
            status,
            key_account,
            review,
            first,
            last,
            login,
            team,
            city,
        ) in values.values_list(
            "pk",
            "number",
            "name",
            "kind",
            "status",
            "key_account",
            "next_review_on",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "team__name",
            "city",
        )
    ]
    next_after = rows[size - 1].pk if len(rows) > size else None
    return CustomerPage(
        rows=rows[:size],
        next_after=next_after,
        count=min(total, COUNT_CAP),
        count_capped=total > COUNT_CAP,
        is_first=not after,
    )


@dataclass(frozen=True)
class TimelinePage:
    rows: list[Interaction]
    next_before: int | None


def timeline(
    *,
    user,
    customer: Customer,
    kind: str = "",
    before: int | None = None,
    person: Person | None = None,
    size: int = TIMELINE_SIZE,
) -> TimelinePage:
    """Newest interactions first, `size` at a time (keyset on time and id)."""
    queryset = Interaction.objects.filter(customer=customer)
    if person is not None:
        queryset = queryset.filter(persons=person)
    if kind:
        queryset = queryset.filter(kind=kind)
    if before:
        anchor = (
            queryset.filter(pk=before).values_list("occurred_at", flat=True).first()
        )
        if anchor is not None:
            queryset = queryset.filter(occurred_at__lte=anchor).filter(
                Q(occurred_at__lt=anchor) | Q(pk__lt=before)
            )
    names = ArraySubquery(  # restricted persons (Art. 18) are not named
        Person.objects.filter(interactions=OuterRef("pk"))
        .shown_to(user)
        .order_by("last_name")
        .annotate(full=Concat("first_name", Value(" "), "last_name"))
        .values("full")
    )
    rows = list(
        queryset.select_related("user")
        .annotate(person_names=names)
        .order_by("-occurred_at", "-pk")[: size + 1]
    )
    next_before = rows[size - 1].pk if len(rows) > size else None
    return TimelinePage(rows=rows[:size], next_before=next_before)


def customer_quality(
    *, customer: Customer, persons: list[Person], addresses: list[Address]
) -> quality.Completeness:
    """Completeness score of a customer from rows the page already loaded."""
    current = [a for a in addresses if a.is_current]
    facts = quality.Facts(
        is_private=customer.is_private,
        has_industry=bool(customer.industry),
        has_vat_id=bool(customer.vat_id),
        has_website=bool(customer.website),
        address_purposes=frozenset(a.purpose for a in current),
        persons=len(persons),
        persons_reachable=sum(1 for p in persons if p.email or p.phone or p.mobile),
        persons_with_email=sum(1 for p in persons if p.email),
        persons_with_phone=sum(1 for p in persons if p.phone or p.mobile),
        has_birthday=any(p.birthday for p in persons),
    )
    return quality.completeness(facts)


def hidden_persons(*, user, customer_id: int) -> dict:
    """{Person: ids} of the customer's persons `user` may not see (Art. 18), for
    history pages: their rows are left out and they are named nowhere."""
    hidden = Person.objects.filter(customer_id=customer_id).hidden_from(user)
    return {Person: set(hidden.values_list("pk", flat=True))}


def customer_history(*, user, customer: Customer, before=None, limit: int = 100):
    """Changes to the customer and everything under it, newest first."""
    pk = customer.pk
    hidden = hidden_persons(user=user, customer_id=pk)
    sources = [
        Customer.history.filter(id=pk),
        Person.history.filter(customer_id=pk).exclude(id__in=hidden[Person]),
        Address.history.filter(customer_id=pk),
        Interaction.history.filter(customer_id=pk),
        CustomerUserObjectPermission.history.filter(content_object_id=pk),
        CustomerGroupObjectPermission.history.filter(content_object_id=pk),
    ]
    return history.history_page(sources, before=before, limit=limit, hidden=hidden)


# --- Search ----------------------------------------------------------------


def _matching(queryset: QuerySet, query: search.Query, *, fuzzy: bool) -> QuerySet:
    """Rows whose search words match the query.

    Exact: PostgreSQL full text on the folded words, every word as a prefix
    (a GIN index; core PostgreSQL, so the embedded server has it too).
    Fuzzy: pg_trgm's word similarity (%>) per word, for typos; only asked when the
    exact search found nothing, since it has to score many more rows.
    """
    if not fuzzy:
        return queryset.alias(
            document=SearchVector("search_text", config="simple")
        ).filter(
            document=SearchQuery(
                search.ts_query(query), config="simple", search_type="raw"
            )
        )
    condition = Q()
    for spellings in query.words:
        word = Q()
        for spelling in spellings:
            word |= Q(search_text__trigram_word_similar=spelling)
        condition &= word
    return queryset.filter(condition)


def _rank(query: search.Query):
    parts = [TrigramWordSimilarity(s, "search_text") for w in query.words for s in w]
    return Greatest(*parts) if len(parts) > 1 else parts[0]


# What the search for similar spellings (pg_trgm) did, for the page to say so.
SIMILAR_NOT_ASKED = ""  # the exact search found something (or a phone number)
SIMILAR_FOUND = "found"
SIMILAR_NONE = "none"  # asked, found nothing
SIMILAR_UNAVAILABLE = "unavailable"  # no pg_trgm in this database


@dataclass(frozen=True)
class SearchResult:
    customers: list[Customer]
    persons: list[Person]
    fuzzy: bool = False  # the rows are similar spellings, not exact matches
    similar: str = SIMILAR_NOT_ASKED

    @property
    def is_empty(self) -> bool:
        return not self.customers and not self.persons


def _search(user, query: search.Query, limit: int, *, fuzzy: bool) -> SearchResult:
    customers = (
        _matching(Customer.objects.visible_to(user), query, fuzzy=fuzzy)
        .select_related("team")
        .only("pk", "number", "name", "kind", "team__name")
        .annotate(city=_city())
    )
    persons = (
        _matching(Person.objects.visible_to(user), query, fuzzy=fuzzy)
        .select_related("customer")
        .only(
            "pk",
            "customer_id",
            "title",
            "first_name",
            "last_name",
            "email",
            "phone",
            "mobile",
            "customer__name",
        )
    )
    if fuzzy:
        rank = _rank(query)
        customers = customers.annotate(rank=rank).order_by("-rank", "name", "pk")
        persons = persons.annotate(rank=rank).order_by("-rank", "last_name", "pk")
    else:
        customers = customers.order_by("name", "pk")
        persons = persons.order_by("last_name", "first_name", "pk")
    customers, persons = list(customers[:limit]), list(persons[:limit])
    if not fuzzy:
        return SearchResult(customers, persons)
    similar = SIMILAR_FOUND if customers or persons else SIMILAR_NONE
    return SearchResult(customers, persons, similar == SIMILAR_FOUND, similar)


def search_all(*, user, text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Customers and persons by name, number, e-mail, phone or city; visible only."""
    query = search.parse_query(text)
    if query.is_empty:
        return SearchResult([], [])
    result = _search(user, query, limit, fuzzy=False)
    if not result.is_empty or not query.words:
        return result
    if not trigram_available():
        # A PostgreSQL without pg_trgm (contrib): exact words only, and the page
        # says that it could not look for similar spellings.
        return SearchResult([], [], similar=SIMILAR_UNAVAILABLE)
    return _search(user, query, limit, fuzzy=True)


# --- Duplicates ---------------------------------------------------------------

LEGAL_FORMS = re.compile(
    r"\b(gmbh\s*&\s*co\.?\s*kg|gmbh|ggmbh|ag|kg|ohg|ug|e\.?\s?k\.?|e\.?\s?v\.?|"
    r"mbh|co\.?|se|ltd\.?|inc\.?)(?=\W|$)",
)


def _core_name(name: str) -> str:
    folded = " ".join(search.fold(name)[:1])
    return re.sub(r"\s+", " ", LEGAL_FORMS.sub(" ", folded)).strip(" .,&-")


def names_similar(a: str, b: str) -> bool:
    """Names alike once case, umlauts and legal forms are set aside (ratio ≥ 0.85)."""
    core_a, core_b = _core_name(a), _core_name(b)
    if not core_a or not core_b:
        return False
    return difflib.SequenceMatcher(None, core_a, core_b).ratio() >= 0.85


@dataclass(frozen=True)
class Duplicate:
    customer: Customer
    reasons: tuple[str, ...]


def duplicates_of(*, user, customer: Customer) -> list[Duplicate]:
    """Visible customers that may be the same as this one, each with the reason."""
    visible = Customer.objects.visible_to(user).exclude(pk=customer.pk)
    found: dict[int, list[str]] = defaultdict(list)
    if customer.vat_id:
        for pk in visible.filter(vat_id=customer.vat_id).values_list("pk", flat=True):
            found[pk].append(
                _("same VAT ID %(vat)s")
                % {"vat": validation.format_vat_id(customer.vat_id)}
            )
    mine = list(customer.persons.shown_to(user).values_list("email", "phone", "mobile"))
    emails = {e.lower() for e, _p, _m in mine if e}
    phones = {p for _e, ph, mo in mine for p in (ph, mo) if p}
    others = (
        Person.objects.filter(customer__in=visible)
        .shown_to(user)
        .filter(Q(email__in=emails) | Q(phone__in=phones) | Q(mobile__in=phones))
    )
    for pk, email, phone, mobile in others.values_list(
        "customer_id", "email", "phone", "mobile"
    ):
        if email and email.lower() in emails:
            found[pk].append(_("same e-mail %(email)s") % {"email": email})
        if {phone, mobile} & phones:
            found[pk].append(_("same phone number"))
    postcodes = set(customer.addresses.current().values_list("postcode", flat=True))
    if postcodes:
        nearby = visible.filter(
            addresses__postcode__in=postcodes, addresses__is_current=True
        ).distinct()
        for pk, name in nearby.values_list("pk", "name")[:500]:
            if names_similar(name, customer.name):
                found[pk].append(_("similar name in the same postcode"))
    customers = visible.select_related("owner", "team").in_bulk(list(found))
    return [
        Duplicate(customers[pk], tuple(dict.fromkeys(reasons)))
        for pk, reasons in found.items()
        if pk in customers
    ]


def duplicate_candidates(
    *, user, limit: int = 50
) -> list[tuple[Customer, Customer, str]]:
    """Pairs of visible customers that look alike, across the whole visible base."""
    visible = Customer.objects.visible_to(user)
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)

    def add(ids, reason):
        ids = sorted(set(ids))
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                pairs[(first, second)].append(reason)

    shared_vat = (
        visible.exclude(vat_id="")
        .values("vat_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("vat_id", flat=True)[:limit]
    )
    by_vat = defaultdict(list)
    for pk, vat in visible.filter(vat_id__in=list(shared_vat)).values_list(
        "pk", "vat_id"
    ):
        by_vat[vat].append(pk)
    for ids in by_vat.values():
        add(ids, _("same VAT ID"))
    persons = Person.objects.filter(customer__in=visible).shown_to(user)
    for column, reason in (("email", _("same e-mail")), ("phone", _("same phone"))):
        shared = (
            persons.exclude(**{column: ""})
            .values(column)
            .annotate(n=Count("customer", distinct=True))
            .filter(n__gt=1)
            .values_list(column, flat=True)[:limit]
        )
        groups = defaultdict(list)
        for pk, value in persons.filter(**{f"{column}__in": list(shared)}).values_list(
            "customer_id", column
        ):
            groups[value].append(pk)
        for ids in groups.values():
            add(ids, reason)
    crowded = (
        Address.objects.filter(is_current=True, customer__in=visible)
        .values("postcode")
        .annotate(n=Count("customer", distinct=True))
        .filter(n__gt=1)
        .values_list("postcode", flat=True)[: limit * 4]
    )
    by_postcode = defaultdict(list)
    for pk, name, postcode in (
        visible.filter(
            addresses__is_current=True, addresses__postcode__in=list(crowded)
        )
        .values_list("pk", "name", F("addresses__postcode"))
        .distinct()
    ):
        by_postcode[postcode].append((pk, name))
    for members in by_postcode.values():
        for i, (first, first_name) in enumerate(members):
            for second, second_name in members[i + 1 :]:
                if first != second and names_similar(first_name, second_name):
                    pairs[tuple(sorted((first, second)))].append(
                        _("similar name in the same postcode")
                    )
    chosen = list(pairs.items())[:limit]
    ids = {pk for (a, b), _r in chosen for pk in (a, b)}
    customers = Customer.objects.select_related("team").in_bulk(ids)
    return [
        (customers[a], customers[b], ", ".join(dict.fromkeys(reasons)))
        for (a, b), reasons in chosen
    ]
