"""Contract pages: visibility follows the customer, dates and notice address."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import Contract
from crm import services as crm_services
from crm.models import Customer
from tests.support.versions import current

from .conftest import add_address, make_contract, make_customer


def contract_urls(contract) -> list[str]:
    return [
        reverse("contracts:contract_detail", args=[contract.pk]),
        reverse("contracts:contract_edit", args=[contract.pk]),
        reverse("contracts:contract_history", args=[contract.pk]),
        reverse("contracts:contract_new") + f"?customer={contract.customer_id}",
    ]


def test_anna_gets_404_for_a_team_sud_contract_on_every_page(client_as, sud_contract):
    client = client_as("anna")
    for url in contract_urls(sud_contract):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("contracts:contract_edit", args=[sud_contract.pk]), {"title": "x"}
    )
    assert response.status_code == 404
    listing = client.get(reverse("contracts:contract_list"))
    assert listing.context["contracts"] == []


@pytest.mark.parametrize(
    ("username", "nord", "sud"),
    [
        ("anna", 200, 404),
        ("ben", 404, 200),
        ("maria", 200, 200),
        ("dora", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_who_sees_which_contract(
    client_as, nord_contract, sud_contract, username, nord, sud
):
    client = client_as(username)
    assert client.get(nord_contract.get_absolute_url()).status_code == nord
    assert client.get(sud_contract.get_absolute_url()).status_code == sud


def test_dpo_reads_contracts_but_cannot_edit(client_as, nord_contract):
    client = client_as("dora")
    url = reverse("contracts:contract_edit", args=[nord_contract.pk])
    assert client.get(url).status_code == 403


def test_detail_shows_the_computed_dates_and_their_explanation(
    client_as, nord_contract
):
    nord_contract.refresh_from_db()
    assert nord_contract.term_end.isoformat() == "2025-12-31"
    assert nord_contract.last_notice_day.isoformat() == "2025-09-30"
    body = client_as("anna").get(nord_contract.get_absolute_url()).content.decode()
    assert "Letzter Tag für den Eingang der Kündigung" in body


def test_the_notice_address_follows_the_customers_current_address(
    client_as, demo, nord_contract
):
    client = client_as("anna")
    page = client.get(nord_contract.get_absolute_url()).content.decode()
    assert "Hauptstraße 1" in page
    add_address(
        nord_contract.customer, demo["anna"], purpose="notice", street="Kündigungsweg 5"
    )
    page = client.get(nord_contract.get_absolute_url()).content.decode()
    assert "Kündigungsweg 5" in page
    assert "Hauptstraße 1" not in page
    add_address(
        nord_contract.customer, demo["anna"], purpose="notice", street="Neuer Weg 7"
    )
    assert nord_contract.notice_address().street == "Neuer Weg 7"


def contract_form(customer_pk, **changes):
    data = {
        "customer": customer_pk,
        "title": "Reinigung",
        "status": "active",
        "concluded_on": "2023-03-10",
        "start": "2023-03-10",
        "initial_months": "24",
        "renewal": "indefinite",
        "notice_amount": "1",
        "notice_unit": "months",
        "anchor": "term_end",
        "standard_terms": "on",
        "currency": "EUR",
        "value_period": "month",
        **changes,
    }
    return data


def test_anna_creates_a_consumer_contract_with_valid_terms(
    client_as, demo, nord_contract
):
    client = client_as("anna")
    data = contract_form(
        nord_contract.customer_id, consumer="on", owner=demo["anna"].pk
    )
    response = client.post(reverse("contracts:contract_new"), data)
    assert response.status_code == 302
    contract = Contract.objects.get(title="Reinigung")
    assert contract.number.startswith("V-")
    assert contract.history.first().history_user == demo["anna"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"initial_months": "25"}, "initial_months"),
        ({"notice_amount": "3"}, "notice_amount"),
        ({"renewal": "months", "renewal_months": "12"}, "renewal"),
        ({"renewal": "months", "renewal_months": ""}, "renewal_months"),
    ],
)
def test_invalid_consumer_terms_are_refused_next_to_the_field(
    client_as, demo, nord_contract, changes, field
):
    client = client_as("anna")
    data = contract_form(
        nord_contract.customer_id, consumer="on", owner=demo["anna"].pk, **changes
    )
    response = client.post(reverse("contracts:contract_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Contract.objects.filter(title="Reinigung").exists() is False


def test_a_stale_contract_form_is_refused(client_as, demo, nord_contract):
    stale = contract_form(
        nord_contract.customer_id,
        owner=demo["anna"].pk,
        version=nord_contract.version,
        title="Anna",
    )
    client_as("maria").post(
        reverse("contracts:contract_edit", args=[nord_contract.pk]),
        {**stale, "title": "Maria"},
    )
    response = client_as("anna").post(
        reverse("contracts:contract_edit", args=[nord_contract.pk]), stale
    )
    assert response.status_code == 409
    nord_contract.refresh_from_db()
    assert nord_contract.title == "Maria"


def test_a_customer_with_contracts_is_not_deleted_and_merge_moves_them(
    client_as, demo, nord_contract
):
    customer = nord_contract.customer
    response = client_as("maria").post(
        reverse("crm:customer_delete", args=[customer.pk])
    )
    assert response.status_code == 302
    assert Customer.objects.filter(pk=customer.pk).exists() is True
    survivor = Customer.objects.create(
        company_id=customer.company_id, number="K-999999", name="Überlebende GmbH",
        owner=demo["anna"], team=customer.team,
    )  # fmt: skip
    result = crm_services.customer_merge(
        survivor=survivor, duplicate=customer, actor=demo["anna"]
    )
    assert result.other == 1
    nord_contract.refresh_from_db()
    assert nord_contract.customer == survivor
    assert customer.number in nord_contract.history.first().history_change_reason


def test_contract_list_filters_by_notice_day_window(client_as, demo, nord_contract):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    customer = nord_contract.customer
    soon = make_contract(
        customer, demo["anna"], today=today, title="Bald",
        start=today - timedelta(days=240), concluded_on=today - timedelta(days=240),
    )  # fmt: skip
    later = make_contract(
        customer, demo["anna"], today=today, title="Später",
        start=today - timedelta(days=30), concluded_on=today - timedelta(days=30),
    )  # fmt: skip
    assert soon.last_notice_day < later.last_notice_day
    client = client_as("anna")
    listing = reverse("contracts:contract_list")
    window = client.get(listing, {"within_days": 60}).context["contracts"]
    assert [c.title for c in window] == ["Bald"]
    everything = client.get(listing).context["contracts"]
    assert {c.title for c in everything} == {"Wartungsvertrag", "Bald", "Später"}


def test_the_staff_dashboard_lists_my_deadlines(client_as, demo, nord_contract):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    make_contract(
        nord_contract.customer, demo["anna"], today=today, title="Bald fällig",
        start=today - timedelta(days=240), concluded_on=today - timedelta(days=240),
    )  # fmt: skip
    page = client_as("anna").get(reverse("accounts:dashboard")).content.decode()
    assert "Bald fällig" in page
    assert "Wartungsvertrag" not in page  # its last notice day has passed
    assert "Bald fällig" not in client_as("ben").get("/").content.decode()


def test_contract_list_sorts_and_keeps_a_constant_number_of_queries(
    client_as, demo, nord_contract, django_assert_num_queries
):
    customer = nord_contract.customer
    make_contract(customer, demo["anna"], title="Aaa", start=date(2025, 6, 1))
    client = client_as("anna")
    listing = reverse("contracts:contract_list")
    by_number = client.get(listing, {"sort": "number"}).context["contracts"]
    assert [c.number for c in by_number] == sorted(c.number for c in by_number)
    client.get(listing)  # warm
    # user, OTP device, roles+teams, contracts (with customer, owner, type), value
    # totals, contract types; owners and teams for the filter come from the cache
    with django_assert_num_queries(6):
        client.get(listing)
    for _ in range(5):
        make_contract(customer, demo["anna"], title="Mehr")
    with django_assert_num_queries(6):
        client.get(listing)


def test_contract_list_filter_keeps_the_choice_and_shows_a_bad_value(
    client_as, demo, nord_contract
):
    client = client_as("anna")
    listing = reverse("contracts:contract_list")
    page = client.get(listing, {"owner": demo["anna"].pk, "status": "active"})
    html = page.content.decode()
    assert f'<option value="{demo["anna"].pk}" selected>' in html
    assert '<option value="active" selected>' in html
    assert nord_contract.number in html
    bad = client.get(listing, {"within_days": "viele"}).content.decode()
    assert "is-invalid" in bad and "ganze Zahl" in bad


def test_the_contract_list_pages_through_all_visible_contracts(
    client_as, demo, nord_contract
):
    from contracts.selectors import LIST_SIZE

    for number in range(LIST_SIZE + 5):
        make_contract(nord_contract.customer, demo["anna"], title=f"Vertrag {number}")
    client = client_as("anna")
    listing = reverse("contracts:contract_list")
    first = client.get(listing, {"sort": "number"})
    assert len(first.context["contracts"]) == LIST_SIZE and first.context["more"]
    second = client.get(listing, {"sort": "number", "page": 2})
    assert len(second.context["contracts"]) == 6 and not second.context["more"]
    seen = {c.pk for c in first.context["contracts"]} | {
        c.pk for c in second.context["contracts"]
    }
    assert len(seen) == LIST_SIZE + 6  # every contract exactly once
    assert "sort=number&amp;page=2" in first.content.decode()
    assert client.get(listing, {"page": "x"}).context["page"] == 1


@pytest.fixture
def on_1_december_2026(monkeypatch):
    """The pages' today: 01.12.2026 (the field report's example)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 12, 1))


