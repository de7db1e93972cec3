"""Follow-up tasks (Wiedervorlagen) on a customer, one of its persons or contracts.

A task belongs to a customer and is visible exactly when its customer is (the
rule of crm.models.customer_visibility, with restricted customers hidden); a
person or contract it names is one of that customer's. Done is a time and a
user, not a flag, so the dashboard, the list and the digest ask one column.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import CompanyOwned
from crm.models import ChildQuerySet


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")


class TaskQuerySet(ChildQuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True)

    def done(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=False)

    def usable(self) -> TaskQuerySet:
        """Tasks of customers not restricted (Art. 18: stored, not used)."""
        return self.filter(customer__restricted_until__isnull=True)

    def overdue(self, *, today: date) -> TaskQuerySet:
        """Open tasks whose day has passed (due today is not overdue yet)."""
        return self.open().filter(due_on__lt=today)

    def due_today(self, *, today: date) -> TaskQuerySet:
        return self.open().filter(due_on=today)

    def due_this_week(self, *, today: date) -> TaskQuerySet:
        """Open tasks due after today and within the next seven days."""
        return self.open().filter(due_on__gt=today, due_on__lte=week_end(today))

    def due_by(self, *, today: date) -> TaskQuerySet:
        """Open tasks due today or overdue: what the daily digest lists."""
        return self.open().filter(due_on__lte=today)


def week_end(today: date) -> date:
    """The last day of "this week" for tasks: today plus seven days."""
    return today + timedelta(days=7)


class Task(CompanyOwned):
    """A follow-up (Wiedervorlage): something to do for a customer by a day."""

    company_from = ("customer",)

    customer = models.ForeignKey(
        "crm.Customer",
        on_delete=models.CASCADE,  # a customer's tasks go with it (and its merge)
        related_name="tasks",
        verbose_name=_("customer"),
    )
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,  # the task stays with the customer
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("person"),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("contract"),
    )
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"))
    due_at = models.TimeField(_("at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # reassign open tasks before removing a user
        related_name="tasks",
        verbose_name=_("assigned to"),
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the task outlives its author's account
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # "My open tasks by due date": the dashboard, the list, the digest.
            models.Index(
                fields=["assignee", "due_on", "id"],
                condition=Q(done_at__isnull=True),
                name="service_task_open_assignee",
            ),
            models.Index(fields=["customer", "due_on"], name="service_task_customer"),
            models.Index(fields=["company", "due_on", "id"], name="service_task_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("service:task_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class TaskDigest(CompanyOwned):
    """The one e-mail of due tasks an assignee gets on a day from one company."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("task e-mail")
        verbose_name_plural = _("task e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "company", "day"],
                name="task_digest_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.day}"
