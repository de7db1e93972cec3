"""Data protection trainings: the DPO records them per user (one session for many
at once), the DPO's page and dashboard show missing, expired and expiring ones,
their holders are reminded once before they end, and with TRAINING_BLOCKS_ACCESS
on a user without a valid training is gated like a missing commitment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.utils import timezone

from compliance import trainings
from compliance.middleware import TRAINING_ROUTES
from compliance.models import Training
from compliance.training_status import TrainingStatus, training_status
from core import outbox
from core.errors import PermissionRefused
from core.models import OutboxMessage

PAGE = reverse("compliance:trainings")
STATUS = reverse("training:status")
TODAY = timezone.localdate()


def record(actor, *users, held_on=None, valid_until=None, topic="Grundschulung"):
    held_on = held_on or TODAY - timedelta(days=10)
    return trainings.training_record(
        actor=actor,
        users=users,
        held_on=held_on,
        topic=topic,
        valid_until=valid_until or held_on + timedelta(days=365),
    )


def _rows() -> tuple[int, int]:
    return Training.objects.count(), Training.history.count()


# --- The status: a pure function --------------------------------------------------


@pytest.mark.parametrize(
    ("case", "valid_until", "expected"),
    [
        ("never trained", None, TrainingStatus.MISSING),
        ("ended yesterday", TODAY - timedelta(days=1), TrainingStatus.EXPIRED),
        ("last valid day is today", TODAY, TrainingStatus.EXPIRING),
        ("ends in 30 days", TODAY + timedelta(days=30), TrainingStatus.EXPIRING),
        ("ends in 31 days", TODAY + timedelta(days=31), TrainingStatus.VALID),
    ],
)
def test_training_status(case, valid_until, expected):
    assert training_status(valid_until, today=TODAY, reminder_days=30) == expected


def test_the_status_follows_the_reminder_days(settings):
    settings.TRAINING_REMINDER_DAYS = 7
    soon = TODAY + timedelta(days=8)
    assert trainings.status_of(soon, today=TODAY) == TrainingStatus.VALID
    settings.TRAINING_REMINDER_DAYS = 8
    assert trainings.status_of(soon, today=TODAY) == TrainingStatus.EXPIRING


# --- Recording ----------------------------------------------------------------------


def test_one_session_is_recorded_for_several_users(demo):
    dora, anna, ben = demo["dora"], demo["anna"], demo["ben"]
    held = TODAY - timedelta(days=3)
    made = record(dora, anna, ben, held_on=held, valid_until=date(2099, 12, 31))
    assert sorted(t.user.username for t in made) == ["anna", "ben"]
    for training in made:
        assert training.company_id == dora.company_id
        assert (training.held_on, training.valid_until) == (held, date(2099, 12, 31))
        assert training.recorded_by == dora
        entry = training.history.get()
        assert (entry.history_type, entry.history_user) == ("+", dora)


def test_the_page_records_a_session_valid_for_a_year_by_default(client_as, demo):
    dora = client_as("dora")
    form = dora.get(PAGE)
    assert form.status_code == 200
    assert f'value="{TODAY:%Y-%m-%d}"' in form.content.decode()  # held today
    response = dora.post(
        PAGE,
        {
            "users": [demo["anna"].pk, demo["maria"].pk],
            "held_on": "2026-03-31",
            "topic": " Phishing und Passwörter ",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    made = Training.objects.order_by("user__username")
    assert [t.user.username for t in made] == ["anna", "maria"]
    assert {(t.topic, t.valid_until) for t in made} == {
        ("Phishing und Passwörter", date(2027, 3, 31))
    }
    page = dora.get(PAGE).content.decode()
    assert "31.03.2026" in page and "31.03.2027" in page  # the locale's dates
    from accounts.selectors import company_members

    members = company_members(demo["dora"].company_id).count()
    assert page.count('data-testid="training-row"') == members


@pytest.mark.parametrize(
    ("case", "fields", "field"),
    [
        (
            "valid before held",
            {"held_on": date(2026, 3, 1), "valid_until": date(2026, 2, 28)},
            "valid_until",
        ),
        (
            "valid only on the day",
            {"held_on": date(2026, 3, 1), "valid_until": date(2026, 3, 1)},
            "valid_until",
        ),
        ("no participant", {"users": []}, "users"),
        ("no topic", {"topic": "  "}, "topic"),
        ("held in the future", {"held_on": TODAY + timedelta(days=1)}, "held_on"),
    ],
)
def test_bad_input_writes_nothing(demo, case, fields, field):
    values = {
        "users": [demo["anna"], demo["ben"]],
        "held_on": date(2026, 3, 1),
        "topic": "Grundschulung",
        "valid_until": date(2027, 3, 1),
    } | fields
    before = _rows()
    with pytest.raises(ValidationError) as refused:
        trainings.training_record(actor=demo["dora"], **values)
    assert list(refused.value.message_dict) == [field]
    assert _rows() == before


def test_a_user_of_another_company_is_refused_and_nothing_written(demo):
    before = _rows()
    with pytest.raises(PermissionRefused) as refused:
        record(demo["dora"], demo["anna"], demo["carla"])
    assert refused.value.code == "training_not_member"
    assert _rows() == before


def test_the_page_shows_errors_next_to_the_field_with_400(client_as, demo):
    dora = client_as("dora")
    before = _rows()
    bad = dora.post(
        PAGE,
        {
            "users": [demo["anna"].pk],
            "held_on": "2026-03-01",
            "topic": "Grundschulung",
            "valid_until": "2026-02-01",
        },
    )
    assert bad.status_code == 400
    assert 'id="id_valid_until_error"' in bad.content.decode()
    other = dora.post(
        PAGE,
        {
            "users": [demo["carla"].pk],  # not offered: another company's
            "held_on": "2026-03-01",
            "topic": "Grundschulung",
        },
    )
    assert other.status_code == 400
    assert 'id="id_users_error"' in other.content.decode()
    assert _rows() == before


@pytest.mark.parametrize("name", ["anna", "maria"])
def test_only_the_dpo_or_admin_records(client_as, demo, name):
    client = client_as(name)
    assert client.get(PAGE).status_code == 403
    data = {"users": [demo["anna"].pk], "held_on": "2026-03-01", "topic": "X"}
    assert client.post(PAGE, data).status_code == 403
    with pytest.raises(PermissionRefused) as refused:
        record(demo[name], demo["anna"])
    assert refused.value.code == "training_dpo_only"
    assert str(refused.value.message)
    assert Training.objects.exists() is False
    assert len(record(demo["admin"], demo["anna"])) == 1  # the Admin may


def test_another_companys_training_is_not_listed_and_not_deleted(client_as, demo):
    theirs = record(demo["dieter"], demo["carla"], topic="Nur Beispiel AG")[0]
    dora = client_as("dora")
    assert "Nur Beispiel AG" not in dora.get(PAGE).content.decode()
    delete = reverse("compliance:training_delete", args=[theirs.pk])
    assert dora.post(delete).status_code == 404
    assert Training.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(PermissionRefused):
        trainings.training_delete(actor=demo["dora"], training=theirs)
    assert Training.objects.filter(pk=theirs.pk).exists()


def test_a_mistaken_entry_is_deleted_and_history_keeps_it(client_as, demo):
    mistaken = record(demo["dora"], demo["ben"])[0]
    anna = client_as("anna")
    delete = reverse("compliance:training_delete", args=[mistaken.pk])
    assert anna.post(delete).status_code == 403
    response = client_as("dora").post(delete)
    assert response.status_code == 302
    assert Training.objects.filter(pk=mistaken.pk).exists() is False
    gone = Training.history.filter(id=mistaken.pk).order_by("history_id").last()
    assert (gone.history_type, gone.history_user) == ("-", demo["dora"])


# --- The DPO's page and dashboard ---------------------------------------------------


def _statuses(page: str) -> list[tuple[str, str]]:
    import re

    return re.findall(
        r'data-testid="training-row" data-user="([^"]+)">.*?data-status="([a-z]+)"',
        page,
        re.S,
    )


def test_missing_expired_and_expiring_come_first(client_as, demo):
    dora = demo["dora"]
    year_ago = TODAY - timedelta(days=400)
    record(dora, demo["anna"], held_on=year_ago, valid_until=TODAY - timedelta(1))
    record(dora, demo["maria"], held_on=year_ago, valid_until=TODAY + timedelta(10))
    record(dora, demo["dora"], demo["admin"])
    # an older one of maria's does not count: the latest does
    record(dora, demo["maria"], held_on=year_ago, valid_until=TODAY - timedelta(30))
    rows = _statuses(client_as("dora").get(PAGE).content.decode())
    assert rows == [
        ("ben", "missing"),
        ("anna", "expired"),
        ("maria", "expiring"),
        ("admin", "valid"),
        ("dora", "valid"),
    ]
    panel = client_as("dora").get(reverse("compliance:index")).content.decode()
    for status, count in (("missing", 1), ("expired", 1), ("expiring", 1)):
        assert f'data-testid="trainings-{status}" data-count="{count}"' in panel
    assert "Ben Brandt" in panel and "Maria Meier" in panel


def test_the_dashboard_panel_costs_the_same_queries_with_more_members(client_as, demo):
    from accounts import services as accounts

    dora = client_as("dora")

    def count() -> int:
        dora.get(reverse("compliance:index"))  # warm
        with CaptureQueriesContext(connection) as queries:
            assert dora.get(reverse("compliance:index")).status_code == 200
        return len(queries)

    before = count()
    for number in range(3):
        user = accounts.user_create(
            username=f"neu{number}", password=None, roles=["Staff"], actor=None
        )
        record(demo["dora"], user, valid_until=TODAY + timedelta(days=number))
    assert count() == before


# --- Reminders ----------------------------------------------------------------------


def _reminders():
    return OutboxMessage.objects.filter(kind=trainings.REMINDER)


def test_a_reminder_is_queued_once_even_when_the_task_runs_twice(demo):
    from compliance.tasks import training_reminders_task

    dora, anna = demo["dora"], demo["anna"]
    ends = TODAY + timedelta(days=30)
    expiring = record(dora, anna, held_on=ends - timedelta(days=365), valid_until=ends)
    record(dora, demo["ben"], valid_until=TODAY + timedelta(days=31))  # not yet
    record(dora, demo["maria"], valid_until=TODAY - timedelta(days=1))  # ended
    assert training_reminders_task.apply().get()["sent"] == 1
    assert training_reminders_task.apply().get()["sent"] == 0
    assert list(_reminders().values_list("object_id", "recipient_id")) == [
        (expiring[0].pk, anna.pk)
    ]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [anna.email]
    assert sent.from_email == anna.company.sender_email
    assert f"{ends:%d.%m.%Y}" in sent.subject and f"{ends:%d.%m.%Y}" in sent.body
    assert sent.body.startswith("Guten Tag")  # anna reads German
    assert reverse("training:status") in sent.body


def test_the_reminder_follows_the_users_language_and_the_companys_sender(demo):
    from tests.support.companies import set_company

    carla = demo["carla"]
    type(carla).objects.filter(pk=carla.pk).update(language="en")
    set_company(carla, email="dsb@beispiel.example")
    ends = TODAY + timedelta(days=5)
    record(demo["dieter"], carla, held_on=ends - timedelta(400), valid_until=ends)
    assert trainings.training_reminders_send(today=TODAY) == 1
    sent = mail.outbox[0]
    english = f"{ends.day} {ends:%b %Y}"  # "j M Y"
    assert sent.from_email == "dsb@beispiel.example"
    assert sent.body.startswith("Hello")
    assert english in sent.subject and english in sent.body
    assert "Your data protection training expires on" in sent.subject


def test_no_reminder_for_a_user_with_a_newer_training(demo):
    dora, maria = demo["dora"], demo["maria"]
    ends = TODAY + timedelta(days=10)
    old = record(dora, maria, held_on=ends - timedelta(365), valid_until=ends)[0]
    record(dora, maria, held_on=TODAY - timedelta(days=1))  # the new one, a year
    assert trainings.training_reminders_send(today=TODAY) == 0
    assert _reminders().exists() is False
    # Queued before the new one was recorded: nothing to send by send time.
    Training.objects.exclude(pk=old.pk).delete()
    outbox.enqueue([(trainings.REMINDER, old.pk, maria.pk)])
    record(dora, maria, held_on=TODAY - timedelta(days=1))
    assert outbox.deliver(kinds=[trainings.REMINDER]) == 0
    assert mail.outbox == []
    assert _reminders().get().status == "sent"  # done: nothing left to send


def test_no_reminder_without_an_e_mail_or_for_a_former_member(demo):
    from accounts import services as accounts

    ends = TODAY + timedelta(days=3)
    anna, ben = demo["anna"], demo["ben"]
    type(anna).objects.filter(pk=anna.pk).update(email="")
    record(demo["dora"], anna, ben, held_on=ends - timedelta(365), valid_until=ends)
    accounts.user_set_roles(user=ben, roles=[], company=ben.company, actor=None)
    assert trainings.training_reminders_send(today=TODAY) == 0
    assert _reminders().exists() is False


def test_the_beat_runs_the_reminders_daily():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["training-reminders"]
    assert entry["task"] == "compliance.training_reminders"
    assert entry["task"] in app.tasks


# --- The gate (TRAINING_BLOCKS_ACCESS) ----------------------------------------------


def _sample(pattern: URLPattern, name: str) -> str:
    converters = pattern.pattern.converters
    kwargs = {
        key: 1 if type(conv).__name__ == "IntConverter" else "x"
        for key, conv in converters.items()
    }
    return reverse(name, kwargs=kwargs)


def gated_urls() -> dict[str, str]:
    """Every named page of the project that needs a login, with sample
    arguments (the gate answers before the view looks at them), but the ones
    the gate leaves open."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                if inner in {"admin", "otp_webauthn"}:
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name in TRAINING_ROUTES or name in found:
                    continue
                try:
                    url = _sample(pattern, name)
                except NoReverseMatch:  # a converter without a sample value
                    continue
                if getattr(resolve(url).func, "login_required", True):
                    found[name] = url

    walk(get_resolver().url_patterns, None)
    return found


