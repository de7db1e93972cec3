"""The migration into companies (accounts 0005/0006, crm 0011/0012, contracts
0007/0008, compliance 0016/0017): an installation of the time before companies
keeps every row and every history row, all of them in one company made from
the settings, with its users' roles, its teams and its number counters."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0004_user_sessions"),
    ("crm", "0010_person_address_version"),
    ("contracts", "0006_unsent_digests_to_outbox"),
    ("compliance", "0015_free_text_trigram_indexes"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_installation(apps) -> dict:
    """Rows as the code before companies wrote them: role groups installation-
    wide, a team, a customer with a person and a contract, a request, history."""
    group_model = apps.get_model("auth", "Group")
    user_model = apps.get_model("accounts", "User")
    team_model = apps.get_model("accounts", "Team")
    for role in ("Staff", "Manager", "DPO", "Admin"):
        group_model.objects.get_or_create(name=role)
    anna = user_model.objects.create(username="anna-old", password="!")
    dora = user_model.objects.create(username="dora-old", password="!")
    anna.groups.add(group_model.objects.get(name="Staff"))
    dora.groups.add(group_model.objects.get(name="DPO"))
    team_group = group_model.objects.create(name="team:nord-old")
    team = team_model.objects.create(
        name="Nord alt", slug="nord-old", group=team_group, manager=None
    )
    anna.groups.add(team_group)
    customer_model = apps.get_model("crm", "Customer")
    customer = customer_model.objects.create(
        kind="organization",
        number="K-000041",
        name="Altbestand GmbH",
        owner=anna,
        team=team,
        next_review_on=date(2027, 1, 1),
    )
    apps.get_model("crm", "HistoricalCustomer").objects.create(
        id=customer.pk,
        kind="organization",
        number="K-000041",
        name="Altbestand GmbH",
        status="prospect",
        owner_id=anna.pk,
        team_id=team.pk,
        key_account=False,
        next_review_on=date(2027, 1, 1),
        version=1,
        created_at=timezone.now(),
        history_date=timezone.now(),
        history_type="+",
    )
    person = apps.get_model("crm", "Person").objects.create(
        customer=customer, last_name="Altmann"
    )
    contract = apps.get_model("contracts", "Contract").objects.create(
        customer=customer,
        number="V-000007",
        title="Wartung alt",
        concluded_on=date(2024, 12, 1),
        start=date(2025, 1, 1),
        owner=anna,
    )
    request = apps.get_model("compliance", "DataSubjectRequest").objects.create(
        number="DS-000003",
        kind="access",
        person=person,
        subject_name="Altmann",
        received_on=date(2026, 11, 2),
        due_on=date(2026, 12, 2),
        channel="email",
        handled_by=dora,
    )
    return {
        "anna": anna.pk,
        "dora": dora.pk,
        "team": team.pk,
        "customer": customer.pk,
        "person": person.pk,
        "contract": contract.pk,
        "request": request.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_an_installation_into_one_company(settings):
    try:
        old = _old_installation(_migrate(BEFORE))
    finally:
        apps = _migrate(_latest())  # also when seeding failed: the next test's schema

    company_model = apps.get_model("accounts", "Company")
    company = company_model.objects.order_by("pk").first()
    # (The test database's first migrate made the company already; the rows of
    # the old installation land in it.)
    assert company is not None
    for label, key in (
        ("crm.Customer", "customer"),
        ("crm.Person", "person"),
        ("contracts.Contract", "contract"),
        ("compliance.DataSubjectRequest", "request"),
    ):
        row = apps.get_model(label).objects.get(pk=old[key])
        assert row.company_id == company.pk, label
    history = apps.get_model("crm", "HistoricalCustomer").objects.get(
        id=old["customer"]
    )
    assert history.company_id == company.pk
    assert history.name == "Altbestand GmbH"
    team = apps.get_model("accounts", "Team").objects.get(pk=old["team"])
    assert team.company_id == company.pk
    assert team.group.name == f"team:{company.pk}:nord-old"
    # The installation-wide role groups became the company's; their members too.
    roles = apps.get_model("accounts", "CompanyRole").objects.filter(company=company)
    staff = roles.get(role="Staff").group
    dpo = roles.get(role="DPO").group
    assert staff.user_set.filter(pk=old["anna"]).exists()
    assert dpo.user_set.filter(pk=old["dora"]).exists()
    group_model = apps.get_model("auth", "Group")
    assert not group_model.objects.filter(name__in=["Staff", "DPO"]).exists()
    user_model = apps.get_model("accounts", "User")
    assert user_model.objects.get(pk=old["anna"]).company_id == company.pk
    # The number counters start past the numbers given out: no number twice.
    counters = dict(
        apps.get_model("accounts", "NumberCounter")
        .objects.filter(company=company)
        .values_list("kind", "value")
    )
    assert counters["customer"] >= 41
    assert counters["contract"] >= 7
    assert counters["request"] >= 3
