"""A real Celery worker for tests: a subprocess on the test database and Redis."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def start_worker(
    queue: str,
    *,
    pool: str = "solo",
    include: str = "",
    production_like: bool = False,
    **extra_env,
) -> subprocess.Popen:
    """A worker process on `queue`, using the test database.

    production_like: prefork with gossip, mingle and events, as compose runs it.
    """
    db = connection.settings_dict
    auth = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}"
    # The host may be a socket folder (the embedded PostgreSQL): percent-encoded.
    host = quote(str(db["HOST"]), safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    url = f"postgres://{auth}@{host}{port}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        **extra_env,
    }
    extra = ["--include", include] if include else []
    if production_like:
        extra += ["--pool=prefork", "--concurrency=2", "-E"]
    else:
        extra += [f"--pool={pool}", "--without-gossip", "--without-mingle"]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker",
         "--queues", queue, "--loglevel=WARNING", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def mail_worker(tmp_path):
    """A worker on its own queue whose e-mails go to a file: (queue, log path)."""
    log = tmp_path / "mail.log"
    log.touch()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = start_worker(
        queue, TEST_EMAIL_BACKEND="tests.support.mail.EmailBackend",
        TEST_MAIL_LOG=str(log),
    )  # fmt: skip
    try:
        yield queue, log
    finally:
        stop(process)
