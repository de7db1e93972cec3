"""Retention rules: a dry run shows whom a rule would erase; the task erases them."""

from datetime import UTC, date, datetime

from django.urls import reverse

from compliance import services
from compliance.models import Erasure
from compliance.retention import affected, rules_apply
from crm import services as crm_services
from crm.models import Customer

from .conftest import add_person, make_customer

TODAY = date(2030, 6, 1)


def old(customer, *, status, created=datetime(2020, 1, 2, tzinfo=UTC)):
    Customer.objects.filter(pk=customer.pk).update(
        status=status, created_at=created, updated_at=created
    )


def test_inactive_prospects_are_found_and_erased_and_active_ones_kept(client_as, demo):
    anna = demo["anna"]
    quiet = make_customer(anna, "Nord", name="Still GmbH")
    add_person(quiet, anna, first_name="Quentin", last_name="Stille")
    talking = make_customer(anna, "Nord", name="Rege GmbH")
    add_person(talking, anna, last_name="Rege")
    crm_services.interaction_create(
        customer=talking, actor=anna,
        fields={"kind": "call", "direction": "in", "subject": "Anfrage",
                "occurred_at": datetime(2029, 1, 5, tzinfo=UTC)},
    )  # fmt: skip
    for customer in (quiet, talking):
        old(customer, status="prospect")
    rule = services.rule_create(
        actor=demo["dora"],
        fields={"name": "Interessenten 3 Jahre", "kind": "inactive_prospects",
                "years": 3},
    )  # fmt: skip
    assert list(affected(rule, today=TODAY)) == [quiet]
    page = client_as("dora").get(reverse("compliance:retention_rules"))
    assert "Still GmbH" in page.content.decode()
    assert Erasure.objects.exists() is False  # a dry run erases nothing
    assert rules_apply(today=TODAY) == {"Interessenten 3 Jahre": 1}
    erasure = Erasure.objects.get()
    assert erasure.rule == rule and erasure.erased_by is None
    assert (
        not Customer.objects.get(pk=quiet.pk)
        .persons.filter(last_name="Stille")
        .exists()
    )
    assert rules_apply(today=TODAY) == {"Interessenten 3 Jahre": 0}  # once


def test_former_customers_wait_for_the_years_after_their_last_activity(demo):
    anna = demo["anna"]
    former = make_customer(anna, "Nord", name="Früher GmbH")
    add_person(former, anna, last_name="Früher")
    old(former, status="former", created=datetime(2025, 1, 2, tzinfo=UTC))
    rule = services.rule_create(
        actor=demo["dora"],
        fields={"name": "Ehemalige 6 Jahre", "kind": "former_customers", "years": 6},
    )
    assert list(affected(rule, today=date(2030, 12, 31))) == []
    assert list(affected(rule, today=date(2031, 1, 3))) == [former]


def test_only_the_dpo_edits_rules_and_bad_input_is_refused(client_as, demo):
    url = reverse("compliance:retention_rules")
    assert client_as("maria").get(url).status_code == 403
    dora = client_as("dora")
    bad = dora.post(url, {"name": "", "kind": "inactive_prospects", "years": "0"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"name", "years"}
    good = dora.post(
        url, {"name": "X", "kind": "former_customers", "years": "6", "active": "on"}
    )
    assert good.status_code == 302


def test_the_dry_run_of_all_rules_in_one_query_matches_each_rule(
    demo, django_assert_num_queries
):
    from compliance.retention import DRY_RUN_SAMPLE, dry_run

    anna = demo["anna"]
    for number in range(DRY_RUN_SAMPLE + 3):
        quiet = make_customer(anna, "Nord", name=f"Still {number:02d} GmbH")
        add_person(quiet, anna, last_name=f"Stille{number}")
        old(quiet, status="prospect")
    gone = make_customer(anna, "Nord", name="Ehemals GmbH")
    add_person(gone, anna, last_name="Weg")
    old(gone, status="former")
    rules = [
        services.rule_create(
            actor=demo["dora"], fields={"name": name, "kind": kind, "years": years}
        )
        for name, kind, years in [
            ("Interessenten", "inactive_prospects", 3),
            ("Ehemalige", "former_customers", 3),
            ("Niemand", "former_customers", 50),
        ]
    ]
    with django_assert_num_queries(1):
        found = dry_run(rules, today=TODAY)
    for rule in rules:
        expected = affected(rule, today=TODAY)
        count, sample = found[rule.pk]
        assert count == expected.count(), rule.name
        assert [c.pk for c in sample] == [c.pk for c in expected[:DRY_RUN_SAMPLE]]
    assert [found[rule.pk][0] for rule in rules] == [DRY_RUN_SAMPLE + 3, 1, 0]
