import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.conftest import DEMO_USERNAMES
from tests.support.otp import demo_code


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_demo_user_can_log_in_and_lands_on_the_dashboard(
    client, demo, demo_password, username
):
    response = post_login(client, username, demo_password)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    # then the second step, with the code of the demo user's authenticator app
    second = client.post(reverse("accounts:verify"), {"code": demo_code(username)})

    assert second["Location"] == reverse("accounts:dashboard")
    page = client.get(reverse("accounts:dashboard"))
    assert page.status_code == 200
    assert page.context["user"].username == username


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, demo):
    response = post_login(client, "anna", "not-her-password")

    assert response.status_code == 200
    assert b'data-testid="login-error"' in response.content
    assert "_auth_user_id" not in client.session


def test_login_error_is_german_by_default_and_english_on_request(client, demo):
    german = post_login(client, "anna", "wrong")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = post_login(client, "anna", "wrong")

    assert (
        "Beide Felder berücksichtigen die Groß-/Kleinschreibung"
        in german.content.decode()
    )
    assert "Please enter a correct username" in english.content.decode()


def test_lockout_after_the_configured_failures_is_enforced_and_logged(
    client, demo, demo_password, caplog
):
    limit = settings.AXES_FAILURE_LIMIT
    with caplog.at_level(logging.WARNING, logger="crm.security"):
        statuses = [
            post_login(client, "anna", "wrong").status_code for _ in range(limit)
        ]
        # The right password no longer helps once the pair (anna, address) is locked.
        locked = post_login(client, "anna", demo_password)

    assert statuses[:-1] == [200] * (limit - 1)
    assert statuses[-1] == 429
    assert locked.status_code == 429
    assert b'data-testid="locked-out"' in locked.content
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="anna")
    assert attempt.failures_since_start >= limit
    assert AccessFailureLog.objects.filter(username="anna").count() >= limit
    logged = [r.getMessage() for r in caplog.records if r.name == "crm.security"]
    assert logged  # one line per refused attempt while locked
    assert set(logged) == {
        "login locked out after repeated failures (see axes access attempts)"
    }


def test_lockout_of_one_user_leaves_the_others_alone(client, demo, demo_password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "anna", "wrong")

    assert post_login(client, "ben", demo_password).status_code == 302


def test_logout_needs_post_and_ends_the_session(client_as):
    client = client_as("anna")

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_refuses_a_weak_password_and_accepts_a_strong_one(
    client_as, demo_password
):
    client = client_as("anna")
    url = reverse("password_change")

    weak = client.post(
        url,
        {"old_password": demo_password, "new_password1": "123", "new_password2": "123"},
    )
    strong = "Kundenbuch-sicher-2026!"
    done = client.post(
        url,
        {
            "old_password": demo_password,
            "new_password1": strong,
            "new_password2": strong,
        },
    )

    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]
    assert b"invalid-feedback" in weak.content
    assert done.status_code == 302
    client.post(reverse("logout"))
    assert post_login(client, "anna", strong).status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, demo):
    client.post(reverse("password_reset"), {"email": "anna@example.com"})

    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    new = "Neues-Passwort-2026!"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )

    assert done.status_code == 302
    assert post_login(client, "anna", new).status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, demo
):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []
