"""A worker killed (kill -9) in the middle of a task loses nothing: the task is
not acknowledged until it ends, and Redis gives it to the next worker once the
visibility timeout has passed (CELERY_VISIBILITY_TIMEOUT, 30 minutes in
production; a few seconds here)."""

import signal
import time
import uuid

import pytest

from tests.support.worker import start_worker, stop


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_runs_again_on_the_next_worker(tmp_path):
    from tests.support.tasks import slow_mark

    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "marks.log"
    log.touch()
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    first = start_worker(queue, **fast_redelivery)
    second = None
    try:
        slow_mark.apply_async(args=[str(log), 30], queue=queue)
        assert wait_for(lambda: "start" in log.read_text(), 60), first.stdout
        first.send_signal(signal.SIGKILL)  # mid-task: no ack, no "done"
        first.wait(timeout=10)
        assert "done" not in log.read_text()

        second = start_worker(queue, **fast_redelivery)
        # redelivered after the visibility timeout; this time it may finish
        slow_mark.apply_async(args=[str(log), 0], queue=queue)  # a later task too
        assert wait_for(lambda: log.read_text().count("done") == 2, 120), (
            log.read_text()
        )
        starts = [line for line in log.read_text().splitlines() if "start" in line]
        assert len(starts) == 3  # the killed run, its redelivery, the later task
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                stop(process)
