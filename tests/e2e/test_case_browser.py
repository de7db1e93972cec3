"""anna's complaint in the browser: recorded from the customer page, its SLA
clock standing while she waits for the customer, resolved with a resolution;
then a task for today from the customer page on her dashboard. German UI at
desktop width; the case page also at phone width (no sideways scrolling).

The SLA clock counts business hours only, so a few real seconds of waiting
(or a run at night) would move nothing. The process's clock (timezone.now()
and time.time(): the live server runs in this process, and sessions and the
TOTP codes read the latter) starts at 09:00 of a coming business day and is
moved on while the case waits. Every step is a real click; only the time the
server reads is the test's.
"""

import io
import os
import re
import time as wallclock
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from service import sla
from service.calendars import company_calendar
from service.models import Case, CasePause, Task
from tests.crm.conftest import add_person, make_customer

from .test_login_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
GERMAN_MOMENT = re.compile(r"^[A-Z][a-z] \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$")
GERMAN_DAY = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
# Less than the idle timeout (30 minutes): anna stays signed in meanwhile.
WAITED = timedelta(minutes=20)
# Screenshots for a look at the pages (not asserted): E2E_SHOTS=/some/folder.
SHOTS = os.environ.get("E2E_SHOTS")

_real_now = timezone.now


class ServerClock:
    """The process's wall clock: real time flowing on from `start`, moved on
    by advance()."""

    def __init__(self, start: datetime):
        self.offset = start - _real_now()

    def now(self) -> datetime:
        return _real_now() + self.offset

    def time(self) -> float:
        return self.now().timestamp()

    def advance(self, span: timedelta) -> None:
        self.offset += span


@pytest.fixture
def customer(transactional_db):
    from accounts.models import User

    call_command("seed_demo", "--users-only", stdout=io.StringIO())
    anna = User.objects.get(username="anna")
    customer = make_customer(anna, "Nord", name="Hafenkran Service GmbH")
    add_person(customer, anna, first_name="Greta", last_name="Hansen")
    return customer


@pytest.fixture
def clock(customer, monkeypatch):
    """The clock at 09:00 (Berlin) of the next business day but one of the
    customer's company, so the case is opened and waits in business hours."""
    today = timezone.localdate()
    calendar = company_calendar(
        customer.company, years=range(today.year, today.year + 2)
    )
    day = today + timedelta(days=2)
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    start = datetime.combine(day, time(9, 0), tzinfo=sla.BERLIN)
    server_clock = ServerClock(start)
    monkeypatch.setattr(timezone, "now", server_clock.now)
    monkeypatch.setattr(wallclock, "time", server_clock.time)
    server_clock.calendar = calendar
    return server_clock


def shot(page, name: str) -> None:
    """A full-page screenshot at desktop and at phone width (E2E_SHOTS only)."""
    if not SHOTS:
        return
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def due_shown(page, kind: str) -> tuple[str, datetime | None]:
    """The text of a target's due time on the case page, and its moment."""
    due = page.get_by_test_id(f"sla-{kind}-due")
    moment = due.locator("time")
    if moment.count() == 0:
        return due.inner_text(), None
    return due.inner_text(), datetime.fromisoformat(moment.get_attribute("datetime"))


