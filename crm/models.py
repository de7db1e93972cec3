"""Customers (organizations and private persons), their persons, addresses and
the communication timeline; who may see them is decided in `visible_to`."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import CompanyOwned
from accounts.permissions import access_of
from accounts.roles import CUSTOMER_EDIT_ROLES, Role
from core.dates import add_months
from core.fields import EncryptedDateField, EncryptedTextField
from crm.validation import COUNTRIES, detail_label

# Names sort by German rules (Schäfer before Schweizer, Ärzte next to Arzt), not
# by bytes: migration 0009 creates this collation, ICU German where the server has
# ICU, else a copy of "C" (with a warning). The name indexes use it, so keyset
# paging by name stays an index scan.
NAME_COLLATION = "crm_german"


def default_next_review(
    today: date | None = None, *, months: int | None = None
) -> date:
    """The next data review: the company's interval (`months`; else the
    installation's DATA_REVIEW_MONTHS, default six) from today."""
    return add_months(today or date.today(), months or settings.DATA_REVIEW_MONTHS)


class CustomerKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    PRIVATE = "private", _("Private customer")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    FORMER = "former", _("Former")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    MEETING = "meeting", _("Meeting")


class Salutation(models.TextChoices):
    NONE = "", _("(none)")
    MS = "ms", _("Ms")
    MR = "mr", _("Mr")
    DIVERSE = "mx", _("Mx")


_permission_ids: dict[tuple[str, str], int] = {}


def customer_permission_id(perm: str) -> int:
    """The id of crm's view_/change_customer permission, looked up once per process.

    Kept out of the visibility SQL (no join to auth_permission in every EXISTS);
    forgotten after every migrate or flush, which may give permissions new ids.
    """
    from django.contrib.auth.models import Permission
    from django.db import connection

    key = (connection.settings_dict["NAME"], perm)
    if key not in _permission_ids:
        _permission_ids[key] = Permission.objects.get(
            content_type__app_label="crm", codename=f"{perm}_customer"
        ).pk
    return _permission_ids[key]


def forget_permission_ids(**kwargs) -> None:
    """post_migrate (also sent by flush): permission ids may have changed."""
    _permission_ids.clear()


def _scope(access, perm: str) -> str:
    """ "none", "all" or "some" customers the user may `perm`, from their roles."""
    if perm == "change" and not access.roles & CUSTOMER_EDIT_ROLES:
        return "none"  # e.g. the DPO: reads, never edits
    if Role.ADMIN in access.roles:
        return "all"
    if perm == "view" and Role.DPO in access.roles:
        return "all"  # the DPO reads everything (and changes nothing, see above)
    return "some"


def customer_visibility(user, *, ref: str, perm: str) -> Q:
    """The one condition for "user may `perm` this customer" on a customer key.

    `ref` names the customer's primary key on the queried model ("pk" on
    Customer, "customer_id" below it). Owner and team are plain indexed columns;
    grants are an EXISTS on guardian's direct foreign-key tables (never ids as text).
    """
    access = access_of(user)
    scope = _scope(access, perm)
    # The company first: its column is on every row (the customer's and each
    # row below it), and nothing of another company is ever seen.
    company = Q(company_id=access.company_id)
    if scope != "some":
        return company if scope == "all" else Q(pk__in=[])
    prefix = "" if ref == "pk" else "customer__"
    condition = Q(**{f"{prefix}owner_id": user.pk})
    if access.team_ids:
        condition |= Q(**{f"{prefix}team_id__in": sorted(access.team_ids)})
    permission_id = customer_permission_id(perm)
    condition |= Exists(
        CustomerUserObjectPermission.objects.filter(
            content_object_id=OuterRef(ref),
            user_id=user.pk,
            permission_id=permission_id,
        )
    )
    if access.group_ids:
        condition |= Exists(
            CustomerGroupObjectPermission.objects.filter(
                content_object_id=OuterRef(ref),
                group_id__in=sorted(access.group_ids),
                permission_id=permission_id,
            )
        )
    # A restricted customer (Art. 18) is stored, not used: hidden from everyone
    # but the DPO and Admin.
    return company & condition & Q(**{f"{prefix}restricted_until__isnull": True})


def person_shown(user, *, prefix: str = "") -> Q:
    """The Art. 18 rule on a person key: a restricted person is shown only to the
    DPO and Admin (Q() for them; else "not restricted").

    `prefix` reaches the person from another model ("person__" on a disclosure;
    a row without a person passes, since the join is a LEFT JOIN). Every query
    that reaches a person uses this, through PersonQuerySet.shown_to or directly.
    """
    if _scope(access_of(user), "view") == "all":
        return Q()
    return Q(**{f"{prefix}restricted_until__isnull": True})


