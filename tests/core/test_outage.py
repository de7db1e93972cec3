"""Redis down: pages that need only the database work; an outage is a 503 page."""

import socket

import pytest
from django.urls import reverse

from tests.support.otp import demo_code, sign_in


def dead_redis_url() -> str:
    """A port nobody listens on: a real refused connection, not a mock."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


@pytest.fixture
def redis_down(settings):
    """Point the cache (sessions, list counts, choices) at a dead Redis."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": dead_redis_url(),
        }
    }
    caches._settings = None
    yield
    caches._settings = None


PAGES = [
    "accounts:dashboard",
    "crm:customer_list",
    "contracts:contract_list",
    "search",
]


@pytest.mark.parametrize("name", PAGES)
def test_signed_in_pages_work_while_redis_is_down(client_as, demo, redis_down, name):
    client = client_as("anna")  # the session row is in the database

    response = client.get(reverse(name), {"q": "Meier"} if name == "search" else {})

    assert response.status_code == 200
    assert response.wsgi_request.user.username == "anna"


def test_login_and_logout_work_while_redis_is_down(
    client, demo, demo_password, redis_down
):
    response = client.post(
        reverse("login"), {"username": "anna", "password": demo_password}
    )
    assert response.status_code == 302
    second = client.post(reverse("accounts:verify"), {"code": demo_code("anna")})
    assert second.status_code == 302  # the second step works without Redis too
    assert client.get(reverse("crm:customer_list")).status_code == 200

    client.post(reverse("logout"))
    assert client.get(reverse("crm:customer_list")).status_code == 302


def test_a_database_outage_is_a_503_page_in_our_layout(transactional_db, demo):
    from django.db import connection
    from django.test import Client

    client = Client(raise_request_exception=False)  # as a browser sees it
    sign_in(client, demo["anna"])
    settings_dict = connection.settings_dict
    port = settings_dict["PORT"]
    # A real refused connection: the database server moved to a dead port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    connection.close()
    settings_dict["PORT"] = dead
    settings_dict["HOST"] = "127.0.0.1"
    try:
        response = client.get(reverse("crm:customer_list"))
    finally:
        connection.close()
        settings_dict["PORT"] = port

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Vorübergehend nicht erreichbar" in body
    assert "navbar" in body  # our layout, not Django's bare "Server Error"


def test_any_other_error_is_our_500_page(client, demo, settings):
    from core.outage import server_error

    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(None)

    assert response.status_code == 500
    assert "navbar" in response.content.decode()
