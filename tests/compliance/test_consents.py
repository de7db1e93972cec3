"""Consents: double opt-in for e-mail, one-click withdrawal, the history as proof."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from compliance import services
from compliance.models import Consent
from core import outbox
from tests.support.versions import current


def record(client, person, purpose="newsletter", source="web_form"):
    return client.post(
        reverse("consents:person", args=[person.pk]),
        {"purpose": purpose, "source": source},
    )


@pytest.fixture
def erika_mail(demo, erika):
    from crm import services as crm_services

    return crm_services.person_update(
        person=erika,
        actor=demo["anna"],
        version=current(erika),
        fields={"email": "erika@example.org"},
    )


def test_unconfirmed_is_not_consent_until_the_link_is_clicked(
    client_as, client, demo, erika_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = record(client_as("anna"), erika_mail)
    assert response.status_code == 200
    consent = Consent.objects.get()
    assert consent.status == "pending" and consent.recorded_by == demo["anna"]
    assert Consent.objects.effective().exists() is False  # not yet consent
    assert mail.outbox == []  # not sent inside the request: a worker sends it
    assert outbox.deliver() == 1
    message = mail.outbox[-1]
    assert message.to == ["erika@example.org"]
    assert consent.text.text in message.body
    link = re.search(r"http://\S+/consents/confirm/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    page = client.get("/" + path)  # a link scanner's GET confirms nothing
    assert page.status_code == 200
    assert Consent.objects.get().status == "pending"
    assert client.post("/" + path).status_code == 200
    consent.refresh_from_db()
    assert consent.status == "granted" and consent.confirmed_at is not None
    assert Consent.objects.effective().get() == consent
    again = client.post("/" + path)  # a second click changes nothing
    assert again.status_code == 200
    assert 'data-testid="confirmed"' in again.content.decode()
    consent.refresh_from_db()
    assert consent.status == "granted"
    assert Consent.objects.count() == 1
    proof = [h.status for h in consent.history.order_by("history_date")]
    assert proof == ["pending", "granted"]


def test_a_confirmation_link_lapses_after_thirty_days(demo, erika_mail):
    consent = services.consent_record(
        person=erika_mail, purpose="newsletter", source="web_form", actor=demo["anna"]
    )
    later = consent.requested_at + timedelta(days=31)
    services.consent_confirm(token=consent.confirm_token, now=later)
    consent.refresh_from_db()
    assert consent.status == "expired"
    assert Consent.objects.effective().exists() is False
    with pytest.raises(services.ConsentRefused):  # and stays lapsed
        services.consent_confirm(token=consent.confirm_token, now=later)


def test_phone_consent_is_given_at_once_and_withdrawn_by_staff_in_one_click(
    client_as, demo, erika
):
    anna = client_as("anna")
    assert record(anna, erika, "phone_marketing", "phone").status_code == 200
    consent = Consent.objects.get()
    assert consent.status == "granted"
    response = anna.post(
        reverse("consents:withdraw", args=[erika.pk, consent.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    consent.refresh_from_db()
    assert (consent.status, consent.withdrawn_via) == ("withdrawn", "staff")
    assert consent.history.latest().history_user == demo["anna"]
    # a new consent later is a new row; the withdrawn one stays as proof
    record(anna, erika, "phone_marketing", "phone")
    assert Consent.objects.filter(person=erika).count() == 2


def test_the_withdrawal_link_works_without_login_and_twice(client, demo, erika_mail):
    consent = services.consent_record(
        person=erika_mail, purpose="phone_marketing", source="paper", actor=demo["anna"]
    )
    message = services.marketing_email(consent=consent, subject="Angebot", body="Hallo")
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url in message.body
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    assert Consent.objects.get().status == "granted"  # GET only asks
    # RFC 8058: the mail client POSTs without a session or CSRF token
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    consent.refresh_from_db()
    assert (consent.status, consent.withdrawn_via) == ("withdrawn", "link")
    first = consent.withdrawn_at
    assert client.post(path).status_code == 200  # one-use-safe
    consent.refresh_from_db()
    assert consent.withdrawn_at == first
    with pytest.raises(services.ConsentRefused):
        services.marketing_email(consent=consent, subject="x", body="y")
    assert client.get("/consents/withdraw/not-a-token/").status_code == 404


def test_bad_input_and_others_customers(client_as, demo, erika):
    anna = client_as("anna")
    refused = record(anna, erika, "newsletter", "web_form")  # no e-mail address
    assert refused.status_code == 400
    assert Consent.objects.exists() is False
    bad = record(anna, erika, "telepathy", "web_form")
    assert bad.status_code == 400 and Consent.objects.exists() is False
    ben = client_as("ben")
    assert ben.get(reverse("consents:person", args=[erika.pk])).status_code == 404
    assert record(ben, erika, "phone_marketing", "phone").status_code == 404
    dora = client_as("dora")  # reads, may not record
    assert dora.get(reverse("consents:person", args=[erika.pk])).status_code == 200
    assert record(dora, erika, "phone_marketing", "phone").status_code == 404
    assert Consent.objects.exists() is False


def test_smtp_trouble_neither_fails_the_request_nor_loses_the_e_mail(
    client_as, erika_mail, settings, django_capture_on_commit_callbacks
):
    from core.models import OutboxMessage
    from tests.support.smtp import smtp_server

    with smtp_server(settings, refuse={"erika@example.org"}) as server:
        with django_capture_on_commit_callbacks(execute=True):
            response = record(client_as("anna"), erika_mail)
        assert response.status_code == 200
        consent = Consent.objects.get()
        assert consent.status == "pending"
        assert outbox.deliver() == 0  # the mailbox refuses: retried later
        queued = OutboxMessage.objects.get()
        assert (queued.status, queued.attempts) == ("pending", 1)
        server.refuse.clear()
        OutboxMessage.objects.update(next_attempt_at=queued.created_at)
        assert outbox.deliver() == 1
        assert outbox.deliver() == 0
    assert [to for _id, to in server.received] == [["erika@example.org"]]
    # recording it again is refused as before: the first one is on its way
    assert record(client_as("anna"), erika_mail).status_code == 400
