import io

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

DEMO_USERNAMES = ["anna", "ben", "maria", "dora", "admin", "carla", "moritz", "dieter"]


@pytest.fixture(autouse=True)
def _fresh_list_counts():
    """Cached list counts and choices live in Redis, beyond one test's database."""
    from django.core.cache import cache

    from crm.selectors import forget_counts

    forget_counts()
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(cache.make_key("crm:list-choices*")):
        client.delete(key)  # one per company


@pytest.fixture(autouse=True)
def _fresh_login_throttles():
    """Login back-off and reset-mail counters live in Redis, beyond one test."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    for pattern in ("login-backoff:*", "password-reset:*"):
        for key in client.scan_iter(cache.make_key(pattern)):
            client.delete(key)


@pytest.fixture
def demo(db):
    """The demo users and teams, as `make run` seeds them; returns users by name."""
    from accounts.models import User

    call_command("seed_demo", "--users-only", stdout=io.StringIO())
    return {
        user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)
    }


@pytest.fixture
def client_as(client, demo):
    """A test client signed in as the named demo user, second step passed with
    the user's own TOTP device (seed_demo gives each demo user one)."""
    from tests.support.otp import sign_in

    def signed_in(username: str):
        return sign_in(client, demo[username])

    return signed_in


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD
