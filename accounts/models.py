"""Companies (Mandanten), users and teams.

Roles and team membership are Django groups (see roles.py): a role is a group of
one company (CompanyRole), a team is a group of one company (Team). A user
belongs to the companies in which they hold a role, and works in one at a time
(User.company, chosen in the user menu).
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro")
    CHF = "CHF", _("Swiss franc")


class Country(models.TextChoices):
    DE = "DE", _("Germany")
    AT = "AT", _("Austria")
    CH = "CH", _("Switzerland")


def default_business_days() -> list[int]:
    return [1, 2, 3, 4, 5]


class Company(models.Model):
    """A company (Mandant): everything it owns carries its id (company_id).

    What used to be a process-wide setting (COMPANY_LAND, SUPERVISORY_AUTHORITY,
    DATA_REVIEW_MONTHS, ...) is a field here; the settings are the defaults of a
    new company (accounts.services.company_defaults).
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=50, blank=True)
    # Lines of the postal address, as it stands in a letter's sender block.
    address = models.TextField(_("address"), blank=True)
    letterhead = models.TextField(
        _("letterhead"),
        blank=True,
        help_text=_("Further lines of letters and PDFs: register, managing directors."),
    )
    logo = models.FileField(_("logo"), upload_to="company-logos/", blank=True)
    email = models.EmailField(
        _("sender e-mail"),
        blank=True,
        help_text=_("Sender of the company's e-mails; empty: the installation's."),
    )
    country = models.CharField(
        _("country"), max_length=2, choices=Country.choices, default=Country.DE
    )
    land = models.CharField(
        _("state"),
        max_length=3,
        blank=True,
        help_text=_("For public holidays, e.g. BY or NW; empty: nationwide only."),
    )
    supervisory_authority = models.TextField(_("supervisory authority"), blank=True)
    data_review_months = models.PositiveSmallIntegerField(
        _("data review interval (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    business_hours_start = models.TimeField(
        _("business hours from"), default=datetime.time(8, 0)
    )
    business_hours_end = models.TimeField(
        _("business hours until"), default=datetime.time(17, 0)
    )
    # ISO weekdays (1 Monday .. 7 Sunday) on which the company works.
    business_days = models.JSONField(_("business days"), default=default_business_days)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    # Lost updates: a save names the version it was edited from (core.versioning).
    version = models.PositiveIntegerField(_("version"), default=1)
    # The version of the confidentiality commitment in force (0: none yet);
    # read with the session's user, so the gate costs no query (see
    # accounts.middleware.CommitmentMiddleware).
    commitment_version = models.PositiveIntegerField(
        _("commitment version"), default=0, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    business_hours_start__lt=models.F("business_hours_end")
                ),
                name="company_business_hours_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [line for line in self.address.splitlines() if line.strip()]

    @property
    def letterhead_lines(self) -> list[str]:
        return [line for line in self.letterhead.splitlines() if line.strip()]

    @property
    def sender_email(self) -> str:
        return self.email or settings.DEFAULT_FROM_EMAIL


class CompanyRole(models.Model):
    """One role (Staff, Manager, DPO, Admin) in one company: its members hold it there.

    The group carries the role's model permissions (roles.sync_role_groups) and
    its members; a user's roles in their current company are one query with
    their teams (accounts.permissions.access_of).
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("company"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="company_role"
    )

    class Meta:
        verbose_name = _("company role")
        verbose_name_plural = _("company roles")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "role"], name="company_role_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.get_role_display()}"


class User(AbstractUser):
    # The company the user works in now (the user menu switches it); one of the
    # companies in which they hold a role, or any company for a superuser.
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current company"),
    )
    # {company id: version of its confidentiality commitment this user accepted}:
    # a copy of the latest CommitmentAcceptance per company, read with the user.
    accepted_commitments = models.JSONField(default=dict, editable=False)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="de",
        help_text=_("Language of the pages and of the e-mails this user receives."),
    )
    # Lost updates on the administration's user page (core.versioning).
    version = models.PositiveIntegerField(_("version"), default=1)

    # Password hashes and login times are no audit matter and stay out of history;
    # groups are: they are the user's roles and teams (who may see what).
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "accepted_commitments"],
        m2m_fields=["groups"],
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class TeamQuerySet(models.QuerySet):
    def of_company(self, company_id: int | None) -> TeamQuerySet:
        return self.filter(company_id=company_id)

    def of_member_or_manager(self, user: User) -> TeamQuerySet:
        """Teams the user is a member or the manager of."""
        return self.filter(
            models.Q(manager=user)
            | models.Exists(
                Group.user_set.through.objects.filter(
                    group_id=models.OuterRef("group_id"), user_id=user.pk
                )
            )
        )

    def managed_by(self, user: User) -> TeamQuerySet:
        """Teams the user manages."""
        return self.filter(manager=user)


class Team(models.Model):
    """A group of users of one company who share customers; managed by one manager."""

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=100)
    # The team's own group: membership, and the grantee of guardian's
    # group object permissions when a record is shared with the whole team.
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="team", verbose_name=_("group")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # a team outlives its manager's account
        null=True,
        blank=True,
        related_name="managed_teams",
        verbose_name=_("manager"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()
    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="team_name_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "slug"], name="team_slug_per_company"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:administration") + f"#team-{self.slug}"


class UserSessionQuerySet(models.QuerySet):
    def active(self, *, now) -> UserSessionQuerySet:
        """Sessions that still sign someone in (expire_date holds the timeouts)."""
        return self.filter(expire_date__gt=now)

    def of_user(self, user: User) -> UserSessionQuerySet:
        """The sessions of one user."""
        return self.filter(user=user)


class UserSession(AbstractBaseSession):
    """A session, and the only place it lives (accounts.sessions, the engine).

    The row is the session: a session whose row is gone signs nobody in, whatever
    a cache may still hold. The columns beside the data are copied from it on
    every save, for the user's list of sessions and for ending them by user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("user"),
    )
    # A digest of the key: names the session in pages and forms, where the key
    # itself (the credential) must never appear.
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = BaseSessionManager.from_queryset(UserSessionQuerySet)()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


