"""The company's service settings (Admin): SLA targets by priority and case
categories; bad input next to the field and nothing written; open cases follow a
new target at once; other roles 403, and the rule holds in the service too."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import PermissionRefused
from service import cases
from service.models import Case, CaseCategory, SlaTarget
from service.sla import BERLIN
from tests.crm.conftest import make_customer

URL = reverse("service:settings")
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)


def _post(categories, **changes):
    data = {}
    for priority, (response, resolution) in cases.DEFAULT_TARGETS.items():
        data[f"response_{priority}"] = str(response).replace(".", ",")
        data[f"resolution_{priority}"] = str(resolution).replace(".", ",")
    for category in categories:
        data[f"category_{category.pk}"] = category.name
        if category.active:
            data[f"active_{category.pk}"] = "on"
    data.update(changes)
    return data


def test_only_the_admin_opens_the_settings(client_as):
    assert client_as("admin").get(URL).status_code == 200
    for username in ("anna", "maria", "dora"):
        assert client_as(username).get(URL).status_code == 403


def test_a_new_target_retimes_the_open_cases(client_as, demo):
    nord = make_customer(demo["anna"], "Nord", name="Nordlicht SLA GmbH")
    case = cases.case_create(
        actor=demo["anna"], customer=nord, now=TUESDAY,
        fields={"subject": "Ausfall", "kind": "complaint", "priority": "high",
                "channel": "phone"},
    )  # fmt: skip
    assert case.response_due_at == datetime(2026, 12, 1, 13, 0, tzinfo=BERLIN)
    company = nord.company
    categories = list(CaseCategory.objects.filter(company=company))
    response = client_as("admin").post(
        URL,
        _post(categories, response_high="1,5", resolution_high="10",
              new_category="Montage"),
    )  # fmt: skip
    assert response.status_code == 302
    target = SlaTarget.objects.get(company=company, priority="high")
    assert (target.response_hours, target.resolution_hours) == (
        Decimal("1.50"),
        Decimal("10.00"),
    )
    case.refresh_from_db()
    assert case.response_due_at == datetime(2026, 12, 1, 10, 30, tzinfo=BERLIN)
    assert CaseCategory.objects.filter(company=company, name="Montage").exists()


def test_bad_input_stands_next_to_the_field_and_writes_nothing(client_as, demo):
    company = demo["admin"].company
    categories = list(CaseCategory.objects.filter(company=company))
    first = categories[0]
    response = client_as("admin").post(
        URL,
        _post(categories, response_low="0", resolution_normal="4",
              **{f"category_{first.pk}": categories[1].name}),
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"response_low", "resolution_normal"} <= set(errors)
    assert {f"category_{first.pk}", f"category_{categories[1].pk}"} & set(errors)
    assert not SlaTarget.objects.filter(company=company).exists()
    first.refresh_from_db()
    assert first.name != categories[1].name


def test_a_retired_category_stays_on_its_cases_but_is_no_choice(client_as, demo):
    company = demo["admin"].company
    categories = list(CaseCategory.objects.filter(company=company))
    retired = categories[0]
    data = _post(categories)
    data.pop(f"active_{retired.pk}")
    assert client_as("admin").post(URL, data).status_code == 302
    retired.refresh_from_db()
    assert not retired.active
    nord = make_customer(demo["anna"], "Nord", name="Nordlicht Kategorie GmbH")
    page = client_as("anna").get(reverse("service:customer_case_new", args=[nord.pk]))
    assert retired not in page.context["form"].fields["category"].queryset


def test_the_service_refuses_other_roles(demo):
    with pytest.raises(PermissionRefused):
        cases.service_settings_save(
            actor=demo["maria"], company_id=demo["maria"].company_id,
            targets={}, categories=[],
        )  # fmt: skip
    assert not Case.objects.exists()
