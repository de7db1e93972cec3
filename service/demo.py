"""Demo follow-up tasks: anna's (overdue, today, in a week, one done) and ben's,
on customers of theirs in the first company, so that the dashboard, the list
and the digest have something to show."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from crm.models import Customer
from service import followups
from service.models import Priority, Task

# (username, days from today, title, priority, done)
DEMO_TASKS = [
    ("anna", -2, "Angebot nachfassen", Priority.HIGH, False),
    ("anna", 0, "Rückruf vereinbaren", Priority.NORMAL, False),
    ("anna", 7, "Wartungstermin bestätigen", Priority.LOW, False),
    ("anna", -5, "Unterlagen zusenden", Priority.NORMAL, True),
    ("ben", 0, "Rückruf wegen Rechnung", Priority.NORMAL, False),
    ("ben", 3, "Jahresgespräch vorbereiten", Priority.HIGH, False),
]


def seed_demo(context: dict) -> str:
    """seed_demo step: the first company's demo tasks, once."""
    if context.get("users_only"):
        return "tasks skipped"
    company = context["companies"]["first"]
    if Task.objects.filter(company=company).exists():
        return "0 tasks created"
    users = context["users"]
    today = timezone.localdate()
    made = 0
    for index, (username, days, title, priority, done) in enumerate(DEMO_TASKS):
        user = users[username]
        customers = Customer.objects.filter(
            company=company, owner=user, restricted_until__isnull=True
        ).order_by("pk")
        customer = customers[index % max(customers.count(), 1)] if customers else None
        if customer is None:
            continue
        task = followups.task_create(
            actor=None,
            customer=customer,
            title=title,
            due_on=today + timedelta(days=days),
            due_at=time(10, 0) if days == 0 else None,
            assignee=user,
            priority=priority,
            today=today,
        )
        if done:
            followups.task_complete(task=task, actor=None)
        made += 1
    return f"{made} tasks created"