class NumberCounter(models.Model):
    """The last number given out per company and kind (customers, contracts, ...).

    accounts.numbers.next_number increments it in one statement: the row lock
    serializes the numbers of one company (gapless, K-000001 once per company)
    and leaves other companies' creations alone.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind"], name="number_counter_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} {self.value}"


class CompanyOwned(models.Model):
    """A row of one company: its company_id on the row itself, not only through
    a join (every query filters it; a distributed PostgreSQL shards by it).

    A row below another (a person below its customer) names that parent in
    `company_from` and inherits the parent's company when saved; it never
    differs from it.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("company"),
        editable=False,
    )
    # The parent(s) whose company the row inherits: the first one set.
    company_from: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A parent already loaded is checked; one named by id only is loaded
        # just when the row does not name its company itself (no extra query
        # for a caller that knows it, as the access log's writer does).
        parent = self._company_parent(load=self.company_id is None)
        if parent is not None:
            if self.company_id is None:
                self.company_id = parent.company_id
            elif parent.company_id != self.company_id:
                raise ValueError(
                    f"{type(self).__name__} of company {self.company_id} below "
                    f"a {type(parent).__name__} of company {parent.company_id}"
                )
        super().save(*args, **kwargs)

    def _company_parent(self, *, load: bool):
        for name in self.company_from:
            field = self._meta.get_field(name)
            if getattr(self, field.attname) is not None:
                if load or field.is_cached(self):
                    return getattr(self, name)
                return None
        return None


class CommitmentText(CompanyOwned):
    """A version of the company's confidentiality commitment (Verpflichtung auf
    die Vertraulichkeit), worded by its DPO. A new version asks everyone again."""

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="commitment_texts",
        verbose_name=_("company"),
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("wording"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("worded by"),
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("confidentiality commitment")
        verbose_name_plural = _("confidentiality commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "version"], name="commitment_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class CommitmentAcceptance(CompanyOwned):
    """One user's acceptance of one version: kept as the record (who, which
    version, when)."""

    company_from = ("text",)

    text = models.ForeignKey(
        CommitmentText,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("commitment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commitment_acceptances",
        verbose_name=_("user"),
    )
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-accepted_at", "-id"]
        verbose_name = _("commitment acceptance")
        verbose_name_plural = _("commitment acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["text", "user"], name="commitment_accepted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} v{self.text_id}"
