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


# (username, kind, priority, subject, business days ago opened, status, delivered
# days ago): one breached, one waiting for the customer, one warranty claim near
# the end of its two years, one due soon, one resolved, in both teams.
DEMO_CASES = [
    (
        "anna",
        "complaint",
        "high",
        "Lieferung zwei Tage zu spät",
        3,
        "in_progress",
        None,
    ),
    ("anna", "warranty", "normal", "Display flackert", 0, "new", 700),
    ("anna", "request", "normal", "Wartungsvertrag erweitern", 1, "waiting", None),
    ("anna", "complaint", "normal", "Rechnung doppelt gestellt", 6, "resolved", None),
    ("ben", "complaint", "urgent", "Monteur nicht erschienen", 1, "new", None),
    ("ben", "warranty", "normal", "Pumpe undicht", 0, "in_progress", 200),
]


def seed_cases(context: dict) -> str:
    """seed_demo step: the first company's demo cases, once."""
    from service import cases
    from service.models import Case

    if context.get("users_only"):
        return "cases skipped"
    company = context["companies"]["first"]
    if Case.objects.filter(company=company).exists():
        return "0 cases created"
    users = context["users"]
    now = timezone.now()
    made = 0
    for index, row in enumerate(DEMO_CASES):
        username, kind, priority, subject, days_ago, status, delivered = row
        user = users[username]
        customer = (
            Customer.objects.filter(
                company=company, owner=user, restricted_until__isnull=True
            )
            .order_by("pk")[index % 3 : index % 3 + 1]
            .first()
        )
        if customer is None:
            continue
        person = customer.persons.usable().order_by("pk").first()
        fields = {
            "kind": kind,
            "priority": priority,
            "channel": "phone" if index % 2 else "email",
            "subject": subject,
            "person": person,
        }
        if delivered is not None:
            fields |= {
                "delivered_on": timezone.localdate() - timedelta(days=delivered),
                "consumer": customer.kind == "private",
            }
        opened = now - timedelta(days=days_ago * 7 / 5, hours=1)
        case = cases.case_create(
            actor=None, customer=customer, fields=fields, now=opened
        )
        if status != "new":
            step = "in_progress" if status == "resolved" else status
            case = cases.case_set_status(
                case=case,
                actor=None,
                version=case.version,
                status=step,
                now=opened + timedelta(hours=2),
            )
        if status == "resolved":
            cases.case_set_status(
                case=case,
                actor=None,
                version=case.version,
                status="resolved",
                resolution="Gutschrift über den doppelten Betrag erstellt.",
                now=opened + timedelta(days=1),
            )
        made += 1
    return f"{made} cases created"


def seed_all(context: dict) -> str:
    """seed_demo step of the service app: tasks and cases."""
    return f"{seed_demo(context)}, {seed_cases(context)}"
