"""A round trip through a real Celery worker process on the real Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app, ping

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_queue():
    """A worker subprocess consuming a queue of its own (no stray tasks mix in)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--queues", queue, "--without-gossip", "--without-mingle",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield queue, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_task_goes_through_redis_to_a_worker_process_and_back(worker_queue):
    queue, process = worker_queue
    assert app.conf.task_always_eager is False

    result = ping.apply_async(queue=queue).get(timeout=60)

    assert result["pong"] is True
    # Another process ran it: the answer carries the worker's pid, not ours.
    assert result["pid"] == process.pid
    assert result["pid"] != os.getpid()


def test_celery_is_configured_for_exactly_once_delivery():
    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.timezone == "Europe/Berlin"
