"""Data reviews: each account owner gets one e-mail a day about their customers
whose review is due (data minimisation, Art. 5(1)(c) GDPR), exactly once.

The digest row (owner, day) is unique; it is written, then sent in its own
transaction that marks it sent, so a rerun or a retried task sends nothing
twice and a crashed one leaves it for the next run.
"""

from __future__ import annotations

from datetime import date

from django.core.mail import EmailMultiAlternatives
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from compliance.models import ReviewDigest
from core.outbox import message_id, send_each_once, site_url
from crm.models import Customer

LISTED = 50  # customers named in one e-mail; the rest are counted


def _due(today: date):
    return Customer.objects.review_due(today=today)


def review_digests_send(*, today: date) -> int:
    """Plan today's digests (one per owner with customers due) and send them."""
    for owner_id, count in (
        _due(today).values_list("owner_id").annotate(n=Count("id")).order_by()
    ):
        ReviewDigest.objects.get_or_create(
            owner_id=owner_id, day=today, defaults={"customers": count}
        )
    return send_each_once(
        ReviewDigest.objects.filter(day=today, sent_at__isnull=True).select_related(
            "owner"
        ),
        lambda digest: _send(digest, today),
    )


def _send(digest: ReviewDigest, today: date) -> None:
    owner: User = digest.owner
    if not owner.email or not owner.is_active:
        return
    customers = list(
        _due(today).filter(owner=owner).order_by("next_review_on", "name")[:LISTED]
    )
    base = site_url()
    with translation.override(owner.language):
        context = {
            "owner": owner,
            "customers": customers,
            "more": max(0, digest.customers - len(customers)),
            "base": base,
            "count": digest.customers,
        }
        subject = render_to_string("compliance/email/reviews_subject.txt", context)
        text = render_to_string("compliance/email/reviews.txt", context)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[owner.email],
        headers={"Message-ID": message_id("review-digest", digest.pk)},
    ).send()
