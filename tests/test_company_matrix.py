"""Two companies side by side: every route of the matrix (tests/test_route_matrix.py)
for the other company's Staff, Manager, DPO and Admin. A record of the first
company is a 404 (or the role's 403) for them, never data; a page without a
record (lists, dashboards, search, exports, feeds) answers, and names nothing
of the first company."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from tests import test_route_matrix as matrix
from tests.support.otp import sign_in as otp_sign_in

# carla, moritz and dieter are the second demo company's; olga is its Admin
# (made here: the demo's only Admin is the operator, a superuser of both).
OTHERS = ("carla", "moritz", "dieter", "olga")
OLGA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# What only the first company has: the matrix's records, its name, its staff.
MARKERS = (
    "Nordlicht Matrix",
    "Nordmann",
    "Zwilling",
    "Kundenbuch Demo GmbH",
    "Albers",
    "Brandt",
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from accounts import services
    from accounts.models import Company, User

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = matrix._seed()
            second = Company.objects.get(slug="beispiel-handels-ag")
            olga = services.user_create(
                username="olga",
                password=None,
                email="olga@example.com",
                roles=["Admin"],
                company=second,
                actor=None,
            )
            services.totp_device_ensure_demo(user=olga, secret=OLGA_SECRET)
            second.refresh_from_db()
            services.commitment_accept(user=olga, version=second.commitment_version)
            world.second = second
            world.others = {
                user.username: user for user in User.objects.filter(username__in=OTHERS)
            }
            world.other_sessions = {
                name: otp_sign_in(Client(), user)
                .cookies[settings.SESSION_COOKIE_NAME]
                .value
                for name, user in world.others.items()
            }
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _as(client, world, username):
    client.cookies[settings.SESSION_COOKIE_NAME] = world.other_sessions[username]
    return client


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _record_bound(route, world) -> bool:
    """Its URL names a record of the first company (by id, or in its query)."""
    return bool(route.kwargs(world)) or bool(
        set(route.params(world)) & {"customer", "person", "pk"}
    )


ROUTE_USERS = [
    pytest.param(name, user, id=f"{name}-{user}")
    for name, route in matrix.ROUTES.items()
    if route.get["anonymous"] == 302  # public pages (tokens) are not a user's
    for user in OTHERS
]


@pytest.mark.parametrize(("name", "user"), ROUTE_USERS)
def test_the_other_company_gets_nothing_of_the_first(db, world, client, name, user):
    route = matrix.ROUTES[name]
    url = matrix.url_of(name, world)
    response = _as(client, world, user).get(url)
    if _record_bound(route, world):
        # A record of the first company: as unknown as another team's.
        assert response.status_code in (403, 404, 405), response.status_code
        return
    assert response.status_code in (200, 302, 403, 405), response.status_code
    body = _body(response)
    for marker in MARKERS:
        assert marker not in body, (name, user, marker)


@pytest.mark.parametrize("user", OTHERS)
def test_writes_of_the_other_company_change_nothing(db, world, client, user):
    """Every route's POST on the first company's records: refused, nothing written."""
    from django.apps import apps

    def counts():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in ("crm", "contracts", "compliance")
        }

    before = counts()
    client = _as(client, world, user)
    for name, route in matrix.ROUTES.items():
        if route.get["anonymous"] != 302 or not _record_bound(route, world):
            continue
        response = client.post(matrix.url_of(name, world), {})
        assert response.status_code in (403, 404, 405), (name, response.status_code)
    assert counts() == before


def test_numbers_and_names_are_per_company(db, world):
    """K-000001 and the same tag, team and contract type name in both companies."""
    from contracts.models import ContractType
    from crm import services
    from crm.models import Customer, Tag

    first_number = Customer.objects.filter(number="K-000001")
    assert first_number.count() == 2
    assert first_number.values("company").distinct().count() == 2
    from accounts.models import Team

    carla = world.others["carla"]
    team = Team.objects.get(company=world.second, name="Vertrieb")
    made = services.customer_create(
        actor=carla,
        kind="organization",
        fields={"name": "Zweite Firma Kunde", "owner": carla, "team": team},
        tags=["Newsletter"],
    )
    assert made.company_id == world.second.pk
    assert (
        Tag.objects.filter(name="Newsletter").values("company").distinct().count() == 2
    )
    assert ContractType.objects.filter(name="Wartung").count() == 2
    # The next number follows the second company's own counter.
    count = Customer.objects.filter(company=world.second).count()
    assert made.number == f"K-{count:06d}"


def test_a_record_is_never_written_into_another_company(db, world):
    """The first company's team, owner or contract type refused for the second's
    customer (forms offer none of them; the services hold the API to it)."""
    from core.errors import PermissionRefused
    from crm import services

    carla, anna = world.others["carla"], world.users["anna"]
    with pytest.raises(PermissionRefused):
        services.customer_create(
            actor=carla,
            kind="organization",
            fields={"name": "Fremd", "owner": carla, "team": world.nord.team},
        )
    with pytest.raises(PermissionRefused):
        services.customer_create(
            actor=carla,
            kind="organization",
            fields={
                "name": "Fremd",
                "owner": anna,
                "team": world.second.teams.get(name="Vertrieb"),
            },
        )


def test_holidays_and_retention_follow_each_company(db, world):
    """The request deadline skips Bavaria's holidays only in the Bavarian company;
    retention follows the company's country."""
    from datetime import date

    from accounts.models import Company
    from compliance.holds import letter_retention
    from core.holidays import company_holidays

    first = Company.objects.order_by("pk").first()
    # 6 January (Epiphany) is a holiday in Bavaria, not in Berlin.
    assert date(2027, 1, 6) in company_holidays(2027, world.second)
    assert date(2027, 1, 6) not in company_holidays(2027, first)
    assert letter_retention(date(2026, 5, 1), "DE") == date(2033, 1, 1)
    assert letter_retention(date(2026, 5, 1), "CH") > letter_retention(
        date(2026, 5, 1), "AT"
    )


