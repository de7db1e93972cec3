"""One search box: names with umlauts and typos, numbers, e-mails, phones, cities."""

import pytest
from django.urls import reverse

from crm import search
from crm.selectors import search_all, trigram_available

from .conftest import add_address, add_person, make_customer


@pytest.mark.parametrize(
    ("label", "word", "expected"),
    [
        ("umlaut", "Müller", ["mueller", "muller"]),
        ("sharp s", "Straße", ["strasse"]),
        ("accent", "Café", ["cafe"]),
        ("plain", "Meier", ["meier"]),
    ],
)
def test_fold_gives_every_spelling(label, word, expected):
    assert search.fold(word) == expected


@pytest.fixture
def mueller(demo):
    customer = make_customer(demo["anna"], "Nord", name="Müller Haustechnik GmbH")
    add_person(
        customer,
        demo["anna"],
        first_name="Jürgen",
        last_name="Müller",
        email="j.mueller@haustechnik.example",
        phone="+491712345678",
    )
    add_address(customer, demo["anna"], postcode="24103", city="Kiel")
    return customer


@pytest.mark.parametrize("typed", ["muller", "mueller", "Müller", "MÜLLER"])
def test_mueller_is_found_however_it_is_typed(demo, mueller, typed):
    result = search_all(user=demo["anna"], text=typed)
    assert [c.pk for c in result.customers] == [mueller.pk]
    assert [p.last_name for p in result.persons] == ["Müller"]


@pytest.mark.parametrize(
    "typed", ["0171 234 56 78", "+49 171 2345678", "01712345678", "0049171/2345678"]
)
def test_a_phone_number_is_found_in_any_format(demo, mueller, typed):
    result = search_all(user=demo["anna"], text=typed)
    assert [p.phone for p in result.persons] == ["+491712345678"]


def test_number_email_and_city_find_the_customer(demo, mueller):
    anna = demo["anna"]
    assert search_all(user=anna, text=mueller.number).customers == [mueller]
    assert search_all(user=anna, text="Kiel").customers == [mueller]
    persons = search_all(user=anna, text="j.mueller@haustechnik.example").persons
    assert [p.first_name for p in persons] == ["Jürgen"]


def test_typos_are_tolerated_where_pg_trgm_is_installed(demo, mueller):
    if not trigram_available():
        pytest.skip("pg_trgm is not installed in this PostgreSQL")
    result = search_all(user=demo["anna"], text="Haustechnick")
    assert [c.pk for c in result.customers] == [mueller.pk]


def test_search_never_shows_a_record_the_user_may_not_see(demo, mueller):
    other = make_customer(demo["ben"], "Süd", name="Müller Bäckerei KG")
    add_person(other, demo["ben"], last_name="Müller", phone="+491712345678")
    anna_sees = search_all(user=demo["anna"], text="mueller")
    assert other.pk not in [c.pk for c in anna_sees.customers]
    assert {p.customer_id for p in anna_sees.persons} == {mueller.pk}
    phone = search_all(user=demo["anna"], text="0171 2345678")
    assert {p.customer_id for p in phone.persons} == {mueller.pk}
    maria_sees = search_all(user=demo["maria"], text="mueller")
    assert {c.pk for c in maria_sees.customers} == {mueller.pk, other.pk}


def test_search_page_shows_results(client_as, mueller):
    client = client_as("anna")
    response = client.get(reverse("search"), {"q": "muller"})
    assert response.status_code == 200
    assert "Müller Haustechnik GmbH" in response.content.decode()


def test_a_typo_search_shows_the_similar_spellings_it_found(client_as, mueller):
    if not trigram_available():
        pytest.skip("pg_trgm is not installed in this PostgreSQL")
    page = client_as("anna").get(reverse("search"), {"q": "Haustechnick"})
    html = page.content.decode()
    assert page.context["result"].similar == "found"
    assert 'data-testid="search-fuzzy"' in html
    assert "Müller Haustechnik GmbH" in html
    assert 'data-testid="search-no-similar"' not in html


def test_no_exact_and_no_similar_match_says_so(client_as, mueller):
    if not trigram_available():
        pytest.skip("pg_trgm is not installed in this PostgreSQL")
    page = client_as("anna").get(reverse("search"), {"q": "Xylophonquartett"})
    html = page.content.decode()
    assert page.context["result"].similar == "none"
    assert "Keine ähnlichen Schreibweisen gefunden." in html
    assert 'data-testid="search-fuzzy"' not in html
    assert "ähnliche Schreibweisen:" not in html


def test_without_pg_trgm_the_page_says_it_cannot_look_for_similar_spellings(
    client_as, mueller, monkeypatch
):
    # As in the embedded PostgreSQL: the detection answers "not installed".
    monkeypatch.setattr("crm.selectors.trigram_available", lambda: False)
    client = client_as("anna")
    page = client.get(reverse("search"), {"q": "Haustechnick"})
    html = page.content.decode()
    assert page.context["result"].similar == "unavailable"
    assert "Keine ähnlichen Schreibweisen gefunden" in html
    assert 'data-testid="search-fuzzy"' not in html
    # exact words are still found
    exact = client.get(reverse("search"), {"q": "Haustechnik"}).context["result"]
    assert [c.pk for c in exact.customers] == [mueller.pk]
    assert exact.similar == ""


def test_a_phone_number_without_a_match_says_nothing_was_found(client_as, mueller):
    page = client_as("anna").get(reverse("search"), {"q": "0171 999 99 99"})
    html = page.content.decode()
    assert 'data-testid="search-nothing"' in html
    assert 'data-testid="search-no-similar"' not in html