def test_the_page_shows_the_next_deadline_ahead_and_the_passed_one_as_passed(
    client_as, demo, on_1_december_2026
):
    customer = make_customer(demo["anna"], "Nord", name="Vorlauf GmbH")
    add_address(customer, demo["anna"])
    contract = make_contract(
        customer,
        demo["anna"],
        today=date(2026, 12, 1),
        concluded_on=date(2025, 12, 1),
        start=date(2026, 1, 1),
    )
    contract.refresh_from_db()
    assert contract.last_notice_day == date(2027, 9, 30)  # the stored date

    response = client_as("anna").get(contract.get_absolute_url())
    body = response.content.decode()

    assert response.context["result"].last_notice_day == date(2027, 9, 30)
    assert "Do, 30.09.2027" in body  # the next last notice day, with its weekday
    assert "Di, 30.09.2026" not in body
    passed = body.split('data-testid="passed-notice-day">')[1].split("</dd>")[0]
    assert "30.09.2026" in passed and "verstrichen" in passed
    explanation = response.context["explanation"]
    assert explanation[0].startswith("Der letzte Kündigungstag der laufenden Laufzeit")
    assert "Laufzeit 2: Fr 01.01.2027 bis Fr 31.12.2027" in explanation[1]
    # A notice arriving today is too late for 31.12.2026: it ends the next term.
    assert response.context["result"].end_if_notice_today == date(2027, 12, 31)


