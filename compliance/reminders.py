"""Reminders to the DPO: a request is due in 7 days, and tomorrow. Sent once.

Like the contract reminders: the daily task computes from the database which
requests are in a reminder window (so a missed day is caught up), writes one
row per (request, lead time, due date) under a unique constraint, and sends
each unsent row in its own transaction that marks it sent. Recipients: every
active user with the DPO role.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from compliance.models import DataSubjectRequest, RequestReminder
from core.dates import lead_window
from core.outbox import message_id, send_each_once, site_url

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
                RequestReminder(request=request, lead_days=lead, due_on=request.due_on)
            )
    before = RequestReminder.objects.count()
    RequestReminder.objects.bulk_create(rows, ignore_conflicts=True)
    return RequestReminder.objects.count() - before


def request_reminders_send() -> int:
    """Send every unsent reminder (each marked sent in the transaction that sends)."""
    recipients = list(
        User.objects.filter(is_active=True, groups__name=Role.DPO)
        .exclude(email="")
        .distinct()
    )

    def send(reminder: RequestReminder) -> None:
        if reminder.request.is_open:
            for user in recipients:
                _send(reminder, user)

    return send_each_once(
        RequestReminder.objects.filter(sent_at__isnull=True).select_related("request"),
        send,
    )


def _send(reminder: RequestReminder, user: User) -> None:
    base = site_url()
    with translation.override(user.language):
        context = {
            "reminder": reminder,
            "req": reminder.request,
            "user": user,
            "url": base + reminder.request.get_absolute_url(),
        }
        subject = render_to_string("compliance/email/request_due_subject.txt", context)
        text = render_to_string("compliance/email/request_due.txt", context)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[user.email],
        headers={"Message-ID": message_id("request-reminder", reminder.pk, user.pk)},
    ).send()
