"""anna's contract in the browser: create, read the deadline, upload, give notice."""

import io

import pytest
from django.core.management import call_command

from contracts.models import Contract, DocumentVersion, Notice
from tests.crm.conftest import add_address, make_customer
from tests.support.pdfs import blank_pdf

from .test_login_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = blank_pdf()  # a real PDF: uploads are parsed (no scripts, readable)


@pytest.fixture
def customer(transactional_db, settings, tmp_path):
    from accounts.models import User

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--users-only", stdout=io.StringIO())
    anna = User.objects.get(username="anna")
    customer = make_customer(anna, "Nord", name="Hafenkran Service GmbH")
    add_address(customer, anna, street="Kaiweg 3")
    return customer


def test_anna_creates_a_contract_reads_its_deadline_uploads_a_pdf_and_gives_notice(
    page, live_server, customer, tmp_path
):
    base = live_server.url
    log_in(page, base, "anna")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/customers/{customer.pk}/")
    page.get_by_test_id("new-contract").click()
    page.fill("#id_title", "Wartung Krananlage")
    page.fill("#id_concluded_on", "2025-06-20")
    page.fill("#id_start", "2025-07-15")
    page.fill("#id_initial_months", "12")
    page.fill("#id_renewal_months", "12")
    page.fill("#id_notice_amount", "1")
    page.get_by_test_id("save-contract").click()

    deadlines = page.get_by_test_id("contract-deadlines")
    deadlines.wait_for()
    contract = Contract.objects.get(title="Wartung Krananlage")
    # Computed for today (2026-11-22 on this machine or later): the current term's
    # last notice day, with its explanation.
    expected = contract.last_notice_day.strftime("%d.%m.%Y")
    assert expected in page.get_by_test_id("last-notice-day").inner_text()
    assert "Letzter Tag für den Eingang der Kündigung" in (
        page.get_by_test_id("explanation").inner_text()
    )
    assert "Kaiweg 3" in page.get_by_test_id("notice-address").inner_text()

    pdf = tmp_path / "Wartungsvertrag.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#id_file", str(pdf))
    page.get_by_test_id("upload-document").click()
    link = page.get_by_test_id("document-download")
    link.wait_for()
    assert "Wartungsvertrag.pdf" in link.inner_text()
    assert DocumentVersion.objects.get().content_type == "application/pdf"

    page.get_by_test_id("give-notice").click()
    page.select_option("#id_given_by", "customer")
    page.select_option("#id_channel", "letter")
    page.get_by_test_id("save-notice").click()
    page.get_by_test_id("notices").wait_for()
    notice = Notice.objects.get()
    assert (
        notice.ends_on.strftime("%d.%m.%Y")
        in page.get_by_test_id("notices").inner_text()
    )
    contract.refresh_from_db()
    assert contract.status == "notice_given"
    assert page.console_errors == []
