from django.urls import reverse


def test_pages_carry_a_strict_content_security_policy(client_as):
    response = client_as("anna").get(reverse("accounts:dashboard"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client_as):
    html = client_as("admin").get(reverse("accounts:dashboard")).content.decode()

    assert "<script>" not in html
    assert " style=" not in html
    assert "<style" not in html


def test_passwords_are_hashed_with_argon2_outside_tests(settings):
    from django.contrib.auth.hashers import check_password, make_password

    from config.settings import base

    # The test settings hash fast; production and `make run` use base's hashers.
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    hashed = make_password("crm-demo-2026")

    assert hashed.startswith("argon2$argon2id$")
    assert check_password("crm-demo-2026", hashed) is True
