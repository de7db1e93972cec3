"""Reads of tasks: what the user may not see does not exist (404).

A task is visible when its customer is (restricted customers hidden from all but
the DPO and Admin) and, when it names a person, that person is shown to the
user (Art. 18 for one contact of an organization).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from crm.models import person_shown
from crm.policy import remember_editable
from service.models import Task, TaskQuerySet, week_end

LIST_SIZE = 50
CARD_SIZE = 10
PANEL_SIZE = 5


def _related(queryset: TaskQuerySet) -> TaskQuerySet:
    return queryset.select_related("customer", "person", "contract", "assignee")


def task_get(*, user, pk: int, perm: str = "view") -> Task:
    """The task, or 404 when missing or when the user may not `perm` its customer."""
    queryset = _related(Task.objects.filter(person_shown(user, prefix="person__")))
    queryset = (
        queryset.visible_to(user) if perm == "view" else queryset.editable_by(user)
    )
    task = queryset.filter(pk=pk).first()
    if task is None:
        raise Http404
    if perm != "view":
        remember_editable(user, [task.customer_id])
    return task


def task_list(*, user, filters: dict, today: date) -> TaskQuerySet:
    """Visible tasks, filtered; soonest due first (done ones: latest done first)."""
    queryset = _related(
        Task.objects.across_visible(user).filter(person_shown(user, prefix="person__"))
    )
    if filters.get("assignee"):
        queryset = queryset.filter(assignee=filters["assignee"])
    if filters.get("customer"):
        queryset = queryset.filter(customer_id=filters["customer"])
    status = filters.get("status") or "open"
    if status == "open":
        queryset = queryset.open()
    elif status == "done":
        queryset = queryset.done()
    due = filters.get("due") or ""
    if due == "overdue":
        queryset = queryset.overdue(today=today)
    elif due == "today":
        queryset = queryset.due_today(today=today)
    elif due == "week":
        queryset = queryset.open().filter(
            due_on__gte=today, due_on__lte=week_end(today)
        )
    if filters.get("priority"):
        queryset = queryset.filter(priority=filters["priority"])
    if status == "done":
        return queryset.order_by("-done_at", "-id")
    return queryset.order_by("due_on", "due_at", "id")


def task_page(*, user, filters: dict, today: date, number) -> Page:
    """One page of the task list (a count and the page's rows: two queries)."""
    return Paginator(
        task_list(user=user, filters=filters, today=today), LIST_SIZE
    ).get_page(number)


def customer_tasks_card(*, user, customer, access, form=None, saved=False) -> dict:
    """The customer page's tasks: the open ones by due day (one query); the form
    to add one only when asked for (htmx), so the page pays nothing for it."""
    tasks = list(
        _related(customer.tasks.filter(person_shown(user, prefix="person__")))
        .open()
        .order_by("due_on", "due_at", "id")[: CARD_SIZE + 1]
    )
    can_edit = access.can_edit and customer.restricted_until is None
    return {
        "tasks": tasks[:CARD_SIZE],
        "more": len(tasks) > CARD_SIZE,
        "can_edit": can_edit,
        "form": form if can_edit else None,
        "saved": saved,
        "today": timezone.localdate(),
    }


@dataclass(frozen=True)
class MyTasks:
    overdue: int
    today: int
    week: int
    first: list[Task]


def my_tasks(*, user, today: date) -> MyTasks:
    """The user's own open tasks: counts of overdue, today, this week and the first
    few of them (two queries: the counts in one, the rows in one)."""
    mine = Task.objects.visible_to(user).filter(
        person_shown(user, prefix="person__"), assignee=user, done_at__isnull=True
    )
    counts = mine.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        today=Count("pk", filter=Q(due_on=today)),
        week=Count("pk", filter=Q(due_on__gt=today, due_on__lte=week_end(today))),
    )
    first = list(
        mine.filter(due_on__lte=week_end(today))
        .select_related("customer")
        .order_by("due_on", "due_at", "id")[:PANEL_SIZE]
    )
    return MyTasks(first=first, **counts)


def task_editable(*, user, task: Task) -> bool:
    """May the user change this (visible) task: they may change its customer."""
    from crm.policy import may_change

    return task.customer.restricted_until is None and may_change(user, task.customer_id)
