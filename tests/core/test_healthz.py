import socket

import pytest


def test_healthz_reports_database_and_redis_without_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_redis_is_down(client, db, settings):
    # A port nobody listens on: a real refused connection, not a mock.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{dead_port}/0",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")
    assert body["status"] == "error"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_only_answers_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
