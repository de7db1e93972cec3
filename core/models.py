"""Plumbing rows shared by every app: the outbox of e-mails to send, heartbeats."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("given up")


class OutboxMessage(models.Model):
    """One e-mail to send, exactly once per `key` (core.outbox delivers it).

    It holds references only (kind, the source row's id, a staff recipient): the
    message is rendered from the source row when it is sent, so no personal data
    is copied here and an erased person's message renders to nothing.
    """

    kind = models.CharField(_("kind"), max_length=64)
    key = models.CharField(_("key"), max_length=200, unique=True)
    object_id = models.BigIntegerField(_("source row"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            # What deliver() claims: open rows by their next attempt.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_open_due",
                condition=models.Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return self.key


class Heartbeat(models.Model):
    """When beat, a worker, or a daily task last showed life (core.liveness)."""

    # "beat", "worker", or a task name such as "contracts.send_reminders".
    name = models.CharField(max_length=100, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