def test_anna_records_a_complaint_waits_for_the_customer_resolves_it_and_plans_a_task(
    page, live_server, customer, clock
):
    page.set_viewport_size(DESKTOP)
    base = live_server.url
    log_in(page, base, "anna")
    page.wait_for_url(f"{base}/")

    # Recorded from the customer page
    page.goto(f"{base}{customer.get_absolute_url()}")
    cases_card = page.get_by_test_id("customer-cases")
    assert "Beschwerden und Servicefälle" in cases_card.inner_text()
    page.get_by_test_id("new-case").click()
    page.wait_for_url(re.compile(r"/cases/new/"))
    assert page.locator("h1").inner_text() == "Neuer Fall für Hafenkran Service GmbH"
    shot(page, "case-new")
    page.get_by_label("Art", exact=True).select_option(label="Beschwerde")
    page.get_by_label("Betreff", exact=True).fill(
        "Kran nach Wartung ohne Abnahmeprotokoll"
    )
    page.get_by_label("Priorität", exact=True).select_option(label="hoch")
    page.get_by_label("Ansprechpartner", exact=True).select_option(label="Greta Hansen")
    page.get_by_test_id("save-case").click()

    title = page.get_by_test_id("case-title")
    title.wait_for()
    case = Case.objects.get()
    assert case.number in title.inner_text()
    assert "Kran nach Wartung ohne Abnahmeprotokoll" in title.inner_text()
    assert page.get_by_test_id("case-status").inner_text() == "neu"
    assert (case.kind, case.priority, case.person.last_name) == (
        "complaint",
        "high",
        "Hansen",
    )

    # Its due times, in German (Do 10.12.2026 16:00)
    response_text, response_due = due_shown(page, "response")
    resolution_text, resolution_due = due_shown(page, "resolution")
    assert GERMAN_MOMENT.match(response_text), response_text
    assert GERMAN_MOMENT.match(resolution_text), resolution_text
    assert response_due == case.response_due_at
    assert resolution_due == case.resolution_due_at
    local_due = timezone.localtime(case.resolution_due_at)
    assert f"{local_due:%d.%m.%Y %H:%M}" in resolution_text
    # high: first response within 4, resolution within 16 business hours
    assert sla.business_time(case.opened_at, response_due, clock.calendar) == (
        timedelta(hours=4)
    )
    opened = timezone.localtime(case.opened_at)
    assert f"{opened:%d.%m.%Y %H:%M}" in page.get_by_test_id("case").inner_text()
    shot(page, "case-detail")

    # Waiting for the customer: the resolution clock stands
    before = case.resolution_due_at
    status_form = page.get_by_test_id("case-status-form")
    status_form.get_by_label("Neuer Status", exact=True).select_option(
        label="wartet auf Kunden"
    )
    status_form.get_by_test_id("save-status").click()
    page.get_by_test_id("sla-waiting").wait_for()
    assert page.get_by_test_id("case-status").inner_text() == "wartet auf Kunden"
    assert "Wartet auf den Kunden" in page.get_by_test_id("sla-waiting").inner_text()
    text, moment = due_shown(page, "resolution")
    assert (text, moment) == ("Uhr steht", None)
    # leaving "new" was the first response: that target is done
    assert page.get_by_test_id("sla-response").count() == 0
    case.refresh_from_db()
    assert case.status == "waiting" and case.resolution_due_at is None

    # 20 minutes later the customer answers: back to work
    clock.advance(WAITED)
    status_form.get_by_label("Neuer Status", exact=True).select_option(
        label="in Bearbeitung"
    )
    status_form.get_by_test_id("save-status").click()
    page.get_by_test_id("sla-waiting").wait_for(state="detached")
    assert page.get_by_test_id("case-status").inner_text() == "in Bearbeitung"
    text, moment = due_shown(page, "resolution")
    assert GERMAN_MOMENT.match(text), text
    case.refresh_from_db()
    after = case.resolution_due_at
    assert moment == after and after > before
    assert text != resolution_text  # the page shows the later moment
    # The due time moved by exactly the business time spent waiting.
    pause = CasePause.objects.get(case=case)
    waited = pause.ended_at - pause.started_at
    assert WAITED <= waited < WAITED + timedelta(minutes=5)
    assert sla.business_time(before, after, clock.calendar) == waited

    # The case page fits a phone: no sideways scrolling
    page.set_viewport_size(PHONE)
    page.reload()
    page.get_by_test_id("case-status-form").wait_for()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the case page scrolls sideways by {overflow}px at 390px"
    page.set_viewport_size(DESKTOP)

    # Resolving needs a resolution: the message stands next to the field
    status_form.get_by_label("Neuer Status", exact=True).select_option(label="gelöst")
    status_form.get_by_test_id("save-status").click()
    error = page.locator("#id_resolution_error")
    error.wait_for()
    assert "Geben Sie an, wie der Fall gelöst wurde." in error.inner_text()
    assert page.get_by_test_id("case-status").inner_text() == "in Bearbeitung"
    case.refresh_from_db()
    assert case.status == "in_progress"
    status_form.get_by_label("Neuer Status", exact=True).select_option(label="gelöst")
    status_form.get_by_label("Lösung", exact=True).fill(
        "Abnahmeprotokoll nachgereicht."
    )
    status_form.get_by_test_id("save-status").click()
    page.get_by_test_id("case-resolution").wait_for()
    assert page.get_by_test_id("case-status").inner_text() == "gelöst"
    assert "Status: gelöst." in page.locator("body").inner_text()
    case.refresh_from_db()
    assert (case.status, case.resolution) == (
        "resolved",
        "Abnahmeprotokoll nachgereicht.",
    )
    resolved = timezone.localtime(case.resolved_at)
    assert f"{resolved:%d.%m.%Y %H:%M}" in page.get_by_test_id("case").inner_text()

    page.goto(f"{base}/service/cases/?status=all")
    assert case.number in page.locator("main").inner_text()
    shot(page, "case-list")

    # A task for today from the customer page (htmx: the card, not the page)
    page.goto(f"{base}{customer.get_absolute_url()}")
    page.evaluate("window.__marker = 'same page'")
    tasks_card = page.get_by_test_id("customer-tasks")
    tasks_card.get_by_test_id("add-task").click()
    new_task = page.get_by_test_id("new-task")
    new_task.wait_for()
    today = timezone.localdate()  # the server's today
    new_task.get_by_label("Aufgabe", exact=True).fill(
        "Greta Hansen zur Abnahme anrufen"
    )
    new_task.get_by_label("Fällig am", exact=True).fill(today.isoformat())
    new_task.get_by_test_id("save-task").click()
    row = page.get_by_test_id("customer-task").filter(
        has_text="Greta Hansen zur Abnahme anrufen"
    )
    row.wait_for()
    assert page.evaluate("window.__marker") == "same page"
    assert new_task.count() == 0  # the card again, its form closed
    assert f"{today:%d.%m.%Y}" in row.inner_text()
    task = Task.objects.get(title="Greta Hansen zur Abnahme anrufen")
    assert (task.due_on, task.assignee.username) == (today, "anna")

    # ... and on her dashboard's "Meine Aufgaben"
    page.goto(f"{base}/")
    panel = page.get_by_test_id("dashboard-tasks")
    assert "Meine Aufgaben" in panel.inner_text()
    assert page.get_by_test_id("my-tasks-today").inner_text() == "heute: 1"
    mine = panel.get_by_test_id("my-task").filter(
        has_text="Greta Hansen zur Abnahme anrufen"
    )
    assert f"{today:%d.%m.%Y}" in mine.inner_text()
    assert "Hafenkran Service GmbH" in mine.inner_text()
    # every day shown there is German (dd.mm.yyyy), none ISO
    assert not re.search(r"\d{4}-\d{2}-\d{2}", panel.inner_text())
    assert GERMAN_DAY.search(panel.inner_text())

    # No script errors, no CSP refusals; Chromium notes the one refused form
    # (resolving without a resolution answers 400) as a failed load.
    refused = [e for e in page.console_errors if "status of 400" in e]
    assert len(refused) == 1
    assert [e for e in page.console_errors if e not in refused] == []
