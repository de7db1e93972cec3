"""Giving and recording notice: the end follows the law; late notice is refused."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Notice
from tests.support.versions import current

BERLIN = timezone.get_default_timezone()


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_notice_in_time_ends_the_contract_at_the_term_end(demo, nord_contract):
    notice = services.contract_give_notice(
        contract=nord_contract,
        version=current(nord_contract),
        actor=demo["anna"],
        given_by="customer",
        channel="letter",
        received_at=at(2025, 9, 30, 16, 45),
    )
    assert notice.ends_on.isoformat() == "2025-12-31"
    nord_contract.refresh_from_db()
    assert nord_contract.status == "notice_given"
    assert nord_contract.term_end.isoformat() == "2025-12-31"
    assert nord_contract.last_notice_day is None
    assert notice.history.first().history_user == demo["anna"]


def test_late_notice_is_refused_with_the_next_possible_end(demo, nord_contract):
    with pytest.raises(services.LateNotice) as refused:
        services.contract_give_notice(
            contract=nord_contract,
            version=current(nord_contract),
            actor=demo["anna"],
            given_by="customer",
            channel="email",
            received_at=at(2025, 10, 1, 0, 5),
            wanted_end=timezone.datetime(2025, 12, 31).date(),
        )
    assert refused.value.next_end.isoformat() == "2026-12-31"
    assert Notice.objects.exists() is False
    nord_contract.refresh_from_db()
    assert nord_contract.status == "active"


def test_the_notice_page_refuses_late_notice_next_to_the_field(
    client_as, nord_contract
):
    client = client_as("anna")
    response = client.post(
        reverse("contracts:contract_notice", args=[nord_contract.pk]),
        {
            "given_by": "customer",
            "channel": "online",
            "received_at": "2025-10-01T09:00",
            "wanted_end": "2025-12-31",
            "confirmation_sent_at": "2025-10-01T09:01",
            "version": current(nord_contract),
        },
    )
    assert response.status_code == 400
    assert "31.12.2026" in " ".join(response.context["form"].errors["wanted_end"])
    assert Notice.objects.exists() is False


def test_the_notice_page_records_a_notice_with_the_confirmation(
    client_as, nord_contract
):
    client = client_as("anna")
    response = client.post(
        reverse("contracts:contract_notice", args=[nord_contract.pk]),
        {
            "given_by": "customer",
            "channel": "online",
            "received_at": "2025-09-30T23:59",
            "confirmation_sent_at": "2025-09-30T23:59",
            "version": current(nord_contract),
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.ends_on.isoformat() == "2025-12-31"
    assert notice.confirmation_sent_at is not None
    page = client.get(nord_contract.get_absolute_url()).content.decode()
    assert 'data-testid="notices"' in page
    history = client.get(reverse("contracts:contract_history", args=[nord_contract.pk]))
    assert any(e.what == "Kündigung" for e in history.context["entries"])


def test_a_notice_cannot_be_received_in_the_future(client_as, nord_contract):
    response = client_as("anna").post(
        reverse("contracts:contract_notice", args=[nord_contract.pk]),
        {"given_by": "us", "channel": "letter", "received_at": "2999-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "received_at" in response.context["form"].errors


def test_notice_pages_are_404_for_other_teams_and_403_for_the_dpo(
    client_as, sud_contract
):
    url = reverse("contracts:contract_notice", args=[sud_contract.pk])
    assert client_as("anna").get(url).status_code == 404
    assert client_as("anna").post(url, {"given_by": "us"}).status_code == 404
    assert client_as("dora").get(url).status_code == 403
