"""One definition of "data review due" for every count, list, digest and filter."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from compliance.models import ReviewDigest
from compliance.reviews import review_digests_send
from crm.models import Customer

from .conftest import make_customer


def review_on(customer, days: int, **fields):
    """Put the customer's next review `days` from today (negative: in the past)."""
    Customer.objects.filter(pk=customer.pk).update(
        next_review_on=timezone.localdate() + timedelta(days=days), **fields
    )


@pytest.fixture
def reviews(demo):
    """Customers of both teams around the due date; the names say which are due."""
    anna, ben = demo["anna"], demo["ben"]
    today = timezone.localdate()
    cases = [
        (anna, "Nord", "Due yesterday", -1, {}),
        (anna, "Nord", "Due today", 0, {}),
        (anna, "Nord", "Not due tomorrow", 1, {}),
        (anna, "Nord", "Not due former", -10, {"status": "former"}),
        (anna, "Nord", "Not due restricted", -10, {"restricted_until": today}),
        (ben, "Süd", "Due a month ago", -30, {}),
        (ben, "Süd", "Due prospect", -2, {"status": "prospect"}),
        (ben, "Süd", "Not due in a year", 365, {}),
    ]
    for owner, team, name, days, fields in cases:
        review_on(make_customer(owner, team, name=name), days, **fields)
    return {name for _o, _t, name, _d, _f in cases if name.startswith("Due")}


def listed(client, **params) -> set[str]:
    page = client.get(reverse("crm:customer_list"), {"review_due": "on", **params})
    assert page.context["page"].count_capped is False
    names = {row.name for row in page.context["page"].rows}
    assert len(names) == page.context["page"].count
    return names


def test_due_means_on_or_before_today_and_neither_former_nor_restricted(reviews):
    due = Customer.objects.review_due(today=timezone.localdate())
    assert set(due.values_list("name", flat=True)) == reviews
    for customer in Customer.objects.all():
        assert customer.review_due is (customer.name in reviews), customer.name
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "Not due tomorrow" in set(
        Customer.objects.review_due(today=tomorrow).values_list("name", flat=True)
    )


def test_the_dpo_count_is_the_number_of_rows_its_link_lists(client_as, reviews):
    dora = client_as("dora")
    page = dora.get(reverse("compliance:index")).content.decode()
    link = re.search(
        r'href="([^"]+)" data-testid="reviews-due" data-count="(\d+)"', page
    )
    assert link is not None
    href, count = link.group(1).replace("&amp;", "&"), int(link.group(2))
    assert count == len(reviews) == 4
    assert "4 Kunden mit fälliger Datenprüfung" in page
    rows = dora.get(href).context["page"]
    assert rows.count == count
    assert {row.name for row in rows.rows} == reviews


def test_the_managers_team_counts_match_the_lists_they_link_to(client_as, reviews):
    maria = client_as("maria")
    page = maria.get(reverse("accounts:dashboard")).content.decode()
    links = re.findall(
        r'data-testid="reviews-due-team" data-count="(\d+)" href="([^"]+)"', page
    )
    assert len(links) == 2
    for count, href in links:
        rows = maria.get(href.replace("&amp;", "&")).context["page"]
        assert rows.count == int(count)
    assert "Nord: 2 Datenprüfungen fällig" in page
    assert "Süd: 2 Datenprüfungen fällig" in page
    assert listed(maria) == reviews


def test_the_digest_names_the_same_customers(demo, reviews):
    today = timezone.localdate()
    assert review_digests_send(today=today) == 2
    counts = dict(ReviewDigest.objects.values_list("owner__username", "customers"))
    assert counts == {"anna": 2, "ben": 2}
    to_anna = next(m for m in mail.outbox if m.to == [demo["anna"].email])
    assert "Due yesterday" in to_anna.body and "Due today" in to_anna.body
    assert "Not due" not in to_anna.body
