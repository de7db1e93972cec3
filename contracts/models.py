"""Contracts of a customer, with their terms; the dates come from deadlines.py."""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import CompanyOwned
from contracts import deadlines as engine
from crm.models import Address, AddressPurpose, ChildQuerySet

# The engine's terms with their labels; the forms use the same lists.
RENEWAL_CHOICES = [
    (engine.Renewal.NONE, _("none: ends after the term")),
    (engine.Renewal.MONTHS, _("by a number of months")),
    (engine.Renewal.INDEFINITE, _("indefinitely")),
]
UNIT_CHOICES = [
    (engine.Unit.DAYS, _("days")),
    (engine.Unit.WEEKS, _("weeks")),
    (engine.Unit.MONTHS, _("months")),
]
ANCHOR_CHOICES = [
    (engine.Anchor.TERM_END, _("the end of the term")),
    (engine.Anchor.NONE, _("no anchor date")),
    (engine.Anchor.MONTH_END, _("the end of a month")),
    (engine.Anchor.QUARTER_END, _("the end of a quarter")),
    (engine.Anchor.MID_OR_MONTH_END, _("the 15th or the end of a month")),
]


def default_lead_times() -> list[int]:
    return [90, 30, 7]


class ContractType(CompanyOwned):
    """A kind of contract (maintenance, lease, ...) with its reminder lead times."""

    name = models.CharField(_("name"), max_length=100)
    lead_times = models.JSONField(
        _("reminder lead times (days)"), default=default_lead_times
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contract type")
        verbose_name_plural = _("contract types")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="contract_type_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.name


def validate_contract_date(day: date) -> None:
    """Dates of a contract lie within the deadline engine's range (1900-2199)."""
    if not engine.FIRST_START <= day <= engine.LAST_START:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_range",
            params={
                "first": date_format(engine.FIRST_START, "SHORT_DATE_FORMAT"),
                "last": date_format(engine.LAST_START, "SHORT_DATE_FORMAT"),
            },
        )


def validate_notice(amount: int | None, unit: str | None) -> str | None:
    """The message when a notice period exceeds ten years in its unit, else None."""
    if amount is None or unit not in engine.MAX_NOTICE:
        return None
    limit = engine.MAX_NOTICE[unit]
    if amount <= limit:
        return None
    return _("At most %(limit)s.") % {
        "limit": engine.format_period(
            engine.Period(limit, engine.Unit(unit)), get_language() or "de"
        )
    }


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    NOTICE_GIVEN = "notice_given", _("Notice given")
    ENDED = "ended", _("Ended")


# Still running (the erasure holds, the calendar, the feed, value totals).
RUNNING = (ContractStatus.ACTIVE, ContractStatus.NOTICE_GIVEN)


class ValuePeriod(models.TextChoices):
    # Worded to follow the amount: "1.234,56 € monatlich", "€1,234.56 per month".
    MONTH = "month", _("monthly")
    YEAR = "year", _("yearly")
    ONCE = "once", _("one-off")


class Currency(models.TextChoices):
    EUR = "EUR", "EUR"
    CHF = "CHF", "CHF"


class ContractQuerySet(ChildQuerySet):
    """Contracts follow their customer's visibility (crm.models.customer_visibility)."""

    def running(self) -> ContractQuerySet:
        """Contracts that still run: active, or ending after a notice."""
        return self.filter(status__in=RUNNING)

    def notice_due_within(self, *, today: date, days: int) -> ContractQuerySet:
        return self.filter(
            last_notice_day__gte=today,
            last_notice_day__lte=date.fromordinal(today.toordinal() + days),
        )

    def value_totals(self) -> list[dict]:
        """Per currency: recurring value per month (a yearly value counts a twelfth)
        and the one-off values apart, over the rows of this queryset."""
        monthly = models.Case(
            models.When(value_period=ValuePeriod.MONTH, then=models.F("value_amount")),
            models.When(
                value_period=ValuePeriod.YEAR, then=models.F("value_amount") / 12
            ),
            default=None,
        )
        once = models.Case(
            models.When(value_period=ValuePeriod.ONCE, then=models.F("value_amount")),
            default=None,
        )
        rows = (
            self.order_by()
            .filter(value_amount__isnull=False)
            .values("currency")
            .annotate(monthly=models.Sum(monthly), once=models.Sum(once))
            .order_by("currency")
        )
        return [
            {
                "currency": row["currency"],
                "monthly": _cents(row["monthly"]),
                "yearly": _cents(row["monthly"] * 12 if row["monthly"] else None),
                "once": _cents(row["once"]),
            }
            for row in rows
        ]


