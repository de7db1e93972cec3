"""Sending each queued message exactly once, whatever crashes or runs twice.

A row (reminder, digest) is written first under a unique constraint; then each
unsent row is sent in its own transaction that locks it and marks it sent. A
second worker skips a locked row; a crash before the commit leaves it unsent
for the next run. The only window for a double e-mail is between the mail
server's acceptance and the commit (callers give each message a stable
Message-ID, so mail clients fold such a copy).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone


def send_each_once(unsent: QuerySet, send: Callable[[Model], None]) -> int:
    """Send every row of `unsent` (rows with `sent_at` NULL); returns how many."""
    sent = 0
    for pk in list(unsent.values_list("pk", flat=True)):
        with transaction.atomic():
            row = (
                unsent.select_for_update(skip_locked=True)
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if row is None:
                continue  # another worker has it, or it was sent meanwhile
            send(row)
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
            sent += 1
    return sent


def site_url() -> str:
    """The address links in e-mails point to (settings.SITE_URL), no trailing /."""
    return settings.SITE_URL.rstrip("/")


def message_id(*parts) -> str:
    """A stable Message-ID for a queued message: a resend carries the same one."""
    domain = urlsplit(site_url()).hostname or "localhost"
    return f"<{'-'.join(str(part) for part in parts)}@{domain}>"