def visible_customer_ids(user, *, perm: str) -> Q:
    """The same rule as `customer_visibility`, as `customer_id IN (a UNION)`.

    For rows across many customers (contract lists, the calendar feed): the
    planner estimates a UNION of owner/team customers and grants well, and
    reaches the rows by their customer_id index. The OR of EXISTS above is
    estimated at half of all rows, which made it scan every contract.
    """
    access = access_of(user)
    scope = _scope(access, perm)
    company = Q(company_id=access.company_id)
    if scope != "some":
        return company if scope == "all" else Q(pk__in=[])
    own = Q(owner_id=user.pk)
    if access.team_ids:
        own |= Q(team_id__in=sorted(access.team_ids))
    permission_id = customer_permission_id(perm)
    ids = (
        Customer.objects.filter(own, company, restricted_until__isnull=True)
        .order_by()
        .values("pk")
        .union(
            CustomerUserObjectPermission.objects.filter(
                user_id=user.pk, permission_id=permission_id
            ).values("content_object_id")
        )
    )
    if access.group_ids:
        ids = ids.union(
            CustomerGroupObjectPermission.objects.filter(
                group_id__in=sorted(access.group_ids), permission_id=permission_id
            ).values("content_object_id")
        )
    # Grants name customers by id only: restricted ones are taken out here.
    return company & Q(customer_id__in=ids) & Q(customer__restricted_until__isnull=True)


def review_due_condition(*, today: date, prefix: str = "") -> Q:
    """The one definition of "data review due" on a customer key (see review_due).

    `prefix` reaches the customer from another model ("customers__" on Team).
    """
    return Q(
        **{
            f"{prefix}next_review_on__lte": today,
            f"{prefix}restricted_until__isnull": True,
        }
    ) & ~Q(**{f"{prefix}status": CustomerStatus.FORMER})


class CustomerQuerySet(models.QuerySet):
    def review_due(self, *, today: date) -> CustomerQuerySet:
        """Customers whose data review is due: its date is today or earlier.

        Due on the day itself (not only the day after). Left out: customers under
        an Art. 18 restriction (stored, not used; compliance erases them when the
        hold ends) and former customers (their data is kept or erased by the
        retention rules, not reviewed). Every count, list, digest and filter of
        "review due" uses this method (or review_due_condition in an annotation).
        """
        return self.filter(review_due_condition(today=today))

    def visible_to(self, user) -> CustomerQuerySet:
        """Customers the user may see: owner, team, manager, grant, DPO, Admin."""
        return self.filter(customer_visibility(user, ref="pk", perm="view"))

    def editable_by(self, user) -> CustomerQuerySet:
        """Customers the user may change (the DPO reads only)."""
        return self.filter(customer_visibility(user, ref="pk", perm="change"))


