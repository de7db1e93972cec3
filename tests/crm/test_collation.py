"""Names sort by German rules (crm_german); the list keyset still uses its index."""

import importlib
import warnings

import pytest
from django.db import connection, transaction
from django.urls import reverse

from crm.models import Customer, Person
from crm.selectors import customer_list, customer_page, customer_page_query

from .conftest import add_person, make_customer

migration = importlib.import_module("crm.migrations.0009_german_name_collation")

NAMES = [
    "Zander KG",
    "Schweizer AG",
    "Schäfer GmbH",
    "Muller GmbH",
    "Müller GmbH",
    "Mueller GmbH",
    "Ärzte am Markt",
    "Arzt Praxis",
    "Ober Bau",
    "Öko Strom",
    "Filiale 10",
    "Filiale 2",
]
# DIN 5007-1 (ä sorts with a), digits by value; Mueller/Muller/Müller side by side.
GERMAN_ORDER = [
    "Arzt Praxis",
    "Ärzte am Markt",
    "Filiale 2",
    "Filiale 10",
    "Mueller GmbH",
    "Muller GmbH",
    "Müller GmbH",
    "Ober Bau",
    "Öko Strom",
    "Schäfer GmbH",
    "Schweizer AG",
    "Zander KG",
]


def icu_collation() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collprovider FROM pg_collation WHERE collname = %s",
            [migration.COLLATION],
        )
        return cursor.fetchone() == ("i",)


@pytest.fixture
def german(demo):
    if not icu_collation():
        pytest.skip("this PostgreSQL has no ICU: names sort by bytes")
    return demo


def test_the_name_columns_use_the_german_collation(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name || '.' || column_name FROM information_schema.columns "
            "WHERE collation_name = %s ORDER BY 1",
            [migration.COLLATION],
        )
        columns = [row[0] for row in cursor.fetchall()]
    assert columns == [
        "crm_customer.name",
        "crm_person.first_name",
        "crm_person.last_name",
    ]


def test_the_customer_list_sorts_names_by_german_rules(client_as, german):
    for name in NAMES:
        make_customer(german["anna"], "Nord", name=name)
    names = [row.name for row in customer_page(user=german["anna"], filters={}).rows]
    assert sorted(NAMES)[-2:] == ["Ärzte am Markt", "Öko Strom"]  # bytes: "C"
    assert names[: len(GERMAN_ORDER)] == GERMAN_ORDER
    assert names.index("Schäfer GmbH") < names.index("Schweizer AG")
    descending = customer_page(user=german["anna"], filters={"sort": "-name"}).rows
    assert [row.name for row in descending] == GERMAN_ORDER[::-1]
    page = client_as("anna").get(reverse("crm:customer_list")).content.decode()
    assert page.index("Schäfer GmbH") < page.index("Schweizer AG")


def test_keyset_paging_by_name_follows_the_same_order(german):
    for name in NAMES:
        make_customer(german["anna"], "Nord", name=name)
    seen, after = [], None
    while True:
        page = customer_page(
            user=german["anna"], filters={"sort": "name", "after": after}, size=5
        )
        seen += [row.name for row in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == GERMAN_ORDER


def test_persons_sort_by_last_then_first_name(german):
    customer = make_customer(german["anna"], "Nord", name="Kontakt GmbH")
    for first, last in [("Ute", "Schweizer"), ("Jörg", "Schäfer"), ("Anna", "Öz")]:
        add_person(customer, german["anna"], first_name=first, last_name=last)
    add_person(customer, german["anna"], first_name="Ärne", last_name="Schäfer")
    people = [(p.last_name, p.first_name) for p in Person.objects.all()]
    assert people == [
        ("Öz", "Anna"),
        ("Schäfer", "Ärne"),
        ("Schäfer", "Jörg"),
        ("Schweizer", "Ute"),
    ]


def seed(demo, count: int) -> None:
    team = demo["anna"].groups.get(team__isnull=False).team
    Customer.objects.bulk_create(  # test rows only: no history needed
        Customer(
            company_id=team.company_id,
            number=f"K-9{i:05d}",
            name=f"{NAMES[i % len(NAMES)]} {i}",
            owner=demo["anna"] if i % 4 == 0 else demo["ben"],
            team=team
            if i % 4 == 0
            else demo["ben"].groups.get(team__isnull=False).team,
        )
        for i in range(count)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_customer")


@pytest.mark.parametrize("username", ["admin", "anna"])
def test_the_keyset_query_reads_the_name_index(german, username):
    """EXPLAIN of the list page's own query: an index scan on (name, id) in the
    German collation and no sort, on page 1 and 80 % deep."""
    seed(german, 3000)
    user = german[username]
    visible = customer_list(user=user, filters={}).order_by("name", "pk")
    anchor = visible.values_list("pk", flat=True)[int(visible.count() * 0.8)]
    for after in (None, anchor):
        query = customer_page_query(user=user, filters={"sort": "name", "after": after})
        plan = query.explain()
        main = plan.split("SubPlan")[0]  # the city subquery sorts its own rows
        assert "crm_customer_name_id" in main or "crm_customer_team" in main, plan
        assert "Sort" not in main, plan


def test_without_icu_the_migration_falls_back_to_c_and_warns(db, monkeypatch):
    """As on a PostgreSQL built without ICU (pgserver): the create fails."""
    monkeypatch.setattr(migration, "COLLATION", "crm_german_fallback_test")
    monkeypatch.setattr(
        migration,
        "ICU_SQL",
        "CREATE COLLATION \"{name}\" (provider = not_built_in, locale = 'de')",
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    with transaction.atomic():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            migration.create_collation(None, editor)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT collprovider FROM pg_collation WHERE collname = %s",
                ["crm_german_fallback_test"],
            )
            assert cursor.fetchone() == ("c",)
            cursor.execute("SELECT 'b' < 'a' COLLATE \"crm_german_fallback_test\"")
            assert cursor.fetchone() == (False,)
        migration.drop_collation(None, editor)
    assert any("sort by bytes" in str(w.message) for w in caught)
