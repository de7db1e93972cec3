"""One outbox for every e-mail the app sends: exactly once per key, retried on failure.

A producer writes an OutboxMessage (kind, source row id, optional staff recipient)
in the transaction that makes the message due; its unique `key` makes a rerun or
a retried task write nothing. `deliver` then sends each due row:

1. claim it in a short transaction (SELECT ... FOR UPDATE SKIP LOCKED on the
   outbox row only) and mark it "sending" with a lease; commit;
2. render and send it with no transaction and no row lock open (the SMTP
   connection has settings.EMAIL_TIMEOUT), so a hung mail server holds nothing
   that a user's login or another worker needs;
3. mark it sent (and its source row, through the kind's `on_sent`), or record
   the failure (attempts, last_error) and the next attempt after a backoff; the
   loop goes on with the next row.

A worker killed while sending leaves the row "sending" until its lease runs
out; then any deliver() sends it again with the same Message-ID (derived from
the key), so mail clients fold the one possible copy. The beat task
core.outbox_deliver picks up retries and leftovers every minute.
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from core.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("crm.outbox")

Render = Callable[[OutboxMessage], EmailMessage | None]
OnSent = Callable[[OutboxMessage, datetime], None]


@dataclass(frozen=True)
class Kind:
    name: str
    render: Render  # the e-mail for a row, or None: nothing to send any more
    on_sent: OnSent | None = None  # marks the source row, in the same transaction


KINDS: dict[str, Kind] = {}


def kind(name: str, *, on_sent: OnSent | None = None) -> Callable[[Render], Render]:
    """Register the renderer of a kind of message (used as a decorator)."""

    def register(render: Render) -> Render:
        KINDS[name] = Kind(name=name, render=render, on_sent=on_sent)
        return render

    return register


def key_of(kind_name: str, object_id: int, recipient_id: int | None = None) -> str:
    """The exactly-once key of a message: kind, source row and recipient."""
    parts = [kind_name, str(object_id)]
    if recipient_id is not None:
        parts.append(str(recipient_id))
    return ":".join(parts)


def enqueue(
    messages: Iterable[tuple[str, int] | tuple[str, int, int | None]],
) -> int:
    """Write outbox rows for (kind, object id[, recipient id]); returns how many
    are new (an existing key is left as it is)."""
    now = timezone.now()
    rows = []
    for kind_name, object_id, *rest in messages:
        recipient_id = rest[0] if rest else None
        rows.append(
            OutboxMessage(
                kind=kind_name,
                key=key_of(kind_name, object_id, recipient_id),
                object_id=object_id,
                recipient_id=recipient_id,
                next_attempt_at=now,
            )
        )
    if not rows:
        return 0
    keys = [row.key for row in rows]
    before = OutboxMessage.objects.filter(key__in=keys).count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return OutboxMessage.objects.filter(key__in=keys).count() - before


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: doubling from the base, capped."""
    base = settings.OUTBOX_RETRY_BASE.total_seconds()
    cap = settings.OUTBOX_RETRY_MAX.total_seconds()
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


_ADDRESS = re.compile(r"\S+@\S+")


def describe(error: BaseException) -> str:
    """The failure as stored and logged: type and SMTP code, no e-mail addresses."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in error.recipients.values()})
        return f"{name} {' '.join(str(code) for code in codes)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name} {error.smtp_code}"
    return f"{name}: {_ADDRESS.sub('<address>', str(error))}"[:300]


def deliver(*, kinds: Iterable[str] | None = None, budget: float | None = None) -> int:
    """Send every due message (of `kinds`), each on its own; returns e-mails sent.

    Stops claiming new rows after `budget` seconds (default
    settings.OUTBOX_BATCH_SECONDS), so a task stays within its time limit; the
    periodic task sends the rest.
    """
    kinds = list(kinds) if kinds is not None else None
    budget = settings.OUTBOX_BATCH_SECONDS if budget is None else budget
    until = time.monotonic() + budget
    sent = 0
    while time.monotonic() < until:
        message = _claim(kinds)
        if message is None:
            break
        sent += _send(message)
    return sent


def deliver_soon() -> None:
    """Ask a worker to deliver now (after commit); the periodic task is the net."""
    from core.tasks import outbox_deliver_task

    outbox_deliver_task.delay()


def _claim(kinds: list[str] | None) -> OutboxMessage | None:
    """Take one due row with a lease, in a transaction of its own."""
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, lease_until__lt=now)  # a dead sender's
        )
        if kinds is not None:
            due = due.filter(kind__in=kinds)
        # Only the outbox row is locked (no join), and only for this claim.
        message = (
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        message.status = OutboxStatus.SENDING
        message.lease_until = now + settings.OUTBOX_LEASE
        message.attempts += 1
        message.save(update_fields=["status", "lease_until", "attempts"])
    return message


def _send(message: OutboxMessage) -> int:
    """Render and send one claimed row outside any transaction; 1 if an e-mail left."""
    registered = KINDS.get(message.kind)
    email = None
    try:
        if registered is None:
            raise LookupError(f"no renderer for outbox kind {message.kind!r}")
        email = registered.render(message)
        if email is not None:
            email.extra_headers.setdefault("Message-ID", _message_id_of(message))
            email.send()
    except Exception as error:
        _record_failure(message, error)
        return 0
    now = timezone.now()
    with transaction.atomic():
        mine = OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxStatus.SENDING, attempts=message.attempts
        ).update(status=OutboxStatus.SENT, sent_at=now, lease_until=None)
        if mine and registered.on_sent is not None:
            registered.on_sent(message, now)
    return int(email is not None)


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    reason = describe(error)
    now = timezone.now()
    gave_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, attempts=message.attempts
    ).update(
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
        last_error=reason,
        lease_until=None,
        next_attempt_at=now + retry_delay(message.attempts),
    )
    logger.warning(
        "outbox %s attempt %s failed%s: %s",
        message.key,
        message.attempts,
        " (given up)" if gave_up else "",
        reason,
    )


def _message_id_of(message: OutboxMessage) -> str:
    return message_id(*message.key.split(":"))


def render_mail(
    *,
    template: str,
    context: dict,
    to: list[str],
    language: str,
    headers: dict | None = None,
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """The one mail helper: `<template>_subject.txt`, `<template>.txt` and, when
    it exists, `<template>.html`, rendered in the recipient's language; from
    `from_email` (a company's sender) or DEFAULT_FROM_EMAIL."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        try:
            html = get_template(f"{template}.html").render(context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=from_email,
        to=to,
        headers=headers or {},
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


def site_url() -> str:
    """The address links in e-mails point to (settings.SITE_URL), no trailing /."""
    return settings.SITE_URL.rstrip("/")


def message_id(*parts) -> str:
    """A stable Message-ID for a queued message: a resend carries the same one."""
    domain = urlsplit(site_url()).hostname or "localhost"
    return f"<{'-'.join(str(part) for part in parts)}@{domain}>"