class Tag(CompanyOwned):
    name = models.CharField(_("name"), max_length=50)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="crm_tag_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Customer(CompanyOwned):
    """A customer: an organization with contact persons, or a private person."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default="organization"
    )
    number = models.CharField(_("customer number"), max_length=20)
    # For private customers the name is kept equal to the person's full name.
    name = models.CharField(_("name"), max_length=200, db_collation=NAME_COLLATION)
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default="prospect"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # reassign customers before removing a user
        related_name="owned_customers",
        verbose_name=_("account owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("team"),
    )
    key_account = models.BooleanField(_("key account"), default=False)
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("tags"))
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    vat_id = models.CharField(_("VAT ID"), max_length=20, blank=True)
    # Encrypted at rest (core.fields); validated and normalized by the form.
    iban = EncryptedTextField(_("IBAN"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    next_review_on = models.DateField(
        _("next data review"), default=default_next_review
    )
    last_reviewed_on = models.DateField(
        _("last data review"), null=True, blank=True, editable=False
    )
    # Art. 18 restriction: an erasure that a retention duty holds back. Until
    # then only the DPO and Admin see the customer (compliance erases it then).
    restricted_until = models.DateField(
        _("restricted until"), null=True, blank=True, editable=False
    )
    # Lost updates: a save must name the version it was edited from.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Normalized words for the search (see crm/search.py), kept by the services.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_text", "updated_at"], m2m_fields=["tags"]
    )
    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="crm_customer_number_per_company"
            )
        ]
        indexes = [
            models.Index(fields=["company", "name", "id"], name="crm_customer_name_id"),
            models.Index(
                fields=["company", "-updated_at", "-id"], name="crm_customer_updated"
            ),
            models.Index(fields=["owner", "name", "id"], name="crm_customer_owner"),
            models.Index(fields=["team", "name", "id"], name="crm_customer_team"),
            models.Index(fields=["next_review_on"], name="crm_customer_review"),
            models.Index(fields=["vat_id"], name="crm_customer_vat"),
            # Full text on the folded words: the search's exact phase.
            GinIndex(
                SearchVector("search_text", config="simple"),
                name="crm_customer_search_fts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse("crm:customer_detail", args=[self.pk])

    @property
    def review_due(self) -> bool:
        """This row by the rule of CustomerQuerySet.review_due, as of today."""
        return (
            self.next_review_on <= timezone.localdate()
            and self.restricted_until is None
            and self.status != CustomerStatus.FORMER
        )

    @property
    def is_private(self) -> bool:
        return self.kind == CustomerKind.PRIVATE


class CustomerUserObjectPermission(UserObjectPermissionBase):
    """A customer shared with one user (guardian, direct foreign key)."""

    content_object = models.ForeignKey(
        Customer, on_delete=models.CASCADE, verbose_name=_("customer")
    )
    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("share with a user")
        verbose_name_plural = _("shares with users")
        indexes = [models.Index(fields=["content_object", "user"])]


class CustomerGroupObjectPermission(GroupObjectPermissionBase):
    """A customer shared with a team's group (guardian, direct foreign key)."""

    content_object = models.ForeignKey(
        Customer, on_delete=models.CASCADE, verbose_name=_("customer")
    )
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("share with a team")
        verbose_name_plural = _("shares with teams")
        indexes = [models.Index(fields=["content_object", "group"])]


class ChildQuerySet(models.QuerySet):
    """Rows under a customer: visible exactly when their customer is."""

    def shown_to(self, user) -> ChildQuerySet:
        """Rows of an already authorized customer the user may see (all of them;
        persons restricted under Art. 18 are the exception, see PersonQuerySet)."""
        return self

    def visible_to(self, user) -> ChildQuerySet:
        return self.filter(customer_visibility(user, ref="customer_id", perm="view"))

    def editable_by(self, user) -> ChildQuerySet:
        return self.filter(customer_visibility(user, ref="customer_id", perm="change"))

    def across_visible(self, user) -> ChildQuerySet:
        """Visible rows for lists across many customers (see visible_customer_ids);
        for one customer's rows `visible_to` is the cheaper plan."""
        return self.filter(visible_customer_ids(user, perm="view"))


class PersonQuerySet(ChildQuerySet):
    """Persons: a restricted one (Art. 18) is seen only by the DPO and Admin."""

    def shown_to(self, user) -> PersonQuerySet:
        """Leave out restricted persons unless the user may see everything."""
        return self.filter(person_shown(user))

    def hidden_from(self, user) -> PersonQuerySet:
        """The restricted persons among these that `user` may not see (none for
        the DPO and Admin): for sources that name persons by id (history rows)."""
        if _scope(access_of(user), "view") == "all":
            return self.none()
        return self.filter(restricted_until__isnull=False)

    def usable(self) -> PersonQuerySet:
        """Persons that new records may name (a restricted one is only stored)."""
        return self.filter(restricted_until__isnull=True)

    def visible_to(self, user) -> PersonQuerySet:
        return super().visible_to(user).shown_to(user)

    def editable_by(self, user) -> PersonQuerySet:
        return super().editable_by(user).usable()

    def across_visible(self, user) -> PersonQuerySet:
        return super().across_visible(user).shown_to(user)


