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


def test_passwords_are_hashed_with_argon2_outside_tests():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
