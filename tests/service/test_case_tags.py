"""The dashboard's case panels: staff see their own open cases (how many, missed,
due soon, the most urgent first), managers those of the teams they manage; in
a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from service.models import Case
from tests.crm.conftest import make_customer
from tests.service.test_cases import new_case


def case_due(customer, owner, *, subject: str, due_in: timedelta) -> Case:
    """An open case whose resolution is due `due_in` from now (negative: missed),
    warned a day before (the panels read the stored moments at the real clock)."""
    now = timezone.now()
    case = new_case(customer, owner, subject=subject, now=now - timedelta(days=3))
    Case.objects.filter(pk=case.pk).update(
        first_response_at=now - timedelta(days=3),
        response_due_at=None,
        response_warn_at=None,
        resolution_due_at=now + due_in,
        resolution_warn_at=now + due_in - timedelta(days=1),
    )
    return case


@pytest.fixture
def nord(demo):
    return make_customer(demo["anna"], "Nord", name="Nordlicht Panel GmbH")


def test_staff_see_their_open_cases_most_urgent_first(client_as, demo, nord):
    anna = demo["anna"]
    missed = case_due(nord, anna, subject="Verpasst", due_in=timedelta(hours=-2))
    soon = case_due(nord, anna, subject="Bald", due_in=timedelta(hours=3))
    case_due(nord, anna, subject="Später", due_in=timedelta(days=5))

    page = client_as("anna").get(reverse("accounts:dashboard")).content.decode()

    assert 'data-testid="dashboard-cases"' in page
    assert 'data-testid="dashboard-team-cases"' not in page  # not a manager
    assert 'data-testid="my-cases-open">offen: 3<' in page
    assert 'data-testid="my-cases-breached">' in page
    assert page.index(missed.get_absolute_url()) < page.index(soon.get_absolute_url())
    assert "Später" not in page  # not due soon: only counted
    assert "Nordlicht Panel GmbH" in page


def test_managers_see_the_cases_of_their_teams(client_as, demo, nord):
    case = case_due(nord, demo["anna"], subject="Verpasst", due_in=-timedelta(hours=1))

    page = client_as("maria").get(reverse("accounts:dashboard")).content.decode()

    assert 'data-testid="dashboard-team-cases"' in page
    assert 'data-testid="dashboard-cases"' not in page  # maria owns no cases
    assert case.get_absolute_url() in page
    assert 'data-testid="team-cases-open">offen: 1<' in page
    dora = client_as("dora").get(reverse("accounts:dashboard")).content.decode()
    assert "team-cases" not in dora and "my-cases" not in dora


@pytest.mark.parametrize("username", ["anna", "maria"])
def test_the_panels_cost_the_same_with_more_cases(
    client_as, demo, nord, django_assert_num_queries, username
):
    from tests.accounts.test_navigation import DASHBOARD_QUERIES

    client = client_as(username)
    case_due(nord, demo["anna"], subject="Eins", due_in=timedelta(hours=1))
    client.get(reverse("accounts:dashboard"))  # warm: session, content types
    with django_assert_num_queries(DASHBOARD_QUERIES[username]):
        client.get(reverse("accounts:dashboard"))
    for number in range(12):
        case_due(
            nord,
            demo["anna"],
            subject=f"Fall {number}",
            due_in=-timedelta(hours=number),
        )
    with django_assert_num_queries(DASHBOARD_QUERIES[username]):
        page = client.get(reverse("accounts:dashboard")).content.decode()
    assert page.count('-case"') == 5  # the panel's few
