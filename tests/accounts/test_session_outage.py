"""A session ended while Redis is down stays ended when Redis comes back with its
data (the cached_db engine kept the cache entry, and the old cookie was signed in
again: issue 11, point 14)."""

import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.support.otp import demo_code
from tests.support.redis_server import RedisServer


def _answers(cache, key: str):
    """The cached value once the restarted Redis answers (it may be loading)."""
    for _ in range(100):
        try:
            return cache.get(key)
        except Exception:  # connection refused, or BusyLoadingError
            time.sleep(0.05)
    raise AssertionError("the restarted Redis does not answer")


@pytest.mark.slow
def test_logout_during_a_redis_outage_is_not_undone_when_redis_returns(
    tmp_path, settings, client, demo, demo_password
):
    from django.core.cache import cache

    redis = RedisServer(tmp_path)
    redis.start()
    # The app's cache (and whatever it keeps there) on a Redis of the test's own.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
        }
    }
    try:
        signed_in = client.post(
            reverse("login"), {"username": "anna", "password": demo_password}
        )
        assert signed_in.status_code == 302
        second = client.post(reverse("accounts:verify"), {"code": demo_code("anna")})
        assert second.status_code == 302
        assert client.get(reverse("crm:customer_list")).status_code == 200
        old_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        cache.set("outage-canary", "kept", None)

        redis.shut_down_keeping_data()
        # Logout while Redis is down: the page still works.
        assert client.post(reverse("logout")).status_code == 302
        redis.start()  # same port, same folder: the data is back
        assert _answers(cache, "outage-canary") == "kept"

        old = Client()
        old.cookies[django_settings.SESSION_COOKIE_NAME] = old_cookie
        response = old.get(reverse("crm:customer_list"))
    finally:
        redis.kill()

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
