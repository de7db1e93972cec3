"""No query parameter gives a 500: every loose GET value is parsed by a form or by
core.params, on every page that takes no id and on the pages of one record."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contracts.models import Contract
from core import params
from crm.models import Customer, Person

PARAMETERS = [
    "page", "customer", "before", "after", "person", "month", "q", "sort",
    "status", "kind", "purpose", "duplicate", "within_days", "type", "owner",
    "team", "start", "today", "received", "initial_months", "notice_amount",
    "channel", "tag", "user", "action", "since", "until",
]  # fmt: skip
VALUES = [
    "²", "2024-13-45", "2024-13-45T10:00", "9999-12", "1-1", "-1", "1e309",
    "99999999999999999999999", "9999-12-01", "\x00", "x" * 3000,
]  # fmt: skip


def routes_without_arguments(resolver=None, prefix=""):
    """Names of every named route that needs no argument (admin and auth aside)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from routes_without_arguments(entry, space)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and not entry.pattern.converters
        ):
            yield f"{prefix}{entry.name}"


@pytest.fixture
def records(demo):
    from django.core.management import call_command

    call_command("seed_demo", stdout=__import__("io").StringIO())
    customer = Customer.objects.filter(team__name="Nord").order_by("pk").first()
    return {
        "customer": customer,
        "person": Person.objects.filter(customer=customer).order_by("pk").first(),
        "contract": Contract.objects.filter(customer__team__name="Nord").first(),
    }


def record_urls(records) -> list[str]:
    customer, person, contract = (
        records["customer"], records["person"], records["contract"],
    )  # fmt: skip
    return [
        reverse("crm:customer_detail", args=[customer.pk]),
        reverse("crm:customer_history", args=[customer.pk]),
        reverse("crm:customer_timeline", args=[customer.pk]),
        reverse("crm:customer_edit", args=[customer.pk]),
        reverse("crm:customer_duplicates", args=[customer.pk]),
        person.get_absolute_url(),
        contract.get_absolute_url(),
        reverse("contracts:contract_history", args=[contract.pk]),
        reverse("contracts:contract_edit", args=[contract.pk]),
        reverse("contracts:contract_notice", args=[contract.pk]),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("username", ["anna", "admin"])
def test_no_query_parameter_gives_a_server_error(client_as, records, username):
    client = client_as(username)
    client.raise_request_exception = False
    urls = record_urls(records)
    if username == "admin":  # sees every page; anna the pages of her records
        urls += [
            reverse(name)
            for name in sorted(set(routes_without_arguments()))
            if name not in {"logout", "healthz", "healthz_tasks"}
            and not name.startswith("password_")
        ]
    failures = []
    for url in urls:
        for value in VALUES:
            query = {name: value for name in PARAMETERS}
            response = client.get(url, query)
            if response.status_code >= 500:
                failures.append((url, value, response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("²", None), ("٣", None), ("-1", None), ("", None), ("1" * 19, None)],
)
def test_int_param_takes_ascii_digits_only(text, expected):
    assert params.int_param(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12", (2026, 12)),
        ("9999-12", None),
        ("1-1", None),
        ("2026-13", None),
        ("2026-00", None),
    ],
)
def test_month_param_is_a_month_in_range(text, expected):
    first = params.month_param(text)
    assert ((first.year, first.month) if first else None) == expected


def test_datetime_param_refuses_well_formed_nonsense():
    assert params.datetime_param("2024-13-45T10:00") is None
    assert params.datetime_param("2024-12-31T10:00").day == 31
    assert params.date_param("2024-02-30") is None
