"""Run today's reminder scan now (the same services the daily Celery task calls)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts.reminders import reminders_plan, reminders_send
from contracts.services import contracts_roll_over


class Command(BaseCommand):
    help = "Plan and send today's contract reminders (idempotent)."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        rolled = contracts_roll_over(today=today)
        plan = reminders_plan(today=today)
        sent = reminders_send(today=today)
        self.stdout.write(
            f"send_reminders {today}: {rolled} contracts rolled over, "
            f"{plan.contracts} contracts due, "
            f"{plan.written} reminders written, {sent} e-mails sent"
        )
