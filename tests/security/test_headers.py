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


def test_pages_and_exports_with_personal_data_are_never_stored(client_as, demo):
    from tests.crm.conftest import make_customer

    customer = make_customer(demo["anna"], "Nord", name="Nordlicht GmbH")
    client = client_as("anna")

    responses = {
        "dashboard": client.get(reverse("accounts:dashboard")),
        "customer": client.get(customer.get_absolute_url()),
        "htmx partial": client.get(
            reverse("crm:customer_timeline", args=[customer.pk]), HTTP_HX_REQUEST="true"
        ),
        "CSV export": client.get(reverse("crm:customer_export")),
        "login page": client_as("anna").get(reverse("login")),
    }

    stored = {
        name: r["Cache-Control"]
        for name, r in responses.items()
        if "no-store" not in r["Cache-Control"].split(", ")
    }
    assert stored == {}


def test_every_response_has_a_permissions_and_resource_policy(client_as, settings):
    settings.WHITENOISE_USE_FINDERS = True  # static files without collectstatic
    client = client_as("anna")
    page = client.get(reverse("accounts:dashboard"))
    static = client.get("/static/css/crm.css")

    for response in (page, static):
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")  # assets stay cached
