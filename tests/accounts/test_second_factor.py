"""The second factor: who needs it, TOTP and recovery codes, the lockout of the
second step, enrolment, the security page and the Admin's reset.

The pages behind it (every route of the resolver and of the Django admin) are in
tests/test_route_matrix.py (test_no_page_before_the_second_step); passkeys in a
real browser in tests/e2e/test_passkey_browser.py.
"""

import io
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import factors, security, services
from accounts.demo import DEMO_TOTP_SECRETS, DEMO_USERS
from accounts.models import User
from core import outbox
from core.models import OutboxMessage
from tests.conftest import DEMO_USERNAMES
from tests.support.otp import demo_code, totp_code

README = Path(settings.BASE_DIR) / "README.md"


def password_login(client, username, password, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, **extra
    )


def second_step(client, code, **extra):
    return client.post(reverse("accounts:verify"), {"code": code}, **extra)


def unthrottle(user):
    """Let django-otp's wait after a wrong code pass (no sleeping in tests); the
    count of wrong codes stays."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- The demo users' devices ------------------------------------------------------


def test_every_demo_user_has_a_confirmed_totp_device_of_the_demo_secret(demo):
    call_command("seed_demo", "--users-only", stdout=io.StringIO())  # again: kept

    for username in DEMO_USERNAMES:
        devices = TOTPDevice.objects.filter(user=demo[username])
        assert devices.count() == 1
        device = devices.get()
        assert device.confirmed is True
        assert device.key == factors.totp_key(DEMO_TOTP_SECRETS[username])
        assert device.verify_token(demo_code(username)) is True


def test_the_readme_shows_each_demo_users_secret_on_their_row():
    text = README.read_text()
    for demo_user in DEMO_USERS:
        rows = [
            line
            for line in text.splitlines()
            if line.startswith(f"| {demo_user.username} ")
        ]
        assert len(rows) == 1, demo_user.username
        assert f"`{demo_user.totp_secret}`" in rows[0]
        assert re.fullmatch(r"[A-Z2-7]{32}", demo_user.totp_secret)


def test_the_make_run_banner_names_the_second_factor():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "oathtool --totp -b" in makefile


# --- Who needs the second step ----------------------------------------------------


@pytest.mark.parametrize("username", ["maria", "dora", "admin"])
def test_managers_dpo_and_admins_need_the_second_step_after_the_password(
    client, demo, demo_password, username
):
    response = password_login(client, username, demo_password)
    assert response.status_code == 302
    page = client.get(reverse("accounts:dashboard"))

    assert page.status_code == 302
    assert page["Location"] == f"{reverse('accounts:verify')}?next=%2F"
    assert verified(client) is False


def test_anna_without_a_factor_logs_in_with_her_password_alone(
    client, demo, demo_password
):
    TOTPDevice.objects.filter(user=demo["anna"]).delete()

    password_login(client, "anna", demo_password)

    assert client.get(reverse("crm:customer_list")).status_code == 200


def test_anna_with_a_factor_uses_it(client, demo, demo_password):
    password_login(client, "anna", demo_password)

    assert client.get(reverse("crm:customer_list")).status_code == 302
    second_step(client, demo_code("anna"))
    assert client.get(reverse("crm:customer_list")).status_code == 200


def test_when_the_setting_requires_it_for_staff_anna_must_enrol_first(
    client, demo, demo_password, settings
):
    settings.OTP_REQUIRED_ROLES = ["Staff", "Manager", "DPO", "Admin"]
    TOTPDevice.objects.filter(user=demo["anna"]).delete()
    password_login(client, "anna", demo_password)

    response = client.get(reverse("crm:customer_list"))

    security_url = reverse("accounts:security")
    assert response["Location"] == f"{security_url}?next=%2Fcustomers%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-testid="enrolment-required"' in page.content
    # nothing else while she has no factor: not even the password change
    assert client.get(reverse("password_change")).status_code == 302


def test_nobody_needs_it_when_the_setting_names_no_role(
    client, demo, demo_password, settings
):
    settings.OTP_REQUIRED_ROLES = []
    TOTPDevice.objects.filter(user=demo["dora"]).delete()
    password_login(client, "dora", demo_password)

    assert client.get(reverse("compliance:index")).status_code == 200
    assert client.get("/admin/").status_code == 302  # dora is no Admin


# --- TOTP and recovery codes --------------------------------------------------------


def test_the_right_code_completes_the_login_and_goes_on_to_next(
    client, demo, demo_password
):
    password_login(client, "dora", demo_password)
    before = client.session.session_key

    response = client.post(
        reverse("accounts:verify"),
        {"code": demo_code("dora"), "next": reverse("compliance:index")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("compliance:index")
    assert verified(client) is True
    assert client.session.session_key != before  # a new key for the verified session
    assert client.get(reverse("compliance:index")).status_code == 200


def test_a_wrong_code_is_refused_next_to_the_field(client, demo, demo_password):
    password_login(client, "dora", demo_password)
    right = demo_code("dora")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = second_step(client, wrong)

    assert response.status_code == 200
    assert (
        "Dieser Code ist falsch oder wurde schon benutzt." in response.content.decode()
    )
    assert verified(client) is False
    assert client.get(reverse("compliance:index")).status_code == 302


def test_a_code_from_an_hour_ago_is_refused(client, demo, demo_password):
    password_login(client, "dora", demo_password)

    response = second_step(client, demo_code("dora", steps=-120))

    assert response.status_code == 200
    assert verified(client) is False


def test_a_code_used_once_is_refused_the_second_time(client, demo, demo_password):
    code = demo_code("dora")
    password_login(client, "dora", demo_password)
    assert second_step(client, code).status_code == 302
    client.post(reverse("logout"))

    password_login(client, "dora", demo_password)
    again = second_step(client, code)

    assert again.status_code == 200
    assert "schon benutzt" in again.content.decode()
    assert verified(client) is False


def test_the_next_code_after_a_used_one_works(client, demo, demo_password):
    password_login(client, "dora", demo_password)
    assert second_step(client, demo_code("dora")).status_code == 302
    client.post(reverse("logout"))

    password_login(client, "dora", demo_password)

    assert second_step(client, demo_code("dora", steps=1)).status_code == 302


def test_each_recovery_code_works_once(client, demo, demo_password):
    dora = demo["dora"]
    codes = services.recovery_codes_renew(user=dora, actor=dora)
    assert len(codes) == settings.OTP_RECOVERY_CODES == 10
    shown = factors.format_recovery_code(codes[0])  # as the page shows it

    password_login(client, "dora", demo_password)
    first = second_step(client, shown.upper())
    assert first.status_code == 302
    assert verified(client) is True
    client.post(reverse("logout"))

    password_login(client, "dora", demo_password)
    again = second_step(client, shown)

    assert again.status_code == 200
    assert verified(client) is False
    assert StaticToken.objects.filter(device__user=dora).count() == 9
    unthrottle(dora)
    assert second_step(client, codes[1]).status_code == 302


def test_after_a_recovery_code_the_user_is_told_how_many_are_left(
    client, demo, demo_password
):
    dora = demo["dora"]
    codes = services.recovery_codes_renew(user=dora, actor=dora)
    password_login(client, "dora", demo_password)

    response = second_step(client, codes[0], follow=True)

    assert "Sie haben einen Wiederherstellungscode benutzt; 9 sind übrig." in (
        response.content.decode()
    )


def test_new_recovery_codes_replace_the_old_ones(client_as, demo):
    dora = demo["dora"]
    old = services.recovery_codes_renew(user=dora, actor=dora)
    client = client_as("dora")

    response = client.post(reverse("accounts:recovery_codes_renew"))

    assert response.status_code == 302
    new = set(
        StaticToken.objects.filter(device__user=dora).values_list("token", flat=True)
    )
    assert len(new) == 10 and not new & set(old)
    page = client.get(reverse("accounts:security")).content.decode()
    assert all(factors.format_recovery_code(code) in page for code in new)


# --- The lockout covers the second step --------------------------------------------


def test_wrong_codes_count_as_failed_logins_and_lock_the_pair(
    client, demo, demo_password
):
    dora = demo["dora"]
    password_login(client, "dora", demo_password)
    statuses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        unthrottle(dora)
        statuses.append(second_step(client, "000000").status_code)

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert AccessAttempt.objects.get(username="dora").failures_since_start == 5
    assert "_auth_user_id" not in client.session  # signed out
    # the pair stays locked: the password alone no longer gets in either
    locked = password_login(client, "dora", demo_password)
    assert locked.status_code == 429
    assert b'data-testid="locked-out"' in locked.content


def test_a_new_password_login_does_not_reset_the_count_of_wrong_codes(
    client, demo, demo_password
):
    dora = demo["dora"]
    for _ in range(2):
        password_login(client, "dora", demo_password)
        for _ in range(2):
            unthrottle(dora)
            assert second_step(client, "000000").status_code == 200
        client.post(reverse("logout"))

    password_login(client, "dora", demo_password)
    unthrottle(dora)

    assert second_step(client, "000000").status_code == 429
    assert AccessAttempt.objects.get(username="dora").failures_since_start == 5


def test_the_passed_second_step_resets_the_count(client, demo, demo_password):
    dora = demo["dora"]
    password_login(client, "dora", demo_password)
    unthrottle(dora)
    second_step(client, "000000")
    unthrottle(dora)

    assert second_step(client, demo_code("dora")).status_code == 302

    assert AccessAttempt.objects.filter(username="dora").exists() is False
    assert security.login_backoff_seconds("dora") == 0


def test_wrong_codes_from_many_addresses_start_the_per_user_back_off(
    client, demo, demo_password, settings
):
    dora = demo["dora"]
    for number in range(settings.LOGIN_BACKOFF_AFTER):
        address = {"REMOTE_ADDR": f"203.0.113.{number + 1}"}
        password_login(client, "dora", demo_password, **address)
        unthrottle(dora)
        second_step(client, "000000", **address)
        client.post(reverse("logout"))

    # dora herself, from her own address: the password waits too
    waiting = password_login(client, "dora", demo_password, REMOTE_ADDR="198.51.100.9")

    assert security.login_backoff_seconds("dora") > 0
    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "2"


def test_a_running_back_off_refuses_the_second_step_too(client, demo, demo_password):
    password_login(client, "dora", demo_password)
    for _ in range(settings.LOGIN_BACKOFF_AFTER):
        security.login_failure_record("dora")  # failures from other addresses

    waiting = second_step(client, demo_code("dora"))

    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "2"
    assert "_auth_user_id" not in client.session


def test_a_code_sent_while_the_factor_waits_is_not_checked_nor_counted(
    client, demo, demo_password
):
    password_login(client, "dora", demo_password)
    second_step(client, "000000")

    too_soon = second_step(client, demo_code("dora"))  # within django-otp's 1 s

    assert too_soon.status_code == 200
    assert "bitte warten Sie 1 Sekunde" in too_soon.content.decode()
    assert verified(client) is False
    assert AccessAttempt.objects.get(username="dora").failures_since_start == 1


# --- Enrolment and the security page ------------------------------------------------


def test_enrolling_an_authenticator_app_with_its_first_code(
    client, demo, demo_password, settings
):
    anna = demo["anna"]
    settings.OTP_REQUIRED_ROLES = ["Staff"]
    TOTPDevice.objects.filter(user=anna).delete()
    password_login(client, "anna", demo_password)
    page = client.get(reverse("accounts:totp_add"), {"next": "/customers/"})
    secret = "".join(page.context["secret_groups"])
    assert "<svg" in page.content.decode()  # the QR code, rendered on the server
    assert secret in factors.totp_uri(secret=secret, account="anna")

    wrong = client.post(
        reverse("accounts:totp_add"), {"name": "Telefon", "code": "12345"}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"]
    response = client.post(
        reverse("accounts:totp_add"),
        {"name": "Telefon", "code": totp_code(secret), "next": "/customers/"},
    )

    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('accounts:security')}?next=%2Fcustomers%2F"
    )
    device = TOTPDevice.objects.get(user=anna)
    assert (device.name, device.confirmed) == ("Telefon", True)
    assert verified(client) is True
    assert StaticToken.objects.filter(device__user=anna).count() == 10
    assert client.get("/customers/").status_code == 200
    history = anna.history.order_by("-history_id").first()
    assert history.history_change_reason == "Zweiter Faktor hinzugefügt: Telefon"


def test_the_security_page_shows_factors_and_recovery_codes(client_as, demo):
    dora = demo["dora"]
    services.recovery_codes_renew(user=dora, actor=dora)

    page = client_as("dora").get(reverse("accounts:security"))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="factor-totp"') == 1
    assert html.count('data-testid="recovery-code"') == 10
    assert "otp_webauthn_register.js" in html
    assert 'type="application/json"' in html  # the passkey script's configuration


def test_the_security_page_is_in_the_user_menu(client_as):
    page = client_as("anna").get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{reverse("accounts:security")}"' in page
    assert ">Sicherheit<" in page


def test_the_last_factor_stays_where_the_role_requires_one(client_as, demo):
    dora = demo["dora"]
    device = TOTPDevice.objects.get(user=dora)
    client = client_as("dora")

    response = client.post(
        reverse("accounts:factor_remove", args=["totp", device.pk]), follow=True
    )

    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert "Ihre Rolle verlangt einen zweiten Faktor" in response.content.decode()


def test_anna_may_remove_her_only_factor_and_its_recovery_codes_go_with_it(
    client_as, demo
):
    anna = demo["anna"]
    services.recovery_codes_renew(user=anna, actor=anna)
    device = TOTPDevice.objects.get(user=anna)

    client_as("anna").post(reverse("accounts:factor_remove", args=["totp", device.pk]))

    assert factors.has_factor(anna) is False
    assert StaticDevice.objects.filter(user=anna).exists() is False


def test_nobody_removes_another_users_factor(client_as, demo):
    device = TOTPDevice.objects.get(user=demo["anna"])

    response = client_as("ben").post(
        reverse("accounts:factor_remove", args=["totp", device.pk])
    )

    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize(
    "name", ["accounts:verify", "accounts:security", "accounts:totp_add"]
)
def test_the_second_factor_pages_have_no_inline_script_or_style(
    client, client_as, demo, demo_password, name
):
    if name == "accounts:verify":
        password_login(client, "dora", demo_password)
    else:
        client = client_as("dora")
    html = client.get(reverse(name)).content.decode()

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    assert "<style" not in html


# --- The Admin resets a user's factors ------------------------------------------


def test_an_admin_resets_a_users_factors_audited_and_the_user_is_told(
    client_as, demo, django_capture_on_commit_callbacks
):
    dora, admin = demo["dora"], demo["admin"]
    services.recovery_codes_renew(user=dora, actor=dora)
    client = client_as("admin")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("accounts:factors_reset", args=[dora.pk]))

    assert response.status_code == 302
    assert factors.has_factor(dora) is False
    assert StaticDevice.objects.filter(user=dora).exists() is False
    history = dora.history.order_by("-history_id").first()
    assert history.history_user == admin
    assert (
        history.history_change_reason
        == "Zweite Faktoren von einem Administrator zurückgesetzt"
    )
    message = OutboxMessage.objects.get(kind=services.FACTORS_RESET)
    assert (message.object_id, message.recipient_id) == (history.history_id, dora.pk)
    assert outbox.deliver() == 1
    sent = mail.outbox[-1]
    assert sent.to == ["dora@example.com"]
    assert sent.subject == "Ihre zweiten Faktoren wurden zurückgesetzt"
    assert "Adam Admin hat die zweiten Faktoren Ihres Kontos" in sent.body
    assert "/accounts/security/" in sent.body


def test_after_the_reset_dora_must_enrol_again(client, demo, demo_password):
    services.factors_reset(user=demo["dora"], actor=demo["admin"])
    password_login(client, "dora", demo_password)

    response = client.get(reverse("compliance:index"))

    assert response["Location"].startswith(reverse("accounts:security"))


def test_a_reset_ends_the_users_sessions(client_as, demo):
    client = client_as("dora")
    assert client.get(reverse("compliance:index")).status_code == 200

    services.factors_reset(user=demo["dora"], actor=demo["admin"])

    response = client.get(reverse("compliance:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_factor_gone_ends_the_verification_it_gave(client_as, demo):
    client = client_as("dora")
    assert client.get(reverse("compliance:index")).status_code == 200

    TOTPDevice.objects.filter(user=demo["dora"]).update(confirmed=False)

    response = client.get(reverse("compliance:index"))
    assert response["Location"].startswith(reverse("accounts:security"))


@pytest.mark.parametrize("username", ["anna", "maria", "dora"])
def test_only_an_admin_resets_factors(client_as, demo, username):
    response = client_as(username).post(
        reverse("accounts:factors_reset", args=[demo["ben"].pk])
    )

    assert response.status_code == 403
    assert factors.has_factor(demo["ben"]) is True


def test_the_reset_service_refuses_anyone_but_an_admin(demo):
    from core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.factors_reset(user=demo["ben"], actor=demo["maria"])


def test_the_administration_page_offers_the_reset(client_as):
    page = client_as("admin").get(reverse("accounts:administration"))
    assert b'data-testid="factors-reset-dora"' in page.content


def test_the_django_admin_site_refuses_a_session_without_the_second_step(demo):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="admin")
    request.user.is_verified = lambda: False

    assert admin.site.has_permission(request) is False
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request) is True
