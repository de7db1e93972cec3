"""Sessions: idle and absolute timeouts, the user's list of sessions, ending them."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import User, UserSession
from accounts.selectors import describe_agent
from accounts.sessions import CLIENT_KEY, reference_of, timed_out
from tests.support.otp import mark_verified

FIREFOX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def browser(username: str, password: str, *, agent: str = FIREFOX, **meta) -> Client:
    """A browser of its own, signed in through the login page, and past the
    second step with the user's own device (several browsers of one user sign
    in within one TOTP period, and a code works only once)."""
    client = Client(headers={"User-Agent": agent}, **meta)
    response = client.post(
        reverse("login"), {"username": username, "password": password}
    )
    assert response.status_code == 302
    mark_verified(client, User.objects.get(username=username))
    return client


def key_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def signed_in(client: Client) -> bool:
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code in (200, 302)
    return response.status_code == 200


def rewind(client: Client, *, seen: int = 0, signed_in: int = 0) -> None:
    """Move the session's last use and login this many seconds into the past, as
    time passing would (saved through the engine, like a request saves it)."""
    session = client.session
    notes = dict(session[CLIENT_KEY])
    notes["seen"] -= seen
    notes["signed_in"] -= signed_in
    session[CLIENT_KEY] = notes
    session.save()


# --- The policy ------------------------------------------------------------------

IDLE, ABSOLUTE = 30 * 60, 12 * 60 * 60


@pytest.mark.parametrize(
    ("case", "idle_for", "signed_in_for", "expected"),
    [
        ("just used", 0, 0, False),
        ("idle a second short of the timeout", IDLE - 1, IDLE - 1, False),
        ("idle for the timeout", IDLE, IDLE, True),
        ("busy all day, a second short", 0, ABSOLUTE - 1, False),
        ("busy all day, the absolute timeout", 0, ABSOLUTE, True),
    ],
)
def test_timed_out(case, idle_for, signed_in_for, expected):
    now = 1_800_000_000
    notes = {"seen": now - idle_for, "signed_in": now - signed_in_for}
    assert timed_out(notes, now=now) is expected


def test_the_defaults_are_30_minutes_idle_and_12_hours_absolute():
    assert (settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT) == (
        IDLE,
        ABSOLUTE,
    )
    assert settings.SESSION_COOKIE_AGE == ABSOLUTE


def test_idle_timeout_ends_the_session_and_the_login_page_says_so(demo, demo_password):
    client = browser("anna", demo_password)
    rewind(client, seen=IDLE - 120)
    assert signed_in(client) is True  # 28 minutes idle: still in

    rewind(client, seen=IDLE + 1)
    response = client.get(reverse("crm:customer_list"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert response.wsgi_request.user.is_authenticated is False
    assert "Ihre Sitzung ist abgelaufen oder wurde beendet" in response.content.decode()
    assert signed_in(client) is False


def test_absolute_timeout_ends_a_session_in_use_all_the_time(demo, demo_password):
    client = browser("anna", demo_password)
    rewind(client, signed_in=ABSOLUTE - 120)
    assert signed_in(client) is True

    rewind(client, signed_in=ABSOLUTE + 1)  # last used a moment ago

    assert signed_in(client) is False


def test_the_timeouts_hold_even_where_the_row_says_otherwise(demo, demo_password):
    """The row's expire_date refuses an expired session in the reading query; the
    middleware checks the session's own notes as well."""
    client = browser("anna", demo_password)
    rewind(client, seen=IDLE + 1)
    UserSession.objects.filter(session_key=key_of(client)).update(
        expire_date="2100-01-01T00:00Z"
    )

    assert signed_in(client) is False
    assert UserSession.objects.filter(user__username="anna").exists() is False


def test_a_new_login_starts_the_absolute_timeout_again(demo, demo_password):
    client = browser("anna", demo_password)
    rewind(client, signed_in=ABSOLUTE - 60)

    client.post(reverse("login"), {"username": "anna", "password": demo_password})

    notes = client.session[CLIENT_KEY]
    assert time.time() - notes["signed_in"] < 60


def test_last_use_is_written_at_most_once_a_minute(demo, demo_password):
    client = browser("anna", demo_password)
    row = UserSession.objects.get(session_key=key_of(client))

    def writes() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:dashboard")).status_code == 200
        return [
            query["sql"]
            for query in queries
            if query["sql"].startswith("UPDATE")
            and "accounts_usersession" in query["sql"]
        ]

    assert writes() == []  # just signed in
    assert writes() == []
    rewind(client, seen=61)
    assert len(writes()) == 1
    assert writes() == []
    touched = UserSession.objects.get(session_key=key_of(client))
    assert touched.last_seen >= row.last_seen
    assert touched.expire_date > touched.last_seen


def test_a_disabled_user_is_signed_out_at_the_next_request(demo, demo_password):
    client = browser("anna", demo_password)
    demo["anna"].is_active = False
    demo["anna"].save(update_fields=["is_active"])

    assert signed_in(client) is False


# --- The list and ending sessions ---------------------------------------------------