def value_totals_of(contracts) -> list[dict]:
    """ContractQuerySet.value_totals() for contracts already loaded (no query)."""
    sums: dict[str, dict] = {}
    for contract in contracts:
        if contract.value_amount is None:
            continue
        total = sums.setdefault(contract.currency, {"monthly": None, "once": None})
        if contract.value_period == ValuePeriod.ONCE:
            total["once"] = (total["once"] or 0) + contract.value_amount
        else:
            share = contract.value_amount / (
                12 if contract.value_period == ValuePeriod.YEAR else 1
            )
            total["monthly"] = (total["monthly"] or 0) + share
    return [
        {
            "currency": currency,
            "monthly": _cents(total["monthly"]),
            "yearly": _cents(total["monthly"] * 12 if total["monthly"] else None),
            "once": _cents(total["once"]),
        }
        for currency, total in sorted(sums.items())
    ]


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), ROUND_HALF_UP)


class Contract(CompanyOwned):
    company_from = ("customer",)

    customer = models.ForeignKey(
        "crm.Customer",
        on_delete=models.PROTECT,  # business records: HGB/AO retention (LEGAL.md §6)
        related_name="contracts",
        verbose_name=_("customer"),
    )
    number = models.CharField(_("contract number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    type = models.ForeignKey(
        ContractType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("type"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus, default="active"
    )
    consumer = models.BooleanField(_("consumer contract (B2C)"), default=False)
    standard_terms = models.BooleanField(_("standard terms (AGB)"), default=True)
    concluded_on = models.DateField(
        _("date concluded"), validators=[validate_contract_date]
    )
    start = models.DateField(_("start"), validators=[validate_contract_date])
    initial_months = models.PositiveIntegerField(
        _("initial term (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(engine.MAX_TERM_MONTHS)],
        help_text=_("Empty: indefinite from the start."),
    )
    renewal = models.CharField(
        _("renewal"),
        max_length=16,
        choices=RENEWAL_CHOICES,
        default=engine.Renewal.MONTHS,
    )
    renewal_months = models.PositiveIntegerField(
        _("renewal (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(engine.MAX_TERM_MONTHS)],
    )
    notice_amount = models.PositiveIntegerField(
        _("notice period"),
        default=3,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(max(engine.MAX_NOTICE.values())),
        ],
    )
    notice_unit = models.CharField(
        _("unit"),
        max_length=8,
        choices=UNIT_CHOICES,
        default=engine.Unit.MONTHS,
    )
    anchor = models.CharField(
        _("notice to"),
        max_length=20,
        choices=ANCHOR_CHOICES,
        default=engine.Anchor.TERM_END,
    )
    value_amount = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency, default="EUR"
    )
    value_period = models.CharField(
        _("payment interval"), max_length=8, choices=ValuePeriod, default="month"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("contract owner"),
    )
    persons = models.ManyToManyField(
        "crm.Person",
        blank=True,
        related_name="contracts",
        verbose_name=_("responsible persons (customer)"),
    )
    notes = models.TextField(_("notes"), blank=True)
    reminder_lead_times = models.JSONField(
        _("reminder lead times (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: those of the contract type (default 90, 30, 7)."),
    )
    # Kept by the services from deadlines.py for today, so that lists, filters and
    # the reminder scan can use an index; the page always recomputes and explains.
    term_end = models.DateField(_("current term end"), null=True, editable=False)
    last_notice_day = models.DateField(_("last notice day"), null=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords(m2m_fields=["persons"], excluded_fields=["updated_at"])
    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["last_notice_day", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="contract_number_per_company"
            )
        ]
        indexes = [
            models.Index(
                fields=["last_notice_day", "id"], name="contract_last_notice_day"
            ),
            models.Index(fields=["customer", "status"], name="contract_customer"),
            models.Index(fields=["owner", "last_notice_day"], name="contract_owner"),
            models.Index(fields=["term_end", "id"], name="contract_term_end"),
            # The daily roll-over and reminder scan read active contracts by date
            # range only: ended contracts (the many, over the years) stay out.
            models.Index(
                fields=["last_notice_day"],
                condition=models.Q(status="active"),
                name="contract_active_notice",
            ),
            models.Index(
                fields=["term_end"],
                condition=models.Q(status__in=["active", "notice_given"]),
                name="contract_open_term_end",
            ),
            # The few contracts with lead times of their own, for the reminder scan.
            models.Index(
                fields=["last_notice_day"],
                condition=models.Q(reminder_lead_times__isnull=False, status="active"),
                name="contract_own_lead_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract_detail", args=[self.pk])

    @property
    def terms(self) -> engine.Terms:
        """The contract's terms as the deadline engine takes them."""
        return engine.Terms(
            start=self.start,
            initial_months=self.initial_months,
            renewal=engine.Renewal(self.renewal),
            renewal_months=self.renewal_months,
            notice=engine.Period(self.notice_amount, engine.Unit(self.notice_unit)),
            anchor=engine.Anchor(self.anchor),
            consumer=self.consumer,
            standard_terms=self.standard_terms,
            concluded=self.concluded_on,
        )

    @property
    def notice_period_display(self) -> str:
        """The notice period in the reader's language: "1 Monat", "3 months"."""
        return engine.format_period(self.terms.notice, get_language() or "de")

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def monthly_value(self) -> Decimal | None:
        """The recurring value per month (a yearly one counts a twelfth)."""
        if self.value_amount is None or self.value_period == ValuePeriod.ONCE:
            return None
        if self.value_period == ValuePeriod.YEAR:
            return _cents(self.value_amount / 12)
        return self.value_amount

    def notice_address(self) -> Address | None:
        """The customer's *current* notice address, else its postal address.

        A reference, never a copy: change the address once on the customer and
        every contract shows and uses the new one.
        """
        current = {
            address.purpose: address
            for address in Address.objects.filter(
                customer_id=self.customer_id,
                is_current=True,
                purpose__in=[AddressPurpose.NOTICE, AddressPurpose.POSTAL],
            )
        }
        return current.get(AddressPurpose.NOTICE) or current.get(AddressPurpose.POSTAL)


class NoticeParty(models.TextChoices):
    CUSTOMER = "customer", _("the customer")
    US = "us", _("us")


class NoticeChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    ONLINE = "online", _("Online termination button (§ 312k BGB)")
    IN_PERSON = "in_person", _("In person")


class Notice(CompanyOwned):
    """Notice given on a contract: who, how, when it was received, and its effect."""

    company_from = ("contract",)

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="notices"
    )
    given_by = models.CharField(_("given by"), max_length=16, choices=NoticeParty)
    channel = models.CharField(_("received by"), max_length=16, choices=NoticeChannel)
    # What counts is receipt (§ 130 BGB), to the minute: § 312k asks for date and time.
    received_at = models.DateTimeField(_("received at"))
    ends_on = models.DateField(_("contract ends on"))
    confirmation_sent_at = models.DateTimeField(
        _("receipt confirmed at"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        from django.utils.formats import date_format

        return _("%(contract)s: notice to %(day)s") % {
            "contract": self.contract.number,
            "day": date_format(self.ends_on, "SHORT_DATE_FORMAT"),
        }


def document_path(version: DocumentVersion, filename: str) -> str:
    # Never the uploader's file name on disk: a random name with the detected type.
    return f"contract-documents/{uuid.uuid4().hex}.{version.extension}"


class ContractDocument(CompanyOwned):
    """A document of a contract (the contract itself, an annex, a letter), versioned."""

    company_from = ("contract",)

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class DocumentVersion(CompanyOwned):
    company_from = ("document",)

    document = models.ForeignKey(
        ContractDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="contract_document_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(CompanyOwned):
    """A user's personal iCalendar URL in one company (it lists that company's
    deadlines); the token is the only key, so it can be replaced (revoking the
    old URL) at any time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="calendar_feed_per_company"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class ReminderKind(models.TextChoices):
    NOTICE = "notice", _("Last notice day")
    TERM_END = "term_end", _("Term end")


class ReminderDigest(CompanyOwned):
    """The one e-mail a recipient gets on a day from one company, listing their
    due reminders there."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder e-mail")
        verbose_name_plural = _("reminder e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "company", "day"],
                name="reminder_digest_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"


class Reminder(CompanyOwned):
    """One reminder of one deadline, for one lead time and one recipient: the unique
    constraint makes it exactly-once however often the daily scan runs."""

    company_from = ("contract",)

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("deadline"), max_length=16, choices=ReminderKind)
    deadline = models.DateField(_("date"))
    lead_days = models.PositiveIntegerField(_("days ahead"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contract_reminders",
        verbose_name=_("recipient"),
    )
    escalation = models.BooleanField(_("escalation"), default=False)
    digest = models.ForeignKey(
        ReminderDigest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "contract_id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "deadline", "lead_days", "recipient"],
                name="reminder_exactly_once",
            )
        ]
        indexes = [
            models.Index(fields=["digest", "recipient"], name="reminder_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.kind} {self.deadline} -{self.lead_days}"
