"""Who viewed or exported whose data: written by the pages, filtered by the DPO."""

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
    # the timeline's htmx pages are part of the page already logged
    anna.get(customer.get_absolute_url(), headers={"HX-Request": "true"})
    assert AccessLog.objects.count() == 2


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
        )
    dora = client_as("dora")
    url = reverse("compliance:access_log")
    first = dora.get(url)
    assert len(first.context["rows"]) == 50
    older = dora.get(url, {"before": first.context["next_before"]})
    assert len(older.context["rows"]) == 5 and older.context["next_before"] is None
