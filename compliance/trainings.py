"""Data protection trainings: the DPO records who was trained when, until when.

Art. 39(1)(b) GDPR makes training the staff a task of the DPO; a training is
repeated (usually yearly), so each one is valid until a day. The latest one of
a user in a company counts (compliance.training_status). Its holder is
reminded TRAINING_REMINDER_DAYS before it ends, once per training (core.outbox:
the key is the training's id and the user); a newer training by send time
makes the reminder moot. With TRAINING_BLOCKS_ACCESS on, a user without a valid
training sees no page with personal data (compliance.middleware).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import access_of
from accounts.roles import COMPLIANCE_ROLES
from accounts.selectors import company_members
from compliance.models import Training
from compliance.training_status import TrainingStatus, training_status
from core import audit, outbox
from core.errors import PermissionRefused, messages
from core.models import OutboxMessage
from core.outbox import site_url

messages(
    {
        "training_dpo_only": _(
            "Only the data protection officer or an administrator records trainings."
        ),
        "training_not_member": _(
            "Trainings are recorded for members of the company only."
        ),
    }
)

STATUS_LABELS = {
    TrainingStatus.MISSING: _("missing"),
    TrainingStatus.EXPIRED: _("expired"),
    TrainingStatus.EXPIRING: _("expires soon"),
    TrainingStatus.VALID: _("valid"),
}


def status_of(valid_until: date | None, *, today: date) -> TrainingStatus:
    """The status of a latest training ending on `valid_until`, with the
    installation's reminder days."""
    return training_status(
        valid_until, today=today, reminder_days=settings.TRAINING_REMINDER_DAYS
    )


def _company_of(actor: User) -> int:
    """The actor's current company, where they are DPO or Admin; else refused."""
    access = access_of(actor)
    if not access.roles & COMPLIANCE_ROLES:
        raise PermissionRefused(code="training_dpo_only")
    return access.company_id


@transaction.atomic
def training_record(
    *,
    actor: User,
    users: Iterable[User],
    held_on: date | None,
    topic: str,
    valid_until: date | None,
    today: date | None = None,
) -> list[Training]:
    """One training for each participant of a session (one or many users of
    the actor's company), recorded by its DPO or Admin."""
    company_id = _company_of(actor)
    today = today or timezone.localdate()
    users = list(users)
    topic = (topic or "").strip()
    errors: dict[str, str] = {}
    if not users:
        errors["users"] = _("Choose at least one participant.")
    if not topic:
        errors["topic"] = _("Name the topic of the training.")
    if held_on is None:
        errors["held_on"] = _("Enter the day of the training.")
    elif held_on > today:
        errors["held_on"] = _("A training is recorded once it was held.")
    if valid_until is None:
        errors["valid_until"] = _("Enter the day until which the training is valid.")
    elif held_on is not None and valid_until <= held_on:
        errors["valid_until"] = _("The training must be valid beyond its day.")
    if errors:
        raise ValidationError(errors)
    wanted = {user.pk for user in users}
    members = set(
        company_members(company_id).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if wanted - members:
        raise PermissionRefused(code="training_not_member")
    recorded = []
    for user in sorted(users, key=lambda user: user.pk):
        training = Training(
            company_id=company_id,
            user=user,
            held_on=held_on,
            topic=topic,
            valid_until=valid_until,
            recorded_by=actor,
        )
        audit.save(training, actor=actor)  # save(): one history row each
        recorded.append(training)
    return recorded


@transaction.atomic
def training_delete(*, actor: User, training: Training) -> None:
    """Delete a mistaken entry; its history (with the deleting user) keeps it."""
    company_id = _company_of(actor)
    if training.company_id != company_id:
        raise PermissionRefused(code="other_company")
    audit.delete(training, actor=actor)


def training_needed(user, *, today: date) -> bool:
    """Whether the setting asks for a valid training and the user has none in
    their current company. No query while TRAINING_BLOCKS_ACCESS is off; one
    on the index (company, user, valid_until) when it is on."""
    if not settings.TRAINING_BLOCKS_ACCESS:
        return False
    if not user.is_authenticated or user.company_id is None:
        return False
    return not (
        Training.objects.of_company(user.company_id)
        .filter(user_id=user.pk)
        .valid_on(today)
        .exists()
    )


# --- Reminders --------------------------------------------------------------------

REMINDER = "training-expiring"


def _member_here():
    """The training's user still holds a role in the training's company."""
    return models.Exists(
        User.groups.through.objects.filter(
            user_id=models.OuterRef("user_id"),
            group__company_role__company_id=models.OuterRef("company_id"),
        )
    )


def training_reminders_send(*, today: date) -> int:
    """Queue one reminder per latest training that ends within the reminder
    days (its holder active, with an e-mail, still a member) and send them;
    returns e-mails sent. A rerun queues nothing new (the outbox key)."""
    horizon = today + timedelta(days=settings.TRAINING_REMINDER_DAYS)
    due = (
        Training.objects.latest_per_user()
        .filter(valid_until__gte=today, valid_until__lte=horizon)
        .filter(_member_here(), user__is_active=True)
        .exclude(user__email="")
        .values_list("pk", "user_id")
    )
    outbox.enqueue((REMINDER, pk, user_id) for pk, user_id in due)
    return outbox.deliver(kinds=[REMINDER])


@outbox.kind(REMINDER)
def _render(message: OutboxMessage) -> EmailMultiAlternatives | None:
    training = (
        Training.objects.latest_per_user()
        .select_related("user", "company")
        .filter(pk=message.object_id)
        .first()
    )
    if training is None:
        return None  # deleted, or replaced by a newer training meanwhile
    user = training.user
    if not user.is_active or not user.email:
        return None
    context = {
        "training": training,
        "user": user,
        "company": training.company,
        "url": site_url() + reverse("training:status"),
    }
    return outbox.render_mail(
        template="compliance/email/training_expiring",
        context=context,
        to=[user.email],
        language=user.language,
        from_email=training.company.sender_email,
    )
