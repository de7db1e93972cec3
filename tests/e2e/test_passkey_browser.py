"""Passkeys in a real browser: Chromium's virtual authenticator (the WebAuthn
domain of the DevTools protocol) stands in for a security key or a phone."""

import io
import re

import pytest
from django.core.management import call_command
from django_otp_webauthn.models import WebAuthnCredential

from accounts.demo import DEMO_PASSWORD
from accounts.models import User

from .test_login_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    call_command("seed_demo", "--users-only", stdout=io.StringIO())


@pytest.fixture
def authenticator(page):
    """A virtual platform authenticator that says yes (user present, verified)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.disable")


def test_a_passkey_is_added_on_the_security_page_and_passes_the_second_step(
    page, live_server, seeded, settings, authenticator
):
    cdp, authenticator_id = authenticator
    base = live_server.url
    assert base.startswith("http://localhost:")  # WebAuthn refuses IP addresses
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [base]

    # dora signs in with password and TOTP, then adds a passkey
    log_in(page, base, "dora")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/security/")
    page.get_by_test_id("passkey-add").click()
    page.get_by_test_id("factor-passkey").wait_for()
    dora = User.objects.get(username="dora")
    assert WebAuthnCredential.objects.filter(user=dora, confirmed=True).count() == 1
    credentials = cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator_id}
    )["credentials"]
    assert len(credentials) == 1
    assert page.get_by_test_id("recovery-code").count() == 10
    history = dora.history.order_by("-history_id").first()
    assert history.history_change_reason == "Zweiter Faktor hinzugefügt: Passkey"

    # logged out and in again: the password, then the passkey instead of a code
    page.get_by_test_id("user-menu").get_by_role("button").click()
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto(f"{base}/compliance/")
    page.fill("input[name=username]", "dora")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/accounts/verify/\?next=%2Fcompliance%2F"))
    page.get_by_test_id("passkey-verify").click()

    page.wait_for_url(f"{base}/compliance/")
    assert page.get_by_role("heading", level=1).count() >= 1
    used = WebAuthnCredential.objects.get(user=dora)
    assert used.last_used_at is not None
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
