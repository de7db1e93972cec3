"""dora in the browser: a request for a demo person, the access report PDF, erasure."""

import io
import uuid

import pytest
from django.core.management import call_command

from compliance.models import AccessReport, DataSubjectRequest, Erasure
from crm.models import Customer
from tests.support.worker import start_worker, stop

from .test_login_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_person(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    customer = Customer.objects.filter(kind="private").order_by("pk").first()
    return customer.persons.get()


@pytest.fixture
def worker(tmp_path):
    """The Celery worker that makes the report, as in `make run`."""
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = start_worker(queue, MEDIA_ROOT=str(tmp_path))
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # .delay() from the live server goes there
    try:
        yield queue
    finally:
        app.conf.task_default_queue = previous
        stop(process)


def test_dora_answers_a_request_downloads_the_pdf_and_erases_the_person(
    page, live_server, demo_person, worker
):
    base = live_server.url
    name = demo_person.full_name
    log_in(page, base, "dora")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}{demo_person.get_absolute_url()}")
    page.get_by_test_id("data-request").click()
    assert page.input_value("#id_subject_name") == name
    page.select_option("#id_kind", "access")
    page.select_option("#id_channel", "letter")
    page.get_by_test_id("save-request").click()
    page.get_by_test_id("request-facts").wait_for()
    request = DataSubjectRequest.objects.get(kind="access", person=demo_person)
    due = page.get_by_test_id("due-on").inner_text()
    assert request.due_on.strftime("%d.%m.%Y") in due

    page.get_by_test_id("make-report").click()
    page.get_by_test_id("download-pdf").wait_for(timeout=60_000)  # htmx polling
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    with open(download.value.path(), "rb") as file:
        data = file.read()
    assert data.startswith(b"%PDF")
    assert AccessReport.objects.get().pages >= 2  # letter, then the rest flows

    page.goto(f"{base}{demo_person.get_absolute_url()}")
    page.get_by_test_id("data-request").click()
    page.select_option("#id_kind", "erasure")
    page.select_option("#id_channel", "letter")
    page.fill("#id_identity_method", "Unterschrift mit Vertrag verglichen")
    page.get_by_test_id("save-request").click()
    page.get_by_test_id("erase").click()
    page.get_by_test_id("erasure-counts").wait_for()
    assert "Jetzt löschen" in page.get_by_test_id("confirm-erasure").inner_text()
    page.check("#id_confirm")  # cannot be undone: confirmed explicitly
    page.get_by_test_id("confirm-erasure").click()
    page.get_by_test_id("request-status").wait_for()
    assert "Erledigt" in page.get_by_test_id("request-status").inner_text()
    erasure = Erasure.objects.get()
    demo_person.refresh_from_db()
    customer = demo_person.customer
    customer.refresh_from_db()
    assert (demo_person.email, demo_person.phone) == ("", "")
    if erasure.holds.exists():  # demo letters and e-mails are business letters
        assert customer.restricted_until is not None  # hidden, kept for the DPO
        assert erasure.completed_at is None
    else:
        assert demo_person.last_name == "[gelöscht]" and name not in page.content()
    assert page.console_errors == []
