"""A staff member's day in the browser: create, contact, log a call, fix a phone."""

import io

import pytest
from django.core.management import call_command

from crm.models import Customer

from .test_login_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    call_command("seed_demo", "--users-only", stdout=io.StringIO())


def test_anna_creates_an_organization_logs_a_call_and_sees_her_change_in_history(
    page, live_server, seeded
):
    base = live_server.url
    log_in(page, base, "anna")
    page.wait_for_url(f"{base}/")

    # A new organization
    page.goto(f"{base}/customers/")
    page.get_by_test_id("new-organization").click()
    page.fill("#id_name", "Elbkai Spedition GmbH")
    page.fill("#id_vat_id", "DE136695976")
    page.get_by_test_id("save-customer").click()
    assert page.get_by_test_id("customer-name").inner_text() == "Elbkai Spedition GmbH"
    customer = Customer.objects.get(name="Elbkai Spedition GmbH")

    # A contact person: a bad phone first (message next to the field), then right
    page.get_by_test_id("add-person").click()
    page.select_option("#id_salutation", "ms")
    page.fill("#id_first_name", "Greta")
    page.fill("#id_last_name", "Hansen")
    page.fill("#id_phone", "040 12")
    page.get_by_test_id("save-person").click()
    assert page.locator("#id_phone_error").is_visible()
    page.fill("#id_phone", "040 3012345")
    page.get_by_test_id("save-person").click()
    assert page.get_by_test_id("person-phone").inner_text() == "040 3012345"

    # A delivery address with the gate height
    page.get_by_test_id("add-address").click()
    page.select_option("#id_purpose", "delivery")
    page.fill("#id_street", "Am Kai 7")
    page.fill("#id_postcode", "20457")
    page.fill("#id_city", "Hamburg")
    page.fill("#id_details", "Torhöhe: 4,00 m")
    page.get_by_test_id("save-address").click()
    addresses = page.get_by_test_id("addresses").inner_text()
    assert "Am Kai 7" in addresses
    assert "4,00 m" in addresses

    # A call on the timeline, added in place (htmx: the page does not reload)
    page.evaluate("window.__marker = 'same page'")
    page.get_by_test_id("log-interaction").locator("summary").click()
    page.select_option("#id_kind", "call")
    page.select_option("#id_direction", "in")
    page.fill("#id_subject", "Rückfrage zur Abholung")
    page.get_by_label("Greta Hansen").check()
    page.get_by_test_id("save-interaction").click()
    first = page.get_by_test_id("interaction").first
    first.wait_for()
    assert "Rückfrage zur Abholung" in first.inner_text()
    assert "Greta Hansen" in first.inner_text()
    assert page.evaluate("window.__marker") == "same page"

    # Edit the phone number and find the change on the History tab
    page.get_by_role("link", name="Greta Hansen").first.click()
    page.get_by_test_id("edit-person").click()
    page.fill("#id_phone", "040 3099999")
    page.get_by_test_id("save-person").click()
    page.goto(f"{base}/customers/{customer.pk}/")
    page.get_by_test_id("tab-history").click()
    newest = page.get_by_test_id("history-entry").first.inner_text()
    assert "Anna Albers" in newest
    assert "Telefon" in newest
    assert "040 3012345" in newest  # stored as E.164, shown the national way
    assert "040 3099999" in newest
    assert page.console_errors == []
