"""The Celery app: broker and schedule come from Django settings (CELERY_*)."""

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="crm.ping")
def ping() -> dict:
    """Answer from the worker that ran it: proves broker, worker and result backend."""
    return {"pong": True, "worker": socket.gethostname(), "pid": os.getpid()}