def test_after_notice_the_panel_says_what_now_happens(
    client_as, demo, nord_contract, on_1_december_2026
):
    from contracts import services

    services.contract_give_notice(
        contract=nord_contract,
        version=current(nord_contract),
        actor=demo["anna"],
        given_by="customer",
        channel="letter",
        received_at=datetime(2025, 9, 30, 10, 0, tzinfo=UTC),
    )
    body = client_as("anna").get(nord_contract.get_absolute_url()).content.decode()

    panel = body.split('data-testid="notice-in-force"')[1].split("</div>")[0]
    assert "Der Vertrag endet am 31.12.2025." in panel
    assert "verlängert sich nicht mehr" in panel
    assert "Endet bei Eingang heute" not in body
    assert 'data-testid="last-notice-day"' not in body


def test_the_notice_period_is_worded_with_its_plural(client_as, demo, nord_contract):
    nord_contract.notice_amount = 1
    nord_contract.save()
    body = client_as("anna").get(nord_contract.get_absolute_url()).content.decode()
    assert '<dd class="col-6">1 Monat, ' in body


def test_amounts_are_written_the_readers_way_with_totals_over_the_list(
    client_as, demo, nord_contract, sud_contract
):
    from decimal import Decimal

    customer = nord_contract.customer
    Contract.objects.filter(pk=nord_contract.pk).update(
        value_amount=Decimal("1234.56"), value_period="month"
    )
    make_contract(
        customer, demo["anna"], title="Jahreslizenz",
        value_amount=Decimal("1200"), value_period="year",
    )  # fmt: skip
    make_contract(
        customer, demo["anna"], title="Einrichtung",
        value_amount=Decimal("500"), value_period="once",
    )  # fmt: skip
    make_contract(
        customer, demo["anna"], title="Schweiz", value_amount=Decimal("99.5"),
        currency="CHF", value_period="month",
    )  # fmt: skip
    Contract.objects.filter(pk=sud_contract.pk).update(value_amount=Decimal("9999"))
    client = client_as("anna")

    page = client.get(reverse("contracts:contract_list")).content.decode()
    assert "1.234,56\u00a0€ monatlich" in page
    assert "1.200,00\u00a0€ jährlich" in page
    totals = page.split('data-testid="contract-totals"')[1].split("</tfoot>")[0]
    # 1.234,56 + 1.200/12 per month (ben's 9.999 € are not anna's to see)
    assert "1.334,56\u00a0€ monatlich" in totals
    assert "16.014,72\u00a0€ jährlich" in totals
    assert "500,00\u00a0€ einmalig" in totals
    assert "99,50\u00a0CHF monatlich" in totals

    detail = client.get(nord_contract.get_absolute_url()).content.decode()
    assert "1.234,56\u00a0€ monatlich" in detail
    with translation.override("en"):
        english = client.get(
            reverse("contracts:contract_list"), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert english.status_code == 200


def test_a_german_amount_typed_into_the_value_is_stored_right(
    client_as, demo, nord_contract
):
    client = client_as("anna")
    url = reverse("contracts:contract_edit", args=[nord_contract.pk])
    form = client.get(url).context["form"]
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((name, form[name]) for name in form.fields)
    }
    data["persons"] = []
    for typed, stored in [("1234,56", "1234.56"), ("1.234,56", "1234.56")]:
        data.update(
            value_amount=typed,
            version=Contract.objects.get(pk=nord_contract.pk).version,
        )
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors
        assert str(Contract.objects.get(pk=nord_contract.pk).value_amount) == stored
    # shown back the German way
    assert 'value="1.234,56"' in client.get(url).content.decode()

    version = Contract.objects.get(pk=nord_contract.pk).version
    data.update(value_amount="1234.56", version=version)
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "lässt sich auf zwei Arten lesen" in refused.content.decode()
    assert Contract.objects.get(pk=nord_contract.pk).version == version


