"""Query counts of the busy pages: exact, and the same at two data sizes (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import services

from .conftest import add_address, add_person, log_interactions, make_customer

# Every page: the user and the OTP device that verified the session (django-otp).
# user, device, roles+teams, page rows; the session, the capped count and the
# owner and team choices (after the first request) come from Redis
LIST_QUERIES = 4
# the same plus the keyset anchor
DEEP_LIST_QUERIES = 5
# user, device, roles+teams, customers, persons, the access log rows (one INSERT)
SEARCH_QUERIES = 6
# user, device, roles+teams, customer (+tags), grants, the access log entry,
# persons, addresses, timeline, the persons to tick in the "log a contact" form,
# the contracts card (one query, its totals summed in Python), the tasks card's
# open tasks (one query; its form comes by htmx), the cases card's cases and the
# customer's average rating (two)
DETAIL_QUERIES = 14


def grow(demo, count: int) -> None:
    """Add customers with persons, addresses, interactions and grants."""
    anna, ben = demo["anna"], demo["ben"]
    for number in range(count):
        mine = make_customer(anna, "Nord", name=f"Meier Nord {number}")
        add_person(mine, anna, last_name="Meier", phone="+49301234567")
        add_address(mine, anna)
        theirs = make_customer(ben, "Süd", name=f"Meier Süd {number}")
        services.customer_share(customer=theirs, actor=ben, user=anna)
        add_person(theirs, ben, last_name="Meier")


def count_queries(client, url, data=None) -> int:
    client.get(url, data)  # warm: content types, translations
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [2, 12])
def test_list_search_and_detail_query_counts_do_not_grow(client_as, demo, nord, size):
    grow(demo, size)
    log_interactions(nord, demo["anna"], size * 3, persons=list(nord.persons.all()))
    add_person(nord, demo["anna"], last_name="Zweite")
    client = client_as("anna")
    listing = reverse("crm:customer_list")
    assert count_queries(client, listing) == LIST_QUERIES
    first_page_last = client.get(listing).context["page"].rows[0].pk
    assert count_queries(client, listing, {"after": first_page_last}) == (
        DEEP_LIST_QUERIES
    )
    assert count_queries(client, listing, {"status": "active", "sort": "-name"}) == (
        LIST_QUERIES
    )
    assert count_queries(client, reverse("search"), {"q": "meier"}) == SEARCH_QUERIES
    assert count_queries(client, nord.get_absolute_url()) == DETAIL_QUERIES
    assert count_queries(client, reverse("crm:customer_history", args=[nord.pk])) < 30


def test_the_cached_count_follows_new_and_reassigned_customers(
    client_as, demo, nord, django_capture_on_commit_callbacks
):
    from accounts.models import Team

    client = client_as("anna")
    listing = reverse("crm:customer_list")
    assert client.get(listing).context["page"].count == 1
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(demo["anna"], "Nord")
    assert client.get(listing).context["page"].count == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.customer_reassign(
            customers=[nord],
            owner=demo["ben"],
            team=Team.objects.get(name="Süd"),
            actor=demo["maria"],
        )
    assert client.get(listing).context["page"].count == 1


def test_list_filters_keep_their_values_and_filter(client_as, demo, nord):
    make_customer(demo["anna"], "Nord", name="Key GmbH", key_account=True)
    client = client_as("anna")
    response = client.get(
        reverse("crm:customer_list"),
        {"key_account": "on", "tag": "", "status": "active", "sort": "-name"},
    )
    body = response.content.decode()
    assert [row.name for row in response.context["page"].rows] == ["Key GmbH"]
    assert 'id="id_key_account" class="form-check-input" checked' in body
    assert '<option value="active" selected>' in body
    assert '<option value="-name" selected>' in body