def test_the_generated_list_covers_the_personal_data_pages():
    urls = gated_urls()
    assert len(urls) > 60
    assert {
        "crm:customer_list",
        "crm:customer_detail",
        "crm:person_detail",
        "contracts:contract_list",
        "compliance:request_list",
        "consents:person",
        "search",
        "accounts:dashboard",
    } <= set(urls)
    assert "contracts:calendar_feed" not in urls  # no login: its own check
    assert "training:status" not in urls and "logout" not in urls


def test_with_the_setting_on_every_page_leads_to_the_training_page(
    client_as, demo, settings
):
    settings.TRAINING_BLOCKS_ACCESS = True
    anna = client_as("anna")  # demo users without a training yet
    wrong = {}
    for name, url in gated_urls().items():
        for method in ("get", "post"):
            response = getattr(anna, method)(url)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(
                f"{STATUS}?next="
            ):
                wrong[(name, method)] = (response.status_code, location)
    assert wrong == {}
    htmx = anna.get(reverse("crm:customer_list"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(STATUS)
    page = anna.get(STATUS)
    assert page.status_code == 200
    assert 'data-testid="training-needed"' in page.content.decode()
    for open_page in ("accounts:commitment", "accounts:security"):
        assert anna.get(reverse(open_page)).status_code == 200
    assert anna.post(reverse("logout")).status_code == 302


def test_a_valid_training_opens_the_pages_on_its_last_day(client_as, demo, settings):
    settings.TRAINING_BLOCKS_ACCESS = True
    anna = client_as("anna")
    customers = reverse("crm:customer_list")
    year_ago = TODAY - timedelta(days=365)
    ended = record(demo["dora"], demo["anna"], held_on=year_ago, valid_until=TODAY)
    assert anna.get(customers).status_code == 200  # valid until today: still valid
    Training.objects.filter(pk=ended[0].pk).update(valid_until=TODAY - timedelta(1))
    assert anna.get(customers).status_code == 302
    page = anna.get(STATUS).content.decode()
    assert 'data-testid="own-training"' in page
    assert f"{TODAY - timedelta(1):%d.%m.%Y}" in page  # when it expired
    record(demo["dora"], demo["anna"])
    assert anna.get(customers).status_code == 200


def test_the_dpo_reaches_the_trainings_page_while_blocked(client_as, demo, settings):
    """Or switching the setting on would lock out the ones who record trainings."""
    settings.TRAINING_BLOCKS_ACCESS = True
    dora = client_as("dora")
    assert dora.get(reverse("compliance:index")).status_code == 302
    assert dora.get(PAGE).status_code == 200
    response = dora.post(
        PAGE,
        {"users": [demo["dora"].pk], "held_on": f"{TODAY:%Y-%m-%d}", "topic": "DSB"},
    )
    assert response.status_code == 302
    assert dora.get(reverse("compliance:index")).status_code == 200
    assert client_as("anna").get(PAGE).status_code == 403  # the view's role check


def test_each_company_has_its_own_trainings(client_as, demo, settings):
    settings.TRAINING_BLOCKS_ACCESS = True
    record(demo["dieter"], demo["carla"])  # in the second company only
    assert client_as("carla").get(reverse("crm:customer_list")).status_code == 200
    assert client_as("anna").get(reverse("crm:customer_list")).status_code == 302


def test_the_calendar_feed_pauses_while_its_user_is_blocked(client, demo, settings):
    from contracts import services as contracts

    feed = contracts.calendar_feed_for(user=demo["anna"])
    url = reverse("contracts:calendar_feed", args=[feed.token])
    assert client.get(url).status_code == 200  # the setting off: no training needed
    settings.TRAINING_BLOCKS_ACCESS = True
    assert client.get(url).status_code == 404
    record(demo["dora"], demo["anna"])
    assert client.get(url).status_code == 200


def test_the_setting_off_costs_no_query_and_on_one(client_as, demo, settings):
    anna = client_as("anna")
    customers = reverse("crm:customer_list")

    def count() -> int:
        anna.get(customers)  # warm
        with CaptureQueriesContext(connection) as queries:
            assert anna.get(customers).status_code == 200
        return len(queries)

    off = count()
    with CaptureQueriesContext(connection) as asked:
        assert trainings.training_needed(demo["anna"], today=TODAY) is False
    assert len(asked) == 0
    record(demo["dora"], demo["anna"])
    assert count() == off
    settings.TRAINING_BLOCKS_ACCESS = True
    assert count() == off + 1