def test_contract_terms_outside_sane_bounds_are_refused_and_nothing_written(
    client_as, demo, nord_contract
):
    client = client_as("anna")
    url = reverse("contracts:contract_edit", args=[nord_contract.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["persons"] = []
    before = Contract.objects.get(pk=nord_contract.pk)
    for field, value in [
        ("start", "9999-12-01"),
        ("concluded_on", "0001-01-01"),
        ("initial_months", "2000000000"),
        ("notice_amount", "2000000000"),
    ]:
        response = client.post(url, {**data, field: value})
        assert response.status_code == 400, field
        assert field in response.context["form"].errors
    after = Contract.objects.get(pk=nord_contract.pk)
    assert (after.version, after.start, after.initial_months) == (
        before.version, before.start, before.initial_months,
    )  # fmt: skip


def test_the_customer_page_lists_its_contracts_with_deadline_and_value(
    client_as, demo, nord_contract
):
    from decimal import Decimal

    Contract.objects.filter(pk=nord_contract.pk).update(
        value_amount=Decimal("480"), value_period="month"
    )
    make_contract(nord_contract.customer, demo["anna"], title="Altvertrag")
    Contract.objects.filter(title="Altvertrag").update(status="ended")
    page = client_as("anna").get(nord_contract.customer.get_absolute_url())
    body = page.content.decode()

    card = body.split('data-testid="customer-contracts"')[1].split("</section>")[0]
    rows = card.split('data-testid="customer-contract"')[1:]
    assert [nord_contract.number in rows[0], "Altvertrag" in rows[1]] == [True, True]
    assert "Wartungsvertrag" in rows[0] and "Aktiv" in rows[0]
    assert "Letzter Kündigungstag 30.09.2025" in rows[0]
    assert "480,00\u00a0€ monatlich" in rows[0]
    assert "Beendet" in rows[1]
    assert "480,00\u00a0€ monatlich" in card.split('customer-contract-total">')[1]
    assert 'data-testid="new-contract"' in card
    # the master data comes first; the disclosures slot last in the side column
    assert body.index('data-testid="master-data"') < body.index("disclosures-slot")
    assert body.index('data-testid="access-reasons"') < body.index("disclosures-slot")


def test_the_contracts_card_shows_no_edit_button_to_the_dpo(client_as, nord_contract):
    body = client_as("dora").get(nord_contract.customer.get_absolute_url())
    card = body.content.decode().split('data-testid="customer-contracts"')[1]
    assert 'data-testid="new-contract"' not in card.split("</section>")[0]
