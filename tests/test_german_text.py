"""German pages, e-mails, feeds and PDFs carry no English words: a string left out of
translation (an f-string, a library's message, a forgotten gettext) fails here."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.security.test_bad_parameters import record_urls, routes_without_arguments

# Words of English sentences that German text does not use (whole words only).
ENGLISH = re.compile(
    r"\b(the|and|with|from|your|you|please|enter|invalid|must|this|that|are|has|"
    r"have|not|for|of|to|is|be|no|yes|unsubscribe|contract|contracts|customer|"
    r"customers|deadline|deadlines|save|edit|delete|search|new|show|none|"
    r"month|months|days|value|ends|ended|notice|received|checksum|digits)\b",
    re.IGNORECASE,
)
SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "value"}


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and a few attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        for name, value in attrs:
            kind = dict(attrs).get("type")
            if name in SHOWN_ATTRIBUTES and value and kind not in {"hidden"}:
                if name == "value" and tag != "button" and kind != "submit":
                    continue  # field values are data, not our words
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def english_in(html: str) -> list[str]:
    """English words, and Django's "---------" for "any", in what a reader sees."""
    parser = VisibleText()
    parser.feed(html)
    return [part for part in parser.parts if ENGLISH.search(part) or "-----" in part]


def test_the_detector_finds_english_and_passes_german():
    assert (
        english_in("<p>Kündigung erfasst: Der Vertrag endet am 31.12.2026.</p>") == []
    )
    assert english_in("<p>Invalid checksum digits</p>") == ["Invalid checksum digits"]
    assert english_in('<input placeholder="Search customers">') == ["Search customers"]
    assert english_in("<script>var the = 1;</script>") == []
    assert english_in('<option value="">---------</option>') == ["---------"]


def test_edit_pages_are_titled_the_german_way(client_as, demo):
    from tests.crm.conftest import make_customer

    customer = make_customer(demo["anna"], "Nord", name="Müller & Söhne GmbH")
    page = client_as("anna").get(reverse("crm:customer_edit", args=[customer.pk]))
    assert "<title>Müller &amp; Söhne GmbH bearbeiten" in page.content.decode()


@pytest.fixture
def demo_data(demo):
    call_command("seed_demo", stdout=io.StringIO())
    return demo


@pytest.mark.slow
@pytest.mark.parametrize("username", ["anna", "admin"])
def test_german_pages_carry_no_english(client_as, demo_data, username):
    from contracts.models import Contract
    from crm.models import Customer, Person

    client = client_as(username)
    customer = Customer.objects.visible_to(demo_data[username]).order_by("pk")[0]
    records = {
        "customer": customer,
        "person": Person.objects.filter(customer=customer).order_by("pk").first()
        or Person.objects.order_by("pk").first(),
        "contract": Contract.objects.visible_to(demo_data[username]).first(),
    }
    urls = [url for url in record_urls(records) if records["person"]]
    # a follow-up task of the user's and the customer's tasks card with its form
    from service.models import Task

    task = Task.objects.visible_to(demo_data[username]).order_by("pk").first()
    urls += [task.get_absolute_url()] if task else []
    urls.append(reverse("service:customer_tasks", args=[customer.pk]))
    urls += [
        reverse(name)
        for name in sorted(set(routes_without_arguments()))
        if name not in {"logout", "healthz", "healthz_tasks"}
        and not name.startswith(("password_", "login"))
    ]
    found = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        english = english_in(response.content.decode())
        if english:
            found[url] = english
    assert found == {}


@pytest.mark.slow
def test_german_e_mails_carry_no_english(demo_data, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    from compliance.models import DataSubjectRequest
    from compliance.reminders import request_reminders_plan, request_reminders_send
    from compliance.reviews import review_digests_send
    from contracts.reminders import reminders_plan, reminders_send

    today = timezone.localdate()
    reminders_plan(today=today)
    reminders_send(today=today)
    review_digests_send(today=today + timedelta(days=400))
    for data_request in DataSubjectRequest.objects.all():
        request_reminders_plan(today=data_request.due_on - timedelta(days=1))
    request_reminders_send()
    from service.followups import task_digests_send

    task_digests_send(today=today)  # the demo's tasks due today and overdue
    kinds = {message.subject.split(":")[0] for message in mailoutbox}
    assert len(mailoutbox) >= 3 and len(kinds) >= 3, kinds

    found = []
    for message in mailoutbox:
        for line in [message.subject, *message.body.splitlines()]:
            if ENGLISH.search(line.split("http")[0]):
                found.append(line)
        for html, _mime in getattr(message, "alternatives", []):
            found += english_in(html)
    assert found == []


@pytest.mark.slow
def test_a_german_access_report_carries_no_english(demo_data):
    from pypdf import PdfReader

    from compliance import report
    from crm.models import Person

    person = (
        Person.objects.filter(customer__kind="private")
        .exclude(customer__interactions=None)
        .order_by("pk")
        .first()
    )
    pdf = report.render(report.collect(person, language="de"))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    found = [
        line
        for line in text.splitlines()
        if ENGLISH.search(line) and "@" not in line  # e-mail addresses are data
    ]
    assert found == []
