"""Nobody can lock anyone out: the client address from trusted proxies only, locks
per (user, address), a per-user back-off, throttled reset e-mails."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from accounts import security
from core.clientip import client_ip

PROXY = "10.0.0.1"
STRANGER = "203.0.113.66"


def login(client, username, password, *, via_proxy_for=None, remote=None):
    """A login POST, straight or through the reverse proxy for a client address."""
    headers = {}
    if via_proxy_for:
        headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": via_proxy_for}
    elif remote:
        headers = {"REMOTE_ADDR": remote}
    return client.post(
        reverse("login"), {"username": username, "password": password}, **headers
    )


def age_backoff(username, seconds):
    """Let `seconds` pass for the back-off of `username` (no sleeping in tests)."""
    key = security._username_key(username)
    state = cache.get(key)
    cache.set(key, {**state, "last": state["last"] - seconds})


@pytest.mark.parametrize(
    ("case", "proxies", "meta", "expected"),
    [
        ("no proxy: REMOTE_ADDR", 0, {"REMOTE_ADDR": "198.51.100.7"}, "198.51.100.7"),
        (
            "no proxy: the header is not believed",
            0,
            {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "1.2.3.4"},
            "198.51.100.7",
        ),
        (
            "one proxy",
            1,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"},
            "203.0.113.5",
        ),
        (
            "one proxy, the client sent its own header",
            1,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"},
            "203.0.113.5",
        ),
        (
            "two proxies",
            2,
            {
                "REMOTE_ADDR": "10.0.0.2",
                "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5, 10.0.0.1",
            },
            "203.0.113.5",
        ),
        (
            "one proxy, not through it",
            1,
            {"REMOTE_ADDR": "10.0.0.9"},
            "10.0.0.9",
        ),
        (
            "one proxy, garbage in the header",
            1,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "<script>"},
            PROXY,
        ),
    ],
)
def test_client_ip(settings, case, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **meta)

    assert client_ip(request) == expected


def test_a_stranger_behind_the_proxy_locks_only_himself_out(
    client, demo, demo_password, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for username in ("dora", "admin"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, username, "guess", via_proxy_for=STRANGER)
        # the stranger's own attempts now stay locked, even with the password
        assert login(
            client, username, demo_password, via_proxy_for=STRANGER
        ).status_code == (429)
        age_backoff(username, settings.LOGIN_BACKOFF_MAX_SECONDS)

    # dora and admin, through the same proxy from their own addresses, get in
    for username, address in (("dora", "198.51.100.10"), ("admin", "198.51.100.11")):
        response = login(client, username, demo_password, via_proxy_for=address)
        assert response.status_code == 302
        client.post(reverse("logout"))


def test_a_spoofed_forwarded_for_does_not_escape_the_lock(client, demo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, "anna", "guess", via_proxy_for=f"1.1.1.{number}, {STRANGER}")

    again = login(client, "anna", "guess", via_proxy_for=f"9.9.9.9, {STRANGER}")

    assert again.status_code == 429


def test_guessing_from_many_addresses_is_slowed_down_not_locked(
    client, demo, demo_password, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    # the same number of failures as locks one address, each from another one
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ben", "guess", via_proxy_for=f"203.0.113.{number + 1}")

    waiting = login(client, "ben", "guess", via_proxy_for="203.0.113.99")
    owner_waiting = login(client, "ben", demo_password, via_proxy_for="198.51.100.20")
    age_backoff("ben", security.login_backoff_seconds("ben"))
    owner = login(client, "ben", demo_password, via_proxy_for="198.51.100.20")

    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "2"
    assert "Bitte warten Sie 2 Sekunden" in waiting.content.decode()
    assert owner_waiting.status_code == 429
    assert owner.status_code == 302
    assert security.login_backoff_seconds("ben") == 0  # the success ended it


def test_attempts_refused_while_waiting_do_not_lengthen_the_wait(
    client, demo, monkeypatch
):
    # The clock stands still: on a loaded machine five Argon2 logins can take
    # longer than the first two-second wait, which would let one attempt count.
    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: 1_900_000_000.0))
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ben", "guess", remote=f"203.0.113.{number + 1}")
    first = security.login_backoff_seconds("ben")

    for number in range(20):
        login(client, "ben", "guess", remote=f"198.51.100.{number + 1}")

    assert security.login_backoff_seconds("ben") <= first == 2


def test_the_back_off_grows_and_is_capped(demo):
    for _ in range(settings.LOGIN_BACKOFF_AFTER + 20):
        security.login_failure_record("maria")
    state = cache.get(security._username_key("maria"))

    waits = [
        security.login_backoff_seconds("maria", now=state["last"]),
        security.login_backoff_seconds("maria", now=state["last"] + 59),
        security.login_backoff_seconds("maria", now=state["last"] + 60),
    ]

    assert waits == [settings.LOGIN_BACKOFF_MAX_SECONDS, 1, 0]


def test_password_reset_mails_are_throttled_per_address_and_the_page_is_the_same(
    client, demo
):
    url = reverse("password_reset")
    answers = [
        client.post(url, {"email": "anna@example.com"}, REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(10)
    ]

    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("password_reset_done"))
    }


def test_password_reset_mails_are_throttled_per_client_address(client, demo):
    from accounts.models import User

    for number in range(12):
        User.objects.create_user(
            f"user{number}", email=f"user{number}@example.com", password="x" * 12
        )
    url = reverse("password_reset")

    for number in range(12):
        client.post(url, {"email": f"user{number}@example.com"}, REMOTE_ADDR=STRANGER)

    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
