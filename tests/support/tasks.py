"""Tasks only the tests' workers know (config.settings.test imports this module)."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.slow_mark", acks_late=True, reject_on_worker_lost=True)
def slow_mark(path: str, seconds: float) -> str:
    """Write "start <pid>", wait (only the first run of the log), write "done":
    shows whether a task ran to its end."""
    import os

    log = Path(path)
    first_run = "start" not in log.read_text()
    with log.open("a") as handle:
        handle.write(f"start {os.getpid()}\n")
    if first_run:
        time.sleep(seconds)
    with log.open("a") as handle:
        handle.write("done\n")
    return "done"