def test_the_list_shows_device_address_and_last_use_of_own_sessions_only(
    demo, demo_password, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    laptop = browser(
        "anna", demo_password, agent=FIREFOX,
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )  # fmt: skip
    browser("anna", demo_password, agent=IPHONE, REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.8")  # fmt: skip
    browser("ben", demo_password, agent=FIREFOX, REMOTE_ADDR="203.0.113.99")

    response = laptop.get(reverse("accounts:session_list"))

    rows = response.context["sessions"]
    assert [(row.browser, row.system, row.device, row.ip_address) for row in rows] == [
        ("Firefox 128", "Windows 10", "", "203.0.113.7"),  # the current one first
        ("Mobile Safari 17", "iOS 17", "iPhone", "203.0.113.8"),
    ]
    assert [row.current for row in rows] == [True, False]
    assert all(row.last_seen and row.signed_in_at for row in rows)
    page = response.content.decode()
    assert "203.0.113.99" not in page
    assert key_of(laptop) not in page  # the key is the credential: never shown
    assert "Aktive Sitzungen" in page


def test_the_user_menu_leads_to_the_list(client_as):
    page = client_as("anna").get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{reverse("accounts:session_list")}"' in page


def test_the_list_speaks_english_to_an_english_user(demo, demo_password):
    demo["anna"].language = "en"
    demo["anna"].save(update_fields=["language"])
    page = browser("anna", demo_password).get(reverse("accounts:session_list"))

    assert "Active sessions" in page.content.decode()
    assert "You are not signed in anywhere else." in page.content.decode()


def test_end_other_sessions_signs_the_others_out_at_their_next_request(
    demo, demo_password
):
    here = browser("anna", demo_password)
    phone = browser("anna", demo_password, agent=IPHONE)
    tablet = browser("anna", demo_password)
    colleague = browser("ben", demo_password)

    response = here.post(reverse("accounts:session_end_others"), follow=True)

    assert "2 andere Sitzungen beendet." in response.content.decode()
    assert (signed_in(here), signed_in(phone), signed_in(tablet)) == (
        True,
        False,
        False,
    )
    assert signed_in(colleague) is True
    assert list(
        UserSession.objects.filter(user=demo["anna"]).values_list(
            "session_key", flat=True
        )
    ) == [key_of(here)]


def test_one_other_session_can_be_ended(demo, demo_password):
    here = browser("anna", demo_password)
    phone = browser("anna", demo_password, agent=IPHONE)
    tablet = browser("anna", demo_password)

    response = here.post(
        reverse("accounts:session_end", args=[reference_of(key_of(phone))])
    )

    assert response.status_code == 302
    assert (signed_in(here), signed_in(phone), signed_in(tablet)) == (True, False, True)


def test_another_users_session_cannot_be_ended_and_stays(demo, demo_password):
    anna = browser("anna", demo_password)
    ben = browser("ben", demo_password)

    by_reference = anna.post(
        reverse("accounts:session_end", args=[reference_of(key_of(ben))])
    )
    by_key = anna.post(reverse("accounts:session_end", args=[key_of(ben)]))
    unknown = anna.post(reverse("accounts:session_end", args=["0" * 32]))
    own_current = anna.post(
        reverse("accounts:session_end", args=[reference_of(key_of(anna))])
    )

    assert [r.status_code for r in (by_reference, by_key, unknown, own_current)] == [
        404, 404, 404, 404,
    ]  # fmt: skip
    assert (signed_in(anna), signed_in(ben)) == (True, True)


def test_changing_the_password_ends_the_other_sessions_server_side(demo, demo_password):
    here = browser("anna", demo_password)
    phone = browser("anna", demo_password, agent=IPHONE)
    colleague = browser("ben", demo_password)
    new = "Kundenbuch-sicher-2026!"

    done = here.post(
        reverse("password_change"),
        {"old_password": demo_password, "new_password1": new, "new_password2": new},
    )

    assert done.status_code == 302
    assert signed_in(here) is True  # a new key, the same session
    rows = UserSession.objects.filter(user=demo["anna"])
    assert list(rows.values_list("session_key", flat=True)) == [key_of(here)]
    assert signed_in(phone) is False
    assert signed_in(colleague) is True


def test_a_password_reset_by_e_mail_ends_every_session(demo, demo_password):
    from django.core import mail

    phone = browser("anna", demo_password, agent=IPHONE)
    stranger = Client()
    stranger.post(reverse("password_reset"), {"email": "anna@example.com"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    form = stranger.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    new = "Neues-Passwort-2026!"
    stranger.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )

    assert signed_in(phone) is False
    assert UserSession.objects.filter(user=demo["anna"]).exists() is False


def test_end_sessions_for_other_callers_keeps_only_the_named_one(demo, demo_password):
    """The service the second-factor reset (and a disabled account) calls."""
    first = browser("anna", demo_password)
    browser("anna", demo_password)
    browser("ben", demo_password)

    assert services.end_sessions(demo["anna"], except_key=key_of(first)) == 1
    assert services.end_sessions(demo["anna"]) == 1
    assert services.end_sessions(demo["anna"]) == 0
    assert UserSession.objects.filter(user=demo["ben"]).count() == 1


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (FIREFOX, ("Firefox 128", "Windows 10", "")),
        (IPHONE, ("Mobile Safari 17", "iOS 17", "iPhone")),
        ("", ("", "", "")),
        ("curl/8.5.0", ("curl 8", "", "")),
    ],
    ids=["firefox", "iphone", "none", "curl"],
)
def test_describe_agent(agent, expected):
    assert describe_agent(agent) == expected


def test_the_nightly_task_deletes_ended_sessions_only(demo, demo_password):
    from accounts.tasks import sessions_clear_task

    ended = browser("anna", demo_password)
    rewind(ended, seen=IDLE + 1)
    kept = browser("ben", demo_password)

    assert sessions_clear_task.apply().get() == {"deleted": 1}
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        key_of(kept)
    ]


def test_the_service_refuses_to_end_another_users_session(demo, demo_password):
    """Called directly (an API, a command), not only behind the selector's 404."""
    from core.errors import PermissionRefused

    ben = browser("ben", demo_password)
    row = UserSession.objects.get(session_key=key_of(ben))

    with pytest.raises(PermissionRefused):
        services.session_end(session=row, actor=demo["anna"])
    assert signed_in(ben) is True
