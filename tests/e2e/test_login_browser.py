import io
import re

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from tests.support.otp import demo_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    call_command("seed_demo", "--users-only", stdout=io.StringIO())


def log_in(page, base_url, username):
    """Password, then the code of the user's authenticator app (the demo secret)."""
    page.goto(f"{base_url}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.fill("input[name=code]", demo_code(username))
    page.get_by_test_id("verify-submit").click()


def test_anna_logs_in_lands_on_dashboard_and_switches_language(
    page, live_server, seeded
):
    log_in(page, live_server.url, "anna")

    page.wait_for_url(f"{live_server.url}/")
    heading = page.get_by_test_id("dashboard-heading")
    assert heading.inner_text() == "Willkommen, Anna"
    assert page.locator("html").get_attribute("lang") == "de"
    nav = page.get_by_test_id("main-nav")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Übersicht",
        "Kunden",
        "Verträge",
        "Fälle",
        "Aufgaben",
    ]

    page.get_by_test_id("language-en").click()
    page.wait_for_load_state()
    assert heading.inner_text() == "Welcome, Anna"
    assert page.locator("html").get_attribute("lang") == "en"
    assert nav.get_by_role("link").all_inner_texts() == [
        "Dashboard",
        "Customers",
        "Contracts",
        "Cases",
        "Tasks",
    ]

    page.get_by_test_id("language-de").click()
    page.wait_for_load_state()
    assert heading.inner_text() == "Willkommen, Anna"
    # No script or style was blocked by the Content-Security-Policy.
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_user_menu_opens_and_shows_role_and_team(page, live_server, seeded):
    log_in(page, live_server.url, "anna")
    page.wait_for_url(f"{live_server.url}/")

    menu = page.get_by_test_id("user-menu")
    menu.get_by_role("button").click()

    text = menu.inner_text()
    assert re.search(r"Rolle:\s*Mitarbeiter", text)
    assert re.search(r"Team:\s*Nord", text)


def test_wrong_password_in_the_browser_shows_the_error(page, live_server, seeded):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", "falsch")
    page.get_by_test_id("login-submit").click()

    error = page.get_by_test_id("login-error")
    error.wait_for()
    assert "Passwort" in error.inner_text()
