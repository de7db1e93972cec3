"""A busy worker survives a Redis outage: a Redis of the test's own is killed and
started again on the same port while a task runs (kombu 5.7 with redis-py 8 made
the worker exit: "AttributeError: 'NoneType' object has no attribute 'hostname'")."""

import time
import uuid

import pytest
from celery import Celery

from tests.support.redis_server import RedisServer
from tests.support.worker import start_worker, stop


def client_app(url: str) -> Celery:
    """A Celery client of our own for the test's Redis (the app keeps its own)."""
    # Not the current app: later tests must keep talking to the project's Redis.
    app = Celery("outage-test", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json", accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )  # fmt: skip
    return app


@pytest.mark.slow
def test_a_busy_worker_reconnects_after_redis_restarts(tmp_path, db):
    redis = RedisServer(tmp_path)
    redis.start()
    queue = f"outage-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        queue, production_like=True, include="tests.support.slow_tasks",
        REDIS_URL=redis.url,
    )  # fmt: skip
    app = client_app(redis.url)
    try:
        # The worker is up and answers.
        first = app.send_task("tests.sleep", args=[0], queue=queue)
        assert first.get(timeout=60)["slept"] == 0

        # Busy with a slow task when Redis goes away (kill -9), back on the same port.
        app.send_task("tests.sleep", args=[4], queue=queue)
        time.sleep(1.5)  # let the worker take the task; not an assertion on timing
        redis.kill()
        time.sleep(5)
        redis.start()

        # A task queued after the restart is processed by the same worker process.
        app.close()
        app = client_app(redis.url)  # a fresh client: ours is not under test
        after = app.send_task("tests.sleep", args=[0], queue=queue)
        try:
            answer = after.get(timeout=90)
        except Exception:
            answer = None
        alive = worker.poll() is None
    finally:
        stop(worker)
        output = worker.stdout.read() if worker.stdout else ""
        redis.kill()
        app.close()
    assert alive, f"the worker exited during the outage:\n{output[-12000:]}"
    assert answer == {"slept": 0, "pid": answer and answer["pid"]}, output[-3000:]
    assert "Unrecoverable error" not in output, output[-3000:]
