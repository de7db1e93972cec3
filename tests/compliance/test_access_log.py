"""Who viewed or exported whose data: written by the pages, filtered by the DPO."""

import pytest
from django.urls import reverse

from compliance.models import AccessLog

from .conftest import add_person, make_customer


def test_detail_pages_and_exports_are_logged(client_as, demo, erika):
    customer = erika.customer
    anna = client_as("anna")
    anna.get(customer.get_absolute_url())
    anna.get(reverse("crm:person_detail", args=[customer.pk, erika.pk]))
    rows = list(AccessLog.objects.order_by("id").values_list(
        "user__username", "action", "customer_id", "person_id"))  # fmt: skip
    assert rows == [
        ("anna", "view", customer.pk, None),
        ("anna", "view", customer.pk, erika.pk),
    ]
    # an htmx header does not make a read unlogged
    anna.get(customer.get_absolute_url(), headers={"HX-Request": "true"})
    assert AccessLog.objects.count() == 3


def test_an_export_logs_each_exported_customer_and_no_other(client_as, demo, erika):
    other = make_customer(demo["ben"], "Süd", name="Südwind Bau AG")
    mine = make_customer(demo["anna"], "Nord", name="Nordlicht GmbH")
    response = client_as("anna").get(reverse("crm:customer_export"))
    b"".join(response.streaming_content)
    exported = set(
        AccessLog.objects.filter(action="export").values_list("customer_id", flat=True)
    )
    assert exported == {erika.customer_id, mine.pk}
    assert other.pk not in exported


def test_the_dpo_filters_the_log(client_as, demo, erika):
    nord = make_customer(demo["anna"], "Nord", name="Nordlicht GmbH")
    add_person(nord, demo["anna"], last_name="Kontakt")
    client_as("anna").get(nord.get_absolute_url())
    client_as("maria").get(erika.customer.get_absolute_url())
    dora = client_as("dora")
    url = reverse("compliance:access_log")
    by_customer = dora.get(url, {"customer": erika.customer.number})
    assert [r.user.username for r in by_customer.context["rows"]] == ["maria"]
    by_user = dora.get(url, {"user": demo["anna"].pk})
    assert [r.customer for r in by_user.context["rows"]] == [nord]
    everything = dora.get(url).context["rows"]
    assert len(everything) == 2  # the DPO's own look at the log is not a data access


def test_the_log_pages_by_keyset(client_as, demo, erika):
    for _ in range(55):
        AccessLog.objects.create(
            user=demo["anna"], action="view", customer=erika.customer
        )  # the company follows the customer (CompanyOwned.company_from)
    dora = client_as("dora")
    url = reverse("compliance:access_log")
    first = dora.get(url)
    assert len(first.context["rows"]) == 50
    older = dora.get(url, {"before": first.context["next_before"]})
    assert len(older.context["rows"]) == 5 and older.context["next_before"] is None


def _reads(customer, person):
    """Every GET that shows personal data of `customer`/`person` (anna may see it)."""
    pk, person_pk = customer.pk, person.pk
    return [
        ("customer page", reverse("crm:customer_detail", args=[pk]), person_pk),
        ("history tab", reverse("crm:customer_history", args=[pk]), None),
        ("timeline", reverse("crm:customer_timeline", args=[pk]), None),
        ("customer edit form", reverse("crm:customer_edit", args=[pk]), person_pk),
        ("person page", reverse("crm:person_detail", args=[pk, person_pk]), person_pk),
        ("person edit form", reverse("crm:person_edit", args=[pk, person_pk]), None),
        ("duplicates card", reverse("crm:customer_duplicates", args=[pk]), None),
        ("disclosures card", reverse("disclosures:customer", args=[pk]), None),
    ]  # fmt: skip


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("place", range(8), ids=lambda i: f"read{i}")
def test_every_read_of_personal_data_is_logged_whatever_the_headers(
    client_as, demo, erika, place, htmx
):
    label, url, _person = _reads(erika.customer, erika)[place]
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_as("anna").get(url, headers=headers)
    assert response.status_code == 200, label
    logged = AccessLog.objects.filter(user=demo["anna"], customer=erika.customer)
    assert logged.exists() is True, label


def test_search_results_log_each_customer_and_person_shown(client_as, demo, erika):
    client_as("anna").get(reverse("search"), {"q": "Muster"})
    rows = set(
        AccessLog.objects.values_list("action", "what", "customer_id", "person_id")
    )
    assert rows == {
        ("view", "search", erika.customer_id, None),
        ("view", "search", erika.customer_id, erika.pk),
    }


def test_the_django_admin_logs_reads_of_customers_and_persons(client_as, demo, erika):
    admin = client_as("admin")
    customer = erika.customer
    pages = [
        reverse("admin:crm_customer_change", args=[customer.pk]),
        reverse("admin:crm_customer_history", args=[customer.pk]),
        reverse("admin:crm_customer_changelist"),
        reverse("admin:crm_person_change", args=[erika.pk]),
        reverse("admin:crm_person_changelist"),
    ]
    for url in pages:
        assert admin.get(url).status_code == 200, url
    rows = list(
        AccessLog.objects.order_by("id").values_list("what", "customer_id", "person_id")
    )
    assert rows == [
        ("admin", customer.pk, None),
        ("admin", customer.pk, None),
        ("admin", customer.pk, None),
        ("admin", customer.pk, erika.pk),
        ("admin", customer.pk, erika.pk),
    ]


def test_the_dpo_reads_where_the_data_was_viewed_in_german(client_as, demo, erika):
    client_as("anna").get(reverse("crm:customer_history", args=[erika.customer.pk]))
    page = client_as("dora").get(reverse("compliance:access_log")).content.decode()
    assert "Änderungsverlauf" in page
