"""Users and teams. Roles and team membership are Django groups (see roles.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="de",
        help_text=_("Language of the pages and of the e-mails this user receives."),
    )

    # Password hashes and login times are no audit matter and stay out of history;
    # groups are: they are the user's roles and teams (who may see what).
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], m2m_fields=["groups"]
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class TeamQuerySet(models.QuerySet):
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
    """A group of users who share customers; managed by one manager."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
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

    history = HistoricalRecords()
    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

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