def test_reminders_go_to_each_companys_own_people(db, world):
    from compliance import reminders
    from compliance.models import DataSubjectRequest
    from core.models import OutboxMessage

    dieter, dora = world.others["dieter"], world.users["dora"]
    today = min(DataSubjectRequest.objects.open().values_list("due_on", flat=True))
    reminders.request_reminders_plan(today=today)
    reminders.request_reminders_send()
    sent = list(OutboxMessage.objects.filter(key__startswith=reminders.REMINDER))
    assert sent
    for message in sent:
        request = DataSubjectRequest.objects.get(reminders__pk=message.object_id)
        assert message.recipient_id == (
            dieter.pk if request.company_id == world.second.pk else dora.pk
        )


def test_the_access_report_carries_the_companys_letterhead(db, world):
    import io

    from pypdf import PdfReader

    from compliance.report import as_json, collect, render
    from crm.models import Person

    person = Person.objects.filter(company=world.second).order_by("pk").first()
    report = collect(person, language="de")
    pdf = PdfReader(io.BytesIO(render(report)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Beispiel Handels AG" in text
    assert "Bayerisches Landesamt" in text
    assert "Amtsgericht München" in text
    assert "Kundenbuch Demo GmbH" not in text
    information = as_json(report)["information"]
    assert information["controller"] == "Beispiel Handels AG"
    assert "Ansbach" in information["complaint"]


def test_customers_of_two_companies_are_never_merged(db, world):
    """Even the system (actor None) may not: every row carries its company."""
    from core.errors import PermissionRefused
    from crm import services
    from crm.models import Customer

    theirs = Customer.objects.filter(company=world.second).order_by("pk").first()
    with pytest.raises(PermissionRefused):
        services.customer_merge(survivor=world.nord, duplicate=theirs, actor=None)
    assert Customer.objects.filter(pk=theirs.pk).exists()


def test_a_calendar_feed_lists_its_own_company_only(db, world, client):
    """The feed is reached by its token, without a session (outside the route
    cells above): carla's names the second company's contracts, none of the first."""
    from django.urls import reverse

    from contracts import services
    from contracts.models import Contract

    carla = world.others["carla"]
    feed = services.calendar_feed_for(user=carla)
    body = _body(client.get(reverse("contracts:calendar_feed", args=[feed.token])))
    assert body.startswith("BEGIN:VCALENDAR")
    for marker in MARKERS:
        assert marker not in body, marker
    theirs = Contract.objects.filter(company=world.second).running()
    assert any(contract.customer.name in body for contract in theirs)
