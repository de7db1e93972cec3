from django.db import models


class Heartbeat(models.Model):
    """When beat, a worker, or a daily task last showed life (core.liveness)."""

    # "beat", "worker", or a task name such as "contracts.send_reminders".
    name = models.CharField(max_length=100, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
