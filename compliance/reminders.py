"""Reminders to the DPO: a request is due in 7 days, and tomorrow. Sent once.

Like the contract reminders: the daily task computes from the database which
requests are in a reminder window (so a missed day is caught up), writes one
row per (request, lead time, due date) under a unique constraint, and queues
one outbox e-mail per (reminder, DPO) (core.outbox: exactly once per key,
retried on its own when a mailbox refuses). Recipients: every active user with
the DPO role.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import EmailMultiAlternatives

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import commitment_pending
from compliance.models import DataSubjectRequest, RequestReminder
from core import outbox
from core.dates import lead_window
from core.models import OutboxMessage
from core.outbox import site_url

LEADS = (7, 1)


def request_reminders_plan(*, today: date) -> int:
    """Write the reminder rows due today; returns how many are new."""
    horizon = today + timedelta(days=max(LEADS))
    rows = []
    for request in DataSubjectRequest.objects.open().filter(
        due_on__gte=today, due_on__lte=horizon
    ):
        lead = lead_window(request.due_on, LEADS, today)
        if lead is not None:
            rows.append(
                RequestReminder(
                    company_id=request.company_id,  # bulk_create: no save()
                    request=request,
                    lead_days=lead,
                    due_on=request.due_on,
                )
            )
    before = RequestReminder.objects.count()
    RequestReminder.objects.bulk_create(rows, ignore_conflicts=True)
    return RequestReminder.objects.count() - before


REMINDER = "request-reminder"


def request_reminders_send() -> int:
    """Queue every unsent reminder once per DPO and send them; returns e-mails sent.

    One outbox row per (reminder, recipient): a refused mailbox is retried on its
    own and never makes another DPO get the same reminder again.
    """
    # Each company's reminders go to that company's DPOs only.
    recipients: dict[int, list[int]] = {}
    dpos = set(
        User.objects.filter(
            is_active=True,
            groups__company_role__role=Role.DPO,
        )
        .exclude(email="")
        .values_list("pk", "groups__company_role__company_id")
        .distinct()
    )
    # A DPO who has not accepted the current commitment is reminded once they have.
    for user_id, company_id in sorted(dpos - commitment_pending(dpos)):
        recipients.setdefault(company_id, []).append(user_id)
    unsent = RequestReminder.objects.filter(sent_at__isnull=True).values_list(
        "pk", "company_id"
    )
    outbox.enqueue(
        (REMINDER, reminder_id, user_id)
        for reminder_id, company_id in unsent
        for user_id in recipients.get(company_id, [])
    )
    return outbox.deliver(kinds=[REMINDER])


def _reminder_sent(message: OutboxMessage, now) -> None:
    # The reminder's "sent" is its first delivered e-mail.
    RequestReminder.objects.filter(pk=message.object_id, sent_at__isnull=True).update(
        sent_at=now
    )


@outbox.kind(REMINDER, on_sent=_reminder_sent)
def _render(message: OutboxMessage) -> EmailMultiAlternatives | None:
    reminder = (
        RequestReminder.objects.select_related("request", "company")
        .filter(pk=message.object_id)
        .first()
    )
    user = message.recipient
    if reminder is None or user is None or not reminder.request.is_open:
        return None
    if not user.is_active or not user.email:
        return None
    context = {
        "reminder": reminder,
        "req": reminder.request,
        "user": user,
        "url": site_url() + reminder.request.get_absolute_url(),
    }
    return outbox.render_mail(
        template="compliance/email/request_due",
        context=context,
        to=[user.email],
        language=user.language,
        from_email=reminder.company.sender_email,
    )
