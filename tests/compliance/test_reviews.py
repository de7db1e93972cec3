"""Data reviews: the next one six months on, a daily digest per owner, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from compliance.models import ReviewDigest
from compliance.reviews import review_digests_send
from crm.models import Customer

from .conftest import make_customer


def due(customer, days_ago=1):
    Customer.objects.filter(pk=customer.pk).update(
        next_review_on=timezone.localdate() - timedelta(days=days_ago)
    )


def test_mark_reviewed_sets_the_next_review_six_months_on(client_as, demo, settings):
    nord = make_customer(demo["anna"], "Nord", name="Nordlicht GmbH")
    due(nord)
    anna = client_as("anna")
    page = anna.get(nord.get_absolute_url()).content.decode()
    assert 'data-testid="mark-reviewed"' in page and "text-danger" in page
    response = anna.post(reverse("crm:customer_reviewed", args=[nord.pk]))
    assert response.status_code == 302
    nord.refresh_from_db()
    today = timezone.localdate()
    assert nord.last_reviewed_on == today
    from core.dates import add_months

    assert nord.next_review_on == add_months(today, 6)
    assert nord.history.first().history_user == demo["anna"]
    from tests.support.companies import set_company

    set_company(demo["anna"], data_review_months=12)  # the company's interval
    anna.post(reverse("crm:customer_reviewed", args=[nord.pk]))
    nord.refresh_from_db()
    assert nord.next_review_on == add_months(today, 12)
    # others may not; the DPO reads but does not change
    for name in ("ben", "dora"):
        status = (
            client_as(name)
            .post(reverse("crm:customer_reviewed", args=[nord.pk]))
            .status_code
        )
        assert status in {403, 404}


def test_the_digest_waits_until_the_owner_accepted_the_commitment(demo):
    from accounts import services
    from accounts.models import Company

    today = timezone.localdate()
    due(make_customer(demo["anna"], "Nord", name="A GmbH"))
    services.commitment_publish(actor=demo["dora"], text="Neue Fassung")
    assert review_digests_send(today=today) == 0
    assert not ReviewDigest.objects.exists()
    version = Company.objects.get(pk=demo["anna"].company_id).commitment_version
    services.commitment_accept(user=demo["anna"], version=version)
    assert review_digests_send(today=today) == 1
    assert mail.outbox[-1].to == ["anna@example.com"]


def test_each_owner_gets_one_digest_a_day(demo):
    today = timezone.localdate()
    for name in ("A GmbH", "B GmbH"):
        due(make_customer(demo["anna"], "Nord", name=name))
    due(make_customer(demo["ben"], "Süd", name="C AG"))
    make_customer(demo["ben"], "Süd", name="Not due AG")  # six months ahead
    assert review_digests_send(today=today) == 2
    assert review_digests_send(today=today) == 0  # once a day
    to_anna = next(m for m in mail.outbox if m.to == [demo["anna"].email])
    assert "A GmbH" in to_anna.body and "B GmbH" in to_anna.body
    assert "2 Kunden" in to_anna.subject
    to_ben = next(m for m in mail.outbox if m.to == [demo["ben"].email])
    assert "Not due AG" not in to_ben.body
    assert review_digests_send(today=today + timedelta(days=1)) == 2  # next day again
    assert ReviewDigest.objects.count() == 4


def test_the_manager_sees_overdue_reviews_per_team(client_as, demo):
    due(make_customer(demo["anna"], "Nord", name="A GmbH"))
    due(make_customer(demo["ben"], "Süd", name="C AG"), days_ago=30)
    page = client_as("maria").get(reverse("accounts:dashboard")).content.decode()
    assert "Nord: 1 Datenprüfung fällig" in page
    assert "Süd: 1 Datenprüfung fällig" in page
    listing = client_as("maria").get(reverse("crm:customer_list"), {"review_due": "on"})
    assert {c.name for c in listing.context["page"].rows} == {"A GmbH", "C AG"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_digest_once(demo, tmp_path):
    from compliance.tasks import review_digests_task
    from tests.support.worker import mail_worker

    due(make_customer(demo["anna"], "Nord", name="A GmbH"))
    with mail_worker(tmp_path) as (queue, log):
        first = review_digests_task.apply_async(queue=queue).get(timeout=60)
        second = review_digests_task.apply_async(queue=queue).get(timeout=60)
    assert (first["sent"], second["sent"]) == (1, 0)
    assert len(log.read_text().splitlines()) == 1


def test_a_failed_digest_is_sent_by_a_later_delivery_unless_a_newer_one_came(
    demo, settings
):
    from core import outbox
    from core.models import OutboxMessage
    from tests.support.smtp import smtp_server

    today = timezone.localdate()
    due(make_customer(demo["anna"], "Nord", name="A GmbH"))
    with smtp_server(settings, refuse={demo["anna"].email}) as server:
        assert review_digests_send(today=today) == 0
        server.refuse.clear()
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        assert outbox.deliver() == 1  # the periodic delivery, the same day
        assert ReviewDigest.objects.get(day=today).sent_at is not None

        server.refuse.add(demo["anna"].email)
        assert review_digests_send(today=today + timedelta(days=1)) == 0
        server.refuse.clear()
        assert review_digests_send(today=today + timedelta(days=2)) == 1
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        assert outbox.deliver() == 0  # day 1's is moot: day 2's said it all
    assert len(server.received) == 2
