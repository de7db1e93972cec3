"""Tasks only test workers load (`worker --include tests.support.slow_tasks`)."""

import os
import time

from config.celery import app


@app.task(name="tests.sleep")
def sleep(seconds: float) -> dict:
    """Keep the worker busy for `seconds`, then answer with its pid."""
    time.sleep(seconds)
    return {"slept": seconds, "pid": os.getpid()}
