"""Follow-up tasks (Wiedervorlagen): made on the customer page (htmx and plain)
and on the task list, checked by the service (bad input next to the field, the
DPO and other teams refused, restricted customers closed), changed without lost
updates, done and reopened with history; the dashboard's buckets, the digest
sent once per user and day, and the registry's access report and erasure."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import NotPossible, PermissionRefused
from crm.models import Customer
from service import followups, selectors
from service.models import Task
from tests.contracts.conftest import make_contract
from tests.crm.conftest import add_person, make_customer

TODAY = timezone.localdate()
LIST = reverse("service:task_list")


def new_task(customer, actor, *, assignee=None, due_on=TODAY, **fields):
    fields.setdefault("title", "Angebot nachfassen")
    return followups.task_create(
        actor=actor,
        customer=customer,
        due_on=due_on,
        assignee=assignee or actor,
        **fields,
    )


def _rows() -> tuple[int, int]:
    return Task.objects.count(), Task.history.count()


@pytest.fixture
def nord(demo):
    return make_customer(demo["anna"], "Nord", name="Nordlicht Aufgaben GmbH")


# --- Creating -----------------------------------------------------------------------


def test_a_task_is_created_from_the_customer_page_with_htmx(client_as, demo, nord):
    client = client_as("anna")
    page = client.get(nord.get_absolute_url())
    assert page.status_code == 200
    assert b'data-testid="customer-tasks"' in page.content
    assert b'data-testid="call-back"' in page.content
    assert b'data-testid="timeline-call-back"' in page.content  # crm.cards hook
    url = reverse("service:customer_tasks", args=[nord.pk])
    response = client.post(
        url,
        {"title": " Rückruf  vereinbaren ", "due_on": TODAY.isoformat(),
         "due_at": "14:30", "assignee": demo["anna"].pk, "priority": "high"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"<html" not in response.content  # the card only
    task = Task.objects.get()
    assert (task.title, task.due_at, task.priority) == (
        "Rückruf vereinbaren",
        time(14, 30),
        "high",
    )
    assert task.company_id == nord.company_id and task.created_by == demo["anna"]
    assert "Rückruf vereinbaren" in response.content.decode()
    assert b'data-testid="task-saved"' in response.content  # the confirmation
    assert task.history.get().history_user == demo["anna"]


def test_without_htmx_the_form_posts_and_returns_to_the_customer(client_as, demo, nord):
    response = client_as("anna").post(
        reverse("service:customer_tasks", args=[nord.pk]),
        {"title": "Unterlagen senden", "due_on": TODAY.isoformat(),
         "assignee": demo["anna"].pk, "priority": "normal"},
    )  # fmt: skip
    assert (
        response.status_code == 302 and response["Location"] == nord.get_absolute_url()
    )
    assert Task.objects.filter(customer=nord).count() == 1


def test_the_call_back_button_prefills_the_form(client_as, nord):
    response = client_as("anna").get(
        reverse("service:customer_tasks", args=[nord.pk]) + "?callback=1",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Call back"' in body or 'value="Rückruf"' in body
    assert (TODAY + timedelta(days=1)).isoformat() in body


def test_a_task_is_created_from_the_list_by_customer_number(client_as, demo, nord):
    client = client_as("anna")
    response = client.post(
        reverse("service:task_new"),
        {"customer_number": nord.number, "title": "Jahresgespräch",
         "due_on": TODAY.isoformat(), "assignee": demo["anna"].pk,
         "priority": "normal"},
    )  # fmt: skip
    task = Task.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == task.get_absolute_url()
    )
    süd = make_customer(demo["ben"], "Süd")
    response = client.post(
        reverse("service:task_new"),
        {"customer_number": süd.number, "title": "Fremd", "due_on": TODAY.isoformat(),
         "assignee": demo["anna"].pk, "priority": "normal"},
    )  # fmt: skip
    assert response.status_code == 400 and Task.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "fields", "field"),
    [
        ("empty title", {"title": "   "}, "title"),
        ("no due day", {"due_on": None}, "due_on"),
        ("a time without a day", {"due_on": None, "due_at": time(9)}, "due_on"),
        ("year 202", {"due_on": date(202, 1, 1)}, "due_on"),
        ("year 9999", {"due_on": date(9999, 1, 1)}, "due_on"),
        ("no assignee", {"assignee": None}, "assignee"),
        ("bad priority", {"priority": "urgent"}, "priority"),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(
    demo, nord, case, fields, field
):
    values = {"title": "Nachfassen", "due_on": TODAY, "assignee": demo["anna"],
              **fields}  # fmt: skip
    before = _rows()
    with pytest.raises(ValidationError) as refused:
        followups.task_create(actor=demo["anna"], customer=nord, **values)
    assert field in refused.value.message_dict
    assert _rows() == before


def test_bad_input_on_the_page_is_shown_next_to_the_field(client_as, demo, nord):
    response = client_as("anna").post(
        reverse("service:customer_tasks", args=[nord.pk]),
        {"title": "", "due_on": "", "due_at": "10:00", "assignee": demo["anna"].pk,
         "priority": "normal"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"is-invalid" in response.content and Task.objects.count() == 0


def test_the_dpo_reads_but_creates_no_task(client_as, demo, nord):
    dora = demo["dora"]
    with pytest.raises(PermissionRefused):
        new_task(nord, dora, assignee=demo["anna"])
    response = client_as("dora").post(
        reverse("service:customer_tasks", args=[nord.pk]),
        {"title": "x", "due_on": TODAY.isoformat(), "assignee": demo["anna"].pk,
         "priority": "normal"},
    )  # fmt: skip
    assert response.status_code == 403 and Task.objects.count() == 0
    page = client_as("dora").get(nord.get_absolute_url()).content
    assert b'data-testid="customer-tasks"' in page
    assert b'data-testid="call-back"' not in page
    assert b'data-testid="timeline-call-back"' not in page


def test_the_assignee_must_see_the_customer(demo, nord):
    with pytest.raises(ValidationError) as refused:
        new_task(nord, demo["anna"], assignee=demo["ben"])  # team Süd
    assert "assignee" in refused.value.message_dict
    assert Task.objects.count() == 0
    new_task(nord, demo["anna"], assignee=demo["maria"])  # Nord's manager


def test_person_and_contract_must_be_the_customer_s(demo, nord):
    anna = demo["anna"]
    other = make_customer(anna, "Nord")
    with pytest.raises(PermissionRefused):
        new_task(nord, anna, person=add_person(other, anna))
    with pytest.raises(PermissionRefused):
        new_task(nord, anna, contract=make_contract(other, anna))
    task = new_task(
        nord, anna, person=add_person(nord, anna), contract=make_contract(nord, anna)
    )
    assert task.person.customer_id == task.contract.customer_id == nord.pk


# --- Visibility -----------------------------------------------------------------------


def test_another_team_gets_404_on_every_task_view(client_as, demo, nord):
    task = new_task(nord, demo["anna"])
    client = client_as("ben")
    for name in ("task_detail", "task_complete", "task_reopen"):
        url = reverse(f"service:{name}", args=[task.pk])
        method = client.get if name == "task_detail" else client.post
        assert method(url).status_code == 404, name
    assert (
        client.post(reverse("service:task_detail", args=[task.pk])).status_code == 404
    )
    assert (
        client.get(reverse("service:customer_tasks", args=[nord.pk])).status_code == 404
    )
    listed = client.get(LIST + "?status=all")
    assert listed.status_code == 200 and task.title.encode() not in listed.content
    assert task.title.encode() in client_as("anna").get(LIST).content
    task.refresh_from_db()
    assert task.done_at is None and task.version == 1


def test_a_restricted_customer_s_tasks_are_hidden_and_none_are_added(
    client_as, demo, nord
):
    anna = demo["anna"]
    task = new_task(nord, anna, title="Geheimer Rückruf")
    Customer.objects.filter(pk=nord.pk).update(restricted_until=date.max)
    nord.refresh_from_db()
    client = client_as("anna")
    assert b"Geheimer" not in client.get(LIST + "?status=all").content
    assert client.get(task.get_absolute_url()).status_code == 404
    assert selectors.my_tasks(user=anna, today=TODAY).today == 0
    with pytest.raises((NotPossible, PermissionRefused)):
        new_task(nord, anna)
    with pytest.raises(NotPossible) as refused:  # the system too (beat, import)
        new_task(nord, None, assignee=anna)
    assert refused.value.code == "task_customer_restricted"
    # the DPO still sees it, like the rest of the customer's data
    assert client_as("dora").get(task.get_absolute_url()).status_code == 200


# --- Changing ----------------------------------------------------------------------


def test_a_stale_save_is_refused_with_409_and_keeps_the_input(client_as, demo, nord):
    anna = demo["anna"]
    task = new_task(nord, anna)
    followups.task_update(
        task=task, actor=demo["maria"], version=1, title="Von Maria geändert",
        due_on=TODAY, assignee=anna,
    )  # fmt: skip
    response = client_as("anna").post(
        task.get_absolute_url(),
        {"title": "Meine Fassung", "due_on": TODAY.isoformat(), "assignee": anna.pk,
         "priority": "normal", "version": 1},
    )  # fmt: skip
    assert response.status_code == 409
    assert b'data-testid="conflict"' in response.content
    assert b"Meine Fassung" in response.content
    task.refresh_from_db()
    assert (task.title, task.version) == ("Von Maria geändert", 2)


def test_done_and_reopen_are_recorded_in_the_history(client_as, demo, nord):
    anna = demo["anna"]
    task = new_task(nord, anna)
    client = client_as("anna")
    response = client.post(reverse("service:task_complete", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == anna and task.version == 2
    client.post(reverse("service:task_complete", args=[task.pk]))  # a double click
    assert Task.history.filter(id=task.pk).count() == 2
    client.post(reverse("service:task_reopen", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is None and task.done_by is None
    assert Task.history.filter(id=task.pk).count() == 3
    page = client.get(task.get_absolute_url())
    assert (
        page.status_code == 200
        and page.content.count(b'data-testid="history-entry"') == 3
    )
    assert (
        client_as("dora")
        .post(reverse("service:task_complete", args=[task.pk]))
        .status_code
        == 403
    )


def test_the_list_filters_by_assignee_status_due_and_priority(client_as, demo, nord):
    anna, maria = demo["anna"], demo["maria"]
    new_task(nord, anna, title="Überfällig A", due_on=TODAY - timedelta(days=1))
    new_task(nord, anna, title="Heute A", due_on=TODAY, priority="high")
    new_task(
        nord, anna, title="Woche M", due_on=TODAY + timedelta(days=7), assignee=maria
    )
    done = new_task(nord, anna, title="Erledigt A")
    followups.task_complete(task=done, actor=anna)
    client = client_as("anna")

    def titles(query):
        body = client.get(LIST + query).content.decode()
        return {
            t for t in ("Überfällig A", "Heute A", "Woche M", "Erledigt A") if t in body
        }

    assert titles("") == {"Überfällig A", "Heute A", "Woche M"}
    assert titles("?assignee=me") == {"Überfällig A", "Heute A"}
    assert titles(f"?assignee={maria.pk}") == {"Woche M"}
    assert titles("?due=overdue") == {"Überfällig A"}
    assert titles("?due=today") == {"Heute A"}
    assert titles("?due=week") == {"Heute A", "Woche M"}
    assert titles("?priority=high") == {"Heute A"}
    assert titles("?status=done") == {"Erledigt A"}
    assert titles("?status=all") == {"Überfällig A", "Heute A", "Woche M", "Erledigt A"}


def test_dates_are_shown_the_german_way(client_as, demo, nord):
    anna = demo["anna"]
    anna.language = "de"
    anna.save()
    new_task(nord, anna, due_on=date(TODAY.year + 1, 12, 31))
    body = client_as("anna").get(LIST, headers={"Accept-Language": "de"}).content
    assert f"31.12.{TODAY.year + 1}".encode() in body


# --- Dashboard ----------------------------------------------------------------------


def test_my_tasks_puts_each_task_in_its_bucket_at_the_edges(client_as, demo, nord):
    anna = demo["anna"]
    for days, title in [(-1, "gestern"), (0, "heute"), (7, "in sieben"),
                        (8, "in acht")]:  # fmt: skip
        new_task(nord, anna, title=title, due_on=TODAY + timedelta(days=days))
    new_task(nord, anna, title="Marias", assignee=demo["maria"])
    mine = selectors.my_tasks(user=anna, today=TODAY)
    assert (mine.overdue, mine.today, mine.week) == (1, 1, 1)
    assert [task.title for task in mine.first] == ["gestern", "heute", "in sieben"]
    page = client_as("anna").get(reverse("accounts:dashboard"))
    assert b'data-testid="my-tasks"' in page.content
    assert page.content.count(b'data-testid="my-task"') == 3
    dora_page = client_as("dora").get(reverse("accounts:dashboard"))
    assert b'data-testid="my-tasks"' not in dora_page.content


# --- The digest ----------------------------------------------------------------------


def test_the_digest_goes_once_per_user_and_day_in_their_language(demo, nord):
    anna, maria = demo["anna"], demo["maria"]
    maria.language = "en"
    maria.save()
    new_task(nord, anna, title="Überfällig", due_on=TODAY - timedelta(days=2))
    new_task(nord, anna, title="Heute fällig", due_on=TODAY)
    new_task(nord, anna, title="Morgen", due_on=TODAY + timedelta(days=1))
    new_task(nord, anna, title="For Maria", assignee=maria)
    done = new_task(nord, anna, title="Schon erledigt")
    followups.task_complete(task=done, actor=anna)
    mail.outbox.clear()
    assert followups.task_digests_send(today=TODAY) == 2
    assert followups.task_digests_send(today=TODAY) == 0  # the same day: nothing
    assert len(mail.outbox) == 2
    by_to = {message.to[0]: message for message in mail.outbox}
    german = by_to[anna.email]
    assert "Überfällig" in german.body and "Heute fällig" in german.body
    assert "Morgen" not in german.body and "Schon erledigt" not in german.body
    assert "Hallo" in german.body and "überfällig" in german.body
    assert reverse("service:task_list") in german.body
    english = by_to[maria.email]
    assert "Hello" in english.body and "1 task due" in english.subject
    assert german.from_email == nord.company.sender_email
    # the next day is a new digest
    assert followups.task_digests_send(today=TODAY + timedelta(days=1)) == 2


def test_the_digest_skips_inactive_users_without_mail_or_commitment(demo, nord):
    from accounts.models import Company

    anna, maria = demo["anna"], demo["maria"]
    new_task(nord, anna)
    new_task(nord, anna, assignee=maria)
    maria.email = ""
    maria.save()
    company = Company.objects.get(pk=nord.company_id)
    company.commitment_version += 1  # a new commitment anna has not accepted
    company.save()
    mail.outbox.clear()
    assert followups.task_digests_send(today=TODAY) == 0
    assert mail.outbox == []


def test_the_beat_runs_the_digest_task(demo, nord, settings):
    from service.tasks import task_digests_task

    assert settings.CELERY_BEAT_SCHEDULE["task-digests"]["task"] == (
        "service.task_digests"
    )
    new_task(nord, demo["anna"])
    mail.outbox.clear()
    assert task_digests_task.apply().get()["sent"] == 1
    assert task_digests_task.apply().get()["sent"] == 0
    assert len(mail.outbox) == 1


# --- Data protection -----------------------------------------------------------------


def test_a_person_s_tasks_are_in_the_registry_and_erased_with_them(demo):
    from compliance import services as compliance
    from compliance.registry import REDACTED, entry
    from tests.compliance.conftest import open_request

    anna, dora = demo["anna"], demo["dora"]
    org = make_customer(anna, "Nord")
    person = add_person(org, anna, first_name="Quirin", last_name="Zwetschge")
    other = add_person(org, anna, last_name="Bleibt")
    mine = new_task(org, anna, person=person, title="Zwetschge zurückrufen")
    kept = new_task(org, anna, person=other, title="Bleibt anrufen")
    task_entry = entry("service.Task")
    assert list(task_entry.rows_of(person.pk)) == [mine]
    request = open_request(dora, person=person, kind="erasure")
    request = compliance.request_update(
        request=request, actor=dora, version=1,
        fields={"identity_checked_at": timezone.now(), "identity_method": "Ausweis"},
    )  # fmt: skip
    compliance.request_erase(request=request, actor=dora, version=2, today=TODAY)
    mine.refresh_from_db()
    kept.refresh_from_db()
    assert mine.title == REDACTED and kept.title == "Bleibt anrufen"
    assert not Task.history.filter(title__icontains="Zwetschge").exists()


def test_the_access_report_lists_the_person_s_tasks(
    demo, django_capture_on_commit_callbacks
):
    import json

    from compliance import services as compliance
    from tests.compliance.conftest import open_request

    anna, dora = demo["anna"], demo["dora"]
    private = make_customer(
        anna, "Nord", kind="private",
        person_fields={"first_name": "Erika", "last_name": "Aufgabe"},
    )  # fmt: skip
    person = private.persons.get()
    task = new_task(private, anna, title="Erika zurückrufen")
    request = open_request(dora, person=person)
    with django_capture_on_commit_callbacks(execute=False):
        report = compliance.access_report_request(
            request=request, actor=dora, language="de"
        )
    report = compliance.access_report_build(report_id=report.pk)
    data = json.loads(report.json.read())
    sections = {section["model"]: section for section in data["records"]}
    assert [row["id"] for row in sections["service.Task"]["rows"]] == [task.pk]


def test_the_digest_names_no_customer_the_assignee_may_no_longer_see(demo, nord):
    from accounts.models import Team
    from crm import services as crm_services

    anna = demo["anna"]
    new_task(nord, anna, title="Nach dem Umzug")
    # the customer moves to team Süd with a new owner: anna no longer sees it
    crm_services.customer_update(
        customer=nord, actor=None, version=nord.version,
        fields={"team": Team.objects.get(name="Süd"), "owner": demo["ben"]},
    )  # fmt: skip
    mail.outbox.clear()
    assert followups.task_digests_send(today=TODAY) == 0
    assert mail.outbox == []


def test_a_task_is_started_from_a_persons_and_a_contracts_page(client_as, demo, nord):
    anna = demo["anna"]
    person = add_person(nord, anna, last_name="Weber")
    deal = make_contract(nord, anna)
    client = client_as("anna")
    url = reverse("service:customer_tasks", args=[nord.pk])
    person_page = client.get(
        reverse("crm:person_detail", args=[nord.pk, person.pk])
    ).content.decode()
    assert f'{url}?person={person.pk}"' in person_page
    contract_page = client.get(deal.get_absolute_url()).content.decode()
    assert f'{url}?contract={deal.pk}"' in contract_page
    form = client.get(f"{url}?person={person.pk}&contract={deal.pk}").context["card"][
        "form"
    ]
    assert (form["person"].value(), form["contract"].value()) == (
        str(person.pk),
        str(deal.pk),
    )
    # the DPO reads the pages but gets no such link
    dora = client_as("dora").get(deal.get_absolute_url()).content.decode()
    assert 'data-testid="contract-new-task"' not in dora
