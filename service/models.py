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
    case = models.ForeignKey(
        "service.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("case"),
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


# --- Cases: complaints, warranty claims, service requests -----------------------


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")  # about service: Beschwerde
    WARRANTY = "warranty", _("warranty claim")  # about goods or work: Reklamation
    REQUEST = "request", _("service request")


class CaseStatus(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING = "waiting", _("waiting for customer")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")


# The clock runs (or stands, while waiting) for these; resolved and closed
# cases are done until reopened.
OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING,
    CaseStatus.REOPENED,
)


class CasePriority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class CaseChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    WEB = "web", _("web form")
    IN_PERSON = "in_person", _("in person")


class SlaTargetKind(models.TextChoices):
    RESPONSE = "response", _("first response")
    RESOLUTION = "resolution", _("resolution")


class AlertStage(models.IntegerChoices):
    """How far the escalation of one target has gone (stored on the case so the
    scan reads only what is due next)."""

    NONE = 0, _("none")
    SOON = 1, _("due soon")
    BREACHED = 2, _("breached")


class CaseCategory(CompanyOwned):
    """An entry of the company's list of case categories ("Lieferung",
    "Rechnung", ...); retired ones stay on their cases."""

    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="service_category_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(CompanyOwned):
    """First-response and resolution targets in business hours for a priority
    (and, where it differs, for one category of that priority)."""

    priority = models.CharField(_("priority"), max_length=8, choices=CasePriority)
    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("category"),
    )
    response_hours = models.DecimalField(
        _("first response (business hours)"), max_digits=6, decimal_places=2
    )
    resolution_hours = models.DecimalField(
        _("resolution (business hours)"), max_digits=6, decimal_places=2
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "category"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "priority", "category"],
                nulls_distinct=False,
                name="service_target_once",
            ),
            models.CheckConstraint(
                condition=Q(response_hours__gt=0, resolution_hours__gt=0),
                name="service_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority} {self.category_id or ''}".strip()


class CaseQuerySet(ChildQuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def usable(self) -> CaseQuerySet:
        return self.filter(customer__restricted_until__isnull=True)

    def breached(self, *, now) -> CaseQuerySet:
        """Open cases past a target they have not met (first response or
        resolution; a waiting case's resolution clock stands)."""
        return self.open().filter(breached_q(now))

    def due_soon(self, *, now) -> CaseQuerySet:
        """Open cases past the warning time of a target but not yet past one."""
        return self.open().filter(soon_q(now) & ~breached_q(now))


def breached_q(now) -> Q:
    """A target missed: no first response by its due time, or not resolved by
    its due time (None while the clock stands)."""
    return Q(first_response_at__isnull=True, response_due_at__lte=now) | Q(
        resolution_due_at__lte=now
    )


def soon_q(now) -> Q:
    """A target's warning time passed (missed or not)."""
    return Q(first_response_at__isnull=True, response_warn_at__lte=now) | Q(
        resolution_warn_at__lte=now
    )


class Case(CompanyOwned):
    """A complaint, a warranty claim or a service request of a customer."""

    company_from = ("customer",)

    number = models.CharField(_("case number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind)
    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.PROTECT,  # retire a category instead
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=CasePriority, default=CasePriority.NORMAL
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=CaseChannel, default=CaseChannel.PHONE
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "crm.Customer",
        on_delete=models.CASCADE,
        related_name="cases",
        verbose_name=_("customer"),
    )
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("contact person"),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("contract"),
    )
    order_reference = models.CharField(
        _("order or invoice"), max_length=100, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("team"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus, default=CaseStatus.NEW
    )
    opened_at = models.DateTimeField(_("opened"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    goodwill_amount = models.DecimalField(
        _("goodwill"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # A warranty claim: what was delivered when, and how it was sold.
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    consumer = models.BooleanField(_("consumer purchase"), default=False)
    used_goods = models.BooleanField(_("used goods"), default=False)
    building = models.BooleanField(_("building or building material"), default=False)
    agreed_months = models.PositiveSmallIntegerField(
        _("agreed limitation period (months)"), null=True, blank=True
    )
    sold_before_2022 = models.BooleanField(_("sold before 2022"), default=False)
    # The SLA clock, computed by service.cases on every change of status.
    response_due_at = models.DateTimeField(_("first response due"), null=True)
    response_warn_at = models.DateTimeField(null=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True)
    resolution_warn_at = models.DateTimeField(null=True)
    response_alert = models.PositiveSmallIntegerField(
        choices=AlertStage, default=AlertStage.NONE
    )
    resolution_alert = models.PositiveSmallIntegerField(
        choices=AlertStage, default=AlertStage.NONE
    )
    cycle = models.PositiveSmallIntegerField(default=1)  # + 1 on each reopening
    interactions = models.ManyToManyField(
        "crm.Interaction",
        blank=True,
        related_name="cases",
        verbose_name=_("contacts"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords(
        excluded_fields=[
            "response_warn_at",
            "resolution_warn_at",
            "response_alert",
            "resolution_alert",
        ]
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="service_case_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(goodwill_amount__isnull=True) | Q(goodwill_amount__gte=0),
                name="service_case_goodwill_positive",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "-opened_at"], name="service_case_customer"
            ),
            models.Index(
                fields=["company", "-opened_at", "-id"], name="service_case_list"
            ),
            models.Index(
                fields=["owner", "-opened_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="service_case_open_owner",
            ),
            # The escalation scan: only open cases whose next alert is still
            # to come are in these, so its cost follows what is due.
            models.Index(
                fields=["response_warn_at"],
                condition=Q(
                    status__in=OPEN_STATUSES,
                    first_response_at__isnull=True,
                    response_alert__lt=AlertStage.BREACHED,
                ),
                name="service_case_response_scan",
            ),
            models.Index(
                fields=["resolution_warn_at"],
                condition=Q(
                    status__in=OPEN_STATUSES,
                    resolution_alert__lt=AlertStage.BREACHED,
                ),
                name="service_case_resolution_scan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CasePause(CompanyOwned):
    """A span in which a case's clock stands: waiting for the customer, or
    resolved until it was reopened."""

    company_from = ("case",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=12, choices=CaseStatus)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            # At most one pause of a case is open at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_at__isnull=True),
                name="service_pause_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_at}"


class CaseAlert(CompanyOwned):
    """One escalation e-mail: a target of a case due soon (to the owner) or
    missed (to the team's manager), once per case, target, stage and cycle."""

    company_from = ("case",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    target = models.CharField(max_length=12, choices=SlaTargetKind)
    stage = models.PositiveSmallIntegerField(choices=AlertStage)
    cycle = models.PositiveSmallIntegerField(default=1)
    due_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "target", "stage", "cycle"], name="service_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.target} {self.stage}"


def new_rating_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class CaseRating(CompanyOwned):
    """The customer's satisfaction with a resolved case: asked once per
    resolution by e-mail (a public token link), answered 1-5 with a comment."""

    company_from = ("case",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    cycle = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,
        null=True,
        related_name="case_ratings",
        verbose_name=_("person"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_rating_token)
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("case rating")
        verbose_name_plural = _("case ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "cycle"], name="service_rating_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="service_rating_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.score or '-'}"
