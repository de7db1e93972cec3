"""Data reviews: each account owner gets one e-mail a day about their customers
whose review is due (data minimisation, Art. 5(1)(c) GDPR), exactly once.

The digest row (owner, day) is unique and written with its outbox row
(core.outbox), so a rerun or a retried task sends nothing twice; a digest whose
sending failed is retried later, whatever day it is then.
"""

from __future__ import annotations

from datetime import date

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count

from accounts.models import User
from accounts.selectors import commitment_pending
from compliance.models import ReviewDigest
from core import outbox
from core.models import OutboxMessage
from core.outbox import site_url
from crm.models import Customer

LISTED = 50  # customers named in one e-mail; the rest are counted


def _due(today: date):
    return Customer.objects.review_due(today=today)


DIGEST = "review-digest"


def review_digests_send(*, today: date) -> int:
    """Plan today's digests (one per owner with customers due) and send them.

    Every due digest is sent, also one of an earlier day whose sending failed.
    """
    due = list(
        _due(today)
        .values_list("owner_id", "company_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    # An owner who has not accepted the current commitment gets the digest of
    # the day they have (the customers stay due until then).
    pending = commitment_pending({(owner, company) for owner, company, _n in due})
    for owner_id, company_id, count in due:
        if (owner_id, company_id) in pending:
            continue
        with transaction.atomic():
            digest, created = ReviewDigest.objects.get_or_create(
                owner_id=owner_id,
                company_id=company_id,
                day=today,
                defaults={"customers": count},
            )
            if created:
                outbox.enqueue([(DIGEST, digest.pk)])
    return outbox.deliver(kinds=[DIGEST])


def _digest_sent(message: OutboxMessage, now) -> None:
    ReviewDigest.objects.filter(pk=message.object_id).update(sent_at=now)


@outbox.kind(DIGEST, on_sent=_digest_sent)
def _render(message: OutboxMessage) -> EmailMultiAlternatives | None:
    digest = ReviewDigest.objects.select_related("owner", "company").filter(
        pk=message.object_id
    )
    digest = digest.first()
    if digest is None:
        return None
    if ReviewDigest.objects.filter(
        owner_id=digest.owner_id, company_id=digest.company_id, day__gt=digest.day
    ):
        return None  # a later day's digest lists what is due now
    owner: User = digest.owner
    if not owner.email or not owner.is_active:
        return None
    customers = list(
        _due(digest.day)
        .filter(owner=owner, company_id=digest.company_id)
        .order_by("next_review_on", "name")[:LISTED]
    )
    context = {
        "owner": owner,
        "customers": customers,
        "more": max(0, digest.customers - len(customers)),
        "base": site_url(),
        "count": digest.customers,
        "company": digest.company,
    }
    return outbox.render_mail(
        template="compliance/email/reviews",
        context=context,
        to=[owner.email],
        language=owner.language,
        from_email=digest.company.sender_email,
    )
