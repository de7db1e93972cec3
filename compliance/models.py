"""Data protection records: the Art. 30 register, data-subject requests, access log."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import CompanyOwned
from compliance.registry import Category
from core.storage import encrypted_storage


class LegalBasis(models.TextChoices):
    """Art. 6(1) GDPR."""

    CONSENT = "consent", _("Consent (Art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Art. 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (Art. 6(1)(e))")
    LEGITIMATE_INTERESTS = (
        "legitimate_interests",
        _("Legitimate interests (Art. 6(1)(f))"),
    )


CATEGORY_CHOICES = [
    (Category.MASTER, _("Master data")),
    (Category.CONTACT, _("Contact data")),
    (Category.ADDRESS, _("Addresses")),
    (Category.COMMUNICATION, _("Communication history")),
    (Category.CONTRACT, _("Contract data")),
    (Category.BANK, _("Bank details")),
    (Category.CONSENT, _("Consents")),
    (Category.REQUESTS, _("Data-subject requests")),
    (Category.ACCESS, _("Access log")),
    (Category.STAFF, _("Staff accounts")),
]


class ProcessingActivity(CompanyOwned):
    """One entry of the record of processing activities (Art. 30(1) GDPR)."""

    name = models.CharField(_("processing activity"), max_length=200)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(
        _("legal basis"), max_length=24, choices=LegalBasis.choices
    )
    legitimate_interest = models.TextField(
        _("legitimate interest pursued"),
        blank=True,
        help_text=_("Required when the legal basis is legitimate interests."),
    )
    data_subjects = models.CharField(
        _("categories of data subjects"), max_length=300, default="", blank=True
    )
    data_categories = ArrayField(
        models.CharField(max_length=24, choices=CATEGORY_CHOICES),
        verbose_name=_("categories of personal data"),
        default=list,
    )
    recipients = models.TextField(
        _("recipients"),
        blank=True,
        help_text=_(
            "Each recipient by name, one per line (CJEU C-154/21), e.g. "
            "“Steuerberatung Muster GmbH (accounting)”."
        ),
    )
    third_countries = models.TextField(
        _("transfers to third countries"), blank=True, help_text=_("Empty: none.")
    )
    retention = models.CharField(_("storage period or its criteria"), max_length=300)
    source = models.CharField(
        _("source of the data"),
        max_length=300,
        blank=True,
        help_text=_("Where the data are not collected from the person (Art. 14)."),
    )
    security_measures = models.TextField(
        _("technical and organisational measures"), blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="processing_activity_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("compliance:activity_edit", args=[self.pk])

    def category_labels(self) -> list[str]:
        labels = dict(CATEGORY_CHOICES)
        return [str(labels.get(c, c)) for c in self.data_categories]

    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RESTRICTION = "restriction", _("Restriction (Art. 18)")
    PORTABILITY = "portability", _("Data portability (Art. 20)")
    OBJECTION = "objection", _("Objection (Art. 21)")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class RequestChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    FORM = "form", _("Web form")


OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)


class DataSubjectRequestQuerySet(models.QuerySet):
    def open(self) -> DataSubjectRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, *, today) -> DataSubjectRequestQuerySet:
        return self.open().filter(due_on__lt=today)


class DataSubjectRequest(CompanyOwned):
    """A request of a data subject (Art. 15-21), answered by Art. 12(3)'s deadline."""

    number = models.CharField(_("request number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    # SET_NULL: the request outlives the person's erasure (as its tombstone's
    # reference); `subject_name` is erased with the person.
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_requests",
        verbose_name=_("person"),
    )
    subject_name = models.CharField(
        _("requester as named in the request"), max_length=200
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(
        _("received by"), max_length=16, choices=RequestChannel.choices
    )
    identity_checked_at = models.DateTimeField(
        _("identity checked at"), null=True, blank=True
    )
    identity_method = models.CharField(
        _("how the identity was checked"), max_length=200, blank=True
    )
    due_on = models.DateField(_("due on"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.OPEN,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handled by"),
    )
    note = models.TextField(_("note"), blank=True)
    recipients_told_at = models.DateTimeField(
        _("recipients told at"), null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = DataSubjectRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "number"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="request_number_per_company"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="request_open_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:request_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    EXPORT = "export", _("exported")
    PRINT = "print", _("printed")
    REPORT = "report", _("access report made")
    DOWNLOAD = "download", _("document downloaded")


# Where a view was read, stored as these keys in AccessLog.what (the pages call
# core.access.record with them) and shown in the reader's language.
ACCESS_PLACES = {
    "timeline": _("timeline"),
    "history": _("change history"),
    "edit": _("edit form"),
    "search": _("search results"),
    "duplicates": _("possible duplicates"),
    "disclosures": _("disclosures"),
    "admin": _("administration"),
}


class AccessLog(CompanyOwned):
    """Who viewed, exported or printed whose data, and when (no copies of the data)."""

    company_from = ("customer", "person")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    customer = models.ForeignKey(
        "crm.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # A language-neutral reference (a contract number, "#12 PDF", "CSV"), never
    # data and never prose: the action says what happened, in the reader's language.
    what = models.CharField(_("what"), max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["customer", "-at"], name="access_customer"),
            models.Index(fields=["person", "-at"], name="access_person"),
            models.Index(fields=["user", "-at"], name="access_user"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.what}"

    @property
    def what_display(self) -> str:
        """`what` for the reader: where the data was read, else the reference."""
        return str(ACCESS_PLACES.get(self.what, self.what))


class Erasure(CompanyOwned):
    """The tombstone of an erasure (Art. 17): when, by which request, by whom.

    No personal data: counts per model, and the day the last retention hold
    ends. `person_ref` is the anonymized row's id, so that the daily task can
    finish the erasure when the holds end.
    """

    company_from = ("request", "rule")

    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erasures",
        verbose_name=_("request"),
    )
    person_ref = models.PositiveBigIntegerField(_("person (anonymized id)"))
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,  # a retention rule's daily task
        related_name="+",
        verbose_name=_("erased by"),
    )
    rule = models.ForeignKey(
        "compliance.RetentionRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erasures",
        verbose_name=_("retention rule"),
    )
    counts = models.JSONField(_("rows anonymized"), default=dict)
    completed_at = models.DateTimeField(
        _("completed at"),
        null=True,
        blank=True,
        help_text=_("Empty while retention holds keep data restricted."),
    )

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.erased_at:%Y-%m-%d} #{self.person_ref}"


class RetentionHold(CompanyOwned):
    """Data an erasure keeps, restricted, while a statutory retention duty runs."""

    company_from = ("erasure",)

    erasure = models.ForeignKey(Erasure, on_delete=models.CASCADE, related_name="holds")
    label = models.CharField(_("record type"), max_length=100)  # "contracts.Contract"
    object_id = models.PositiveBigIntegerField()
    reason = models.CharField(_("retention duty"), max_length=200)
    until = models.DateField(
        _("held until"),
        null=True,
        blank=True,
        help_text=_("Empty: while the contract runs (then six years)."),
    )
    extended_until = models.DateField(
        _("hold extended until"),
        null=True,
        blank=True,
        help_text=_("For open tax assessments (§ 147(3) AO)."),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        ordering = ["until", "id"]
        verbose_name = _("retention hold")
        verbose_name_plural = _("retention holds")
        indexes = [
            models.Index(
                fields=["until"],
                condition=models.Q(released_at__isnull=True),
                name="hold_open_until",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} #{self.object_id} → {self.ends_on}"

    @property
    def ends_on(self):
        """The first day the data may go (the later of the duty and a manual hold)."""
        if self.until is None:
            return None
        return max(self.until, self.extended_until or self.until)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_path(report: AccessReport, filename: str) -> str:
    # A random name: the file is a copy of a person's data, served only by a view.
    return f"access-reports/{uuid.uuid4().hex}{Path(filename).suffix}"


class AccessReport(CompanyOwned):
    """An access report (Art. 15) with its portable export (Art. 20), made by a task."""

    company_from = ("request", "person")

    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("request"),
    )
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    language = models.CharField(_("language"), max_length=8, default="de")
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ReportStatus.choices,
        default=ReportStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Encrypted at rest: copies of all of a person's data (core.storage).
    pdf = models.FileField(
        _("PDF"), upload_to=report_path, storage=encrypted_storage, blank=True
    )
    json = models.FileField(
        _("JSON"), upload_to=report_path, storage=encrypted_storage, blank=True
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Every step writes it: a queued or running report not touched for long was
    # lost by its worker and is queued again (access_reports_sweep).
    updated_at = models.DateTimeField(_("last step"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access report")
        verbose_name_plural = _("access reports")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:report_detail", args=[self.pk])


class ConsentPurpose(models.TextChoices):
    NEWSLETTER = "newsletter", _("E-mail newsletter")
    PHONE_MARKETING = "phone_marketing", _("Phone marketing")


# E-mail advertising needs double opt-in as proof (§ 7(2) Nr. 2 UWG, BGH I ZR
# 164/09); a confirmation e-mail proves nothing for phone calls.
DOUBLE_OPT_IN = frozenset({ConsentPurpose.NEWSLETTER})


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone call")
    PAPER = "paper", _("Signed form")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    GRANTED = "granted", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Not confirmed in time")


class ConsentText(CompanyOwned):
    """The wording shown when a consent is asked for, by version (Art. 7(1) proof)."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("wording"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-version"]
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "purpose", "version"], name="consent_text_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


def new_consent_token() -> str:
    return secrets.token_urlsafe(32)


class ConsentQuerySet(models.QuerySet):
    def effective(self) -> ConsentQuerySet:
        """Consents that allow the processing now: given (and confirmed)."""
        return self.filter(status=ConsentStatus.GRANTED)


class Consent(CompanyOwned):
    """A person's consent to one purpose; its history is the proof."""

    company_from = ("person",)

    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose)
    status = models.CharField(
        _("status"), max_length=12, choices=ConsentStatus, default=ConsentStatus.PENDING
    )
    text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("wording agreed to"),
    )
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    requested_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("given at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_via = models.CharField(_("withdrawn via"), max_length=20, blank=True)
    # NULL, not "": unique, and only the waiting double opt-ins have one.
    confirm_token = models.CharField(max_length=64, unique=True, null=True)  # noqa: DJ001
    withdraw_token = models.CharField(
        max_length=64, unique=True, default=new_consent_token
    )

    history = HistoricalRecords(excluded_fields=["confirm_token", "withdraw_token"])
    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "-requested_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            # At most one open consent per person and purpose; after a
            # withdrawal a new one is a new row, the old stays as proof.
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=models.Q(status__in=["pending", "granted"]),
                name="consent_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_status_display()}"


class RequestReminder(CompanyOwned):
    """A reminder to the DPO that a request is due in `lead_days` days, sent once.

    Unique per (request, lead time, due date): an extension moves the due date
    and so gets reminders of its own.
    """

    company_from = ("request",)

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="reminders"
    )
    lead_days = models.PositiveSmallIntegerField(_("days before"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request reminder")
        verbose_name_plural = _("request reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "lead_days", "due_on"], name="request_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} -{self.lead_days}d"


class ReviewDigest(CompanyOwned):
    """The day's e-mail to an account owner about their customers due for review."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    customers = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("review digest")
        verbose_name_plural = _("review digests")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "company", "day"], name="review_digest_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.day}"


class RetentionRuleKind(models.TextChoices):
    INACTIVE_PROSPECTS = (
        "inactive_prospects",
        _("Prospects without any activity for the given years"),
    )
    FORMER_CUSTOMERS = (
        "former_customers",
        _("Former customers, the given years after their last activity"),
    )


class RetentionRule(CompanyOwned):
    """An automatic erasure rule, applied by a daily task (dry run on its page)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("applies to"), max_length=24, choices=RetentionRuleKind)
    years = models.PositiveSmallIntegerField(
        _("years"), validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return self.name


class Disclosure(CompanyOwned):
    """Personal data passed to a recipient outside the company (Art. 19 GDPR:
    recipients are told of a rectification, erasure or restriction)."""

    company_from = ("customer",)

    customer = models.ForeignKey(
        "crm.Customer",
        on_delete=models.CASCADE,
        related_name="disclosures",
        verbose_name=_("customer"),
    )
    person = models.ForeignKey(
        "crm.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("person"),
    )
    recipient = models.CharField(_("recipient"), max_length=200)
    what = models.CharField(_("what was passed on"), max_length=300)
    disclosed_on = models.DateField(_("passed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-disclosed_on", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        from django.utils.formats import date_format

        return (
            f"{self.recipient} ({date_format(self.disclosed_on, 'SHORT_DATE_FORMAT')})"
        )


class FreeTextAction(models.TextChoices):
    CLEARED = "cleared", _("cleared")
    KEPT = "kept", _("kept")


class FreeTextDecision(CompanyOwned):
    """The DPO's decision on a free-text match of an erasure plan: a row not
    linked to the person whose text names them (compliance.freetext).

    No copy of the match: the row, the field, which kind of value matched, what
    was done and, for "kept", why (Art. 5(2): the decision must be shown).
    """

    company_from = ("request",)

    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.CASCADE,
        related_name="free_text_decisions",
        verbose_name=_("request"),
    )
    label = models.CharField(_("model"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("record"))
    field = models.CharField(_("field"), max_length=100)
    action = models.CharField(_("action"), max_length=16, choices=FreeTextAction)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("free-text decision")
        verbose_name_plural = _("free-text decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "label", "object_id", "field"],
                name="compliance_freetext_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.object_id} {self.field}: {self.action}"


class TrainingQuerySet(models.QuerySet):
    def of_company(self, company_id: int | None) -> TrainingQuerySet:
        return self.filter(company_id=company_id)

    def latest_per_user(self) -> TrainingQuerySet:
        """Each user's latest training per company: none with a later end (on
        the same end, none entered after it). A newer training replaces it."""
        newer = Training.objects.filter(
            company_id=models.OuterRef("company_id"),
            user_id=models.OuterRef("user_id"),
        ).filter(
            models.Q(valid_until__gt=models.OuterRef("valid_until"))
            | models.Q(
                valid_until=models.OuterRef("valid_until"), pk__gt=models.OuterRef("pk")
            )
        )
        return self.filter(~models.Exists(newer))

    def valid_on(self, day) -> TrainingQuerySet:
        """Trainings still valid on `day` (valid_until is its last valid day)."""
        return self.filter(valid_until__gte=day)


class Training(CompanyOwned):
    """A data protection training a user attended (Art. 39(1)(b) GDPR: the DPO
    trains the staff), valid until a day; recorded by the DPO. A new one
    replaces the old; a mistaken entry is deleted, its history keeps it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # the proof of a training is kept with the user
        related_name="trainings",
        verbose_name=_("participant"),
    )
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    valid_until = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_until", "-id"]
        verbose_name = _("data protection training")
        verbose_name_plural = _("data protection trainings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("held_on")),
                name="training_valid_after_held",
            )
        ]
        # The gate asks per request: a valid training of this user here?
        indexes = [
            models.Index(
                fields=["company", "user", "valid_until"],
                name="training_company_user_until",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic} {self.held_on}"