class Person(CompanyOwned):
    """A contact person of an organization, or the private customer themself."""

    company_from = ("customer",)

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="persons",
        verbose_name=_("customer"),
    )
    salutation = models.CharField(
        _("salutation"), max_length=4, choices=Salutation.choices, blank=True
    )
    title = models.CharField(_("title"), max_length=50, blank=True)
    first_name = models.CharField(
        _("first name"), max_length=100, blank=True, db_collation=NAME_COLLATION
    )
    last_name = models.CharField(
        _("last name"), max_length=100, db_collation=NAME_COLLATION
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    email_secondary = models.EmailField(_("second e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)  # E.164
    birthday = EncryptedDateField(_("birthday"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel.choices, blank=True
    )
    personal_notes = EncryptedTextField(_("personal notes"), blank=True)
    # Art. 18 for one contact of an organization (a private customer is
    # restricted as a whole, on Customer): only the DPO and Admin see them.
    restricted_until = models.DateField(
        _("restricted until"), null=True, blank=True, editable=False
    )
    search_text = models.TextField(editable=False, default="")
    # Lost updates: a save names the version it was edited from (core.versioning);
    # a database default too, for rows written by COPY (seed_bench) or imports.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["customer", "last_name"], name="crm_person_customer"),
            models.Index(fields=["email"], name="crm_person_email"),
            models.Index(fields=["phone"], name="crm_person_phone"),
            models.Index(fields=["mobile"], name="crm_person_mobile"),
            GinIndex(
                SearchVector("search_text", config="simple"),
                name="crm_person_search_fts",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("crm:person_detail", args=[self.customer_id, self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)


class DetailLines(list):
    """Delivery details: the lines as typed, in order; "a; b" wherever shown as text
    (the history, the access report)."""

    def __str__(self) -> str:
        return "; ".join(self)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(label, value) per line for a definition list; label "" when it has none."""
        return [detail_label(line) for line in self]


class DetailLinesField(models.JSONField):
    """A JSON list of strings read as DetailLines.

    Rows written before 0008 (or by an erasure that writes {}) may still hold the
    former {"label": "value"} object: read as "label: value" lines.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self._lines(super().from_db_value(value, expression, connection))

    def to_python(self, value):
        return self._lines(super().to_python(value))

    @staticmethod
    def _lines(value):
        if value is None:
            return value
        if isinstance(value, dict):
            return DetailLines(f"{label}: {text}" for label, text in value.items())
        if isinstance(value, list):
            return DetailLines(str(line) for line in value)
        return value


class AddressPurpose(models.TextChoices):
    BILLING = "billing", _("Billing address")
    DELIVERY = "delivery", _("Delivery address")
    POSTAL = "postal", _("Postal address")
    NOTICE = "notice", _("Notice address")


class AddressQuerySet(ChildQuerySet):
    def current(self) -> AddressQuerySet:
        return self.filter(is_current=True)


class Address(CompanyOwned):
    """An address of a customer for one purpose; one current address per purpose."""

    company_from = ("customer",)

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("customer"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=AddressPurpose)
    is_current = models.BooleanField(_("current"), default=True)
    recipient = models.CharField(_("recipient / c/o"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(
        _("country"), max_length=2, choices=COUNTRIES, default="DE"
    )
    # Free lines in the user's order, e.g. ["Gate height: 3.5 m", "Ring at the
    # gate"]: a JSON list, since jsonb re-sorts an object's keys and an object
    # cannot hold a line without a label.
    details = DetailLinesField(_("delivery details"), default=list, blank=True)
    # Lost updates: a save names the version it was edited from (core.versioning);
    # a database default too, for rows written by COPY (seed_bench) or imports.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AddressQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "-is_current", "-id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose"],
                condition=Q(is_current=True),
                name="crm_address_one_current_per_purpose",
            )
        ]
        indexes = [models.Index(fields=["postcode"], name="crm_address_postcode")]

    def __str__(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"

    @property
    def lines(self) -> list[str]:
        lines = [self.recipient, self.street, f"{self.postcode} {self.city}"]
        if self.country != "DE":
            lines.append(str(self.get_country_display()))
        return [line for line in lines if line]


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    LETTER = "letter", _("Letter")
    NOTE = "note", _("Note")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")
    INTERNAL = "internal", _("Internal")


class Interaction(CompanyOwned):
    """One contact with the customer on its timeline: call, e-mail, meeting, ..."""

    company_from = ("customer",)

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("channel"), max_length=16, choices=InteractionKind)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction, default="out"
    )
    occurred_at = models.DateTimeField(_("time"))
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the record of the contact outlives the account
        null=True,
        related_name="interactions",
        verbose_name=_("recorded by"),
    )
    persons = models.ManyToManyField(
        Person, blank=True, related_name="interactions", verbose_name=_("persons")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=["persons"])
    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(
                fields=["customer", "-occurred_at", "-id"], name="crm_interaction_time"
            ),
            models.Index(
                fields=["customer", "kind", "-occurred_at", "-id"],
                name="crm_interaction_kind",
            ),
        ]

    def __str__(self) -> str:
        """The subject and the day: how a reader finds the entry on the timeline."""
        from django.utils import formats, timezone

        if self.occurred_at is None:
            return self.subject
        day = timezone.localtime(self.occurred_at)
        return f"{self.subject} ({formats.date_format(day, 'SHORT_DATE_FORMAT')})"
