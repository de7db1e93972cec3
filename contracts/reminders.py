"""Reminders of contract deadlines: planned from the database, sent once.

The daily task (contracts.tasks) calls `reminders_plan` then `reminders_send`:

1. plan: every active contract whose next last notice day or term end lies within
   its longest lead time gets one Reminder row per (deadline, lead time,
   recipient) for the lead-time window today falls in. The unique constraint
   makes a second run (or a retried task) write nothing; what is due is computed
   from the dates, so a day the scheduler missed is caught up the next day.
2. send: each recipient's new reminders are attached to that day's digest (one
   per recipient and day, unique) whose outbox row (core.outbox) is written in
   the same transaction; then the outbox delivers every due digest, each on its
   own: a refused mailbox is retried later and the others go on; a crashed
   worker's digest is sent again when its lease ends, with the same Message-ID.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import commitment_pending
from contracts.models import (
    Contract,
    ContractStatus,
    ContractType,
    Reminder,
    ReminderDigest,
    ReminderKind,
    default_lead_times,
)
from core import outbox
from core.dates import lead_window
from core.errors import PermissionRefused, messages
from core.models import OutboxMessage, OutboxStatus
from core.outbox import site_url
from crm import policy

ESCALATION_DAYS = 7  # the team's manager is told when nobody acknowledged by then

messages(
    {
        "reminder_acknowledge_not_allowed": _(
            "You may read this contract but not acknowledge its deadlines."
        ),
    }
)


@dataclass(frozen=True)
class PlanResult:
    contracts: int
    written: int


def _lead_times(contract: Contract) -> list[int]:
    """The contract's own lead times, else its type's, else 90, 30 and 7 days."""
    leads = contract.reminder_lead_times or (
        contract.type.lead_times if contract.type else default_lead_times()
    )
    return sorted({int(lead) for lead in leads if int(lead) >= 0})


def _longest_type_lead() -> int:
    """The longest lead time of the defaults and the (few) contract types."""
    configured = [
        int(lead)
        for leads in ContractType.objects.values_list("lead_times", flat=True)
        for lead in leads
    ]
    return max([*default_lead_times(), *configured])


@transaction.atomic
def reminders_plan(*, today: date) -> PlanResult:
    """Write the reminder rows due today (idempotent; cost follows what is due)."""
    # Indexed ranges up to the types' longest lead; contracts with lead times of
    # their own (rare) are looked at whatever their date. So the cost follows what
    # is due, not how many contracts there are.
    horizon = today + timedelta(days=_longest_type_lead())
    contracts = list(
        # A restricted customer (Art. 18) is stored, not used: no reminders
        # name it (its staff could not open the contract anyway).
        Contract.objects.filter(
            status=ContractStatus.ACTIVE, customer__restricted_until__isnull=True
        )
        .filter(
            Q(last_notice_day__range=(today, horizon))
            | Q(term_end__range=(today, horizon))
            | Q(reminder_lead_times__isnull=False)  # a partial index holds these
        )
        .select_related("type", "customer__team", "owner")
    )
    group_ids = {c.customer.team.group_id for c in contracts}
    members = defaultdict(set)
    for group_id, user_id in Group.user_set.through.objects.filter(
        group_id__in=group_ids, user__is_active=True
    ).values_list("group_id", "user_id"):
        members[group_id].add(user_id)
    acknowledged = set(
        Reminder.objects.filter(
            contract__in=contracts, acknowledged_at__isnull=False
        ).values_list("contract_id", "kind", "deadline")
    )
    rows = []
    for contract in contracts:
        leads = _lead_times(contract)
        team = contract.customer.team
        # A disabled owner is reminded of nothing; the team still is.
        owner = {contract.owner_id} if contract.owner.is_active else set()
        recipients = owner | members[team.group_id]
        for kind, deadline in (
            (ReminderKind.NOTICE, contract.last_notice_day),
            (ReminderKind.TERM_END, contract.term_end),
        ):
            if deadline is None or deadline < today:
                continue
            lead = lead_window(deadline, leads, today)
            if lead is None:
                continue
            key = {
                "contract": contract,
                "kind": kind,
                "deadline": deadline,
                "lead_days": lead,
            }
            key["company_id"] = contract.company_id  # bulk_create: no save()
            rows.extend(Reminder(**key, recipient_id=user) for user in recipients)
            late = (deadline - today).days <= ESCALATION_DAYS
            if (
                kind == ReminderKind.NOTICE
                and late
                and team.manager_id
                and (contract.pk, kind, deadline) not in acknowledged
            ):
                rows.append(
                    Reminder(**key, recipient_id=team.manager_id, escalation=True)
                )
    # The unique constraint turns repeats into no-ops: exactly one row per key.
    # (ON CONFLICT DO NOTHING returns no ids: count what is new by id instead.)
    last = Reminder.objects.aggregate(last=Max("pk"))["last"] or 0
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    written = Reminder.objects.filter(pk__gt=last).count()
    return PlanResult(contracts=len(contracts), written=written)


DIGEST = "reminder-digest"


def reminders_send(*, today: date) -> int:
    """Send each recipient's new reminders as the day's digest; returns e-mails sent."""
    # One digest per recipient and company: each lists that company's contracts
    # and comes from that company's sender.
    waiting = set(
        Reminder.objects.filter(
            digest__isnull=True,
            acknowledged_at__isnull=True,
            recipient__is_active=True,
        )
        .values_list("recipient_id", "company_id")
        .distinct()
    )
    # Who has not accepted the company's current confidentiality commitment
    # gets no customer names by e-mail: their reminders wait until they have.
    waiting -= commitment_pending(waiting)
    for recipient_id, company_id in sorted(waiting):
        with transaction.atomic():
            digest, created = ReminderDigest.objects.get_or_create(
                recipient_id=recipient_id, company_id=company_id, day=today
            )
            if created:
                outbox.enqueue([(DIGEST, digest.pk)])
            # Reminders join the digest only while its e-mail is unclaimed: the
            # lock waits out a claim, and a claimed digest is not re-rendered.
            open_digest = OutboxMessage.objects.select_for_update(of=("self",)).filter(
                key=outbox.key_of(DIGEST, digest.pk), status=OutboxStatus.PENDING
            )
            if digest.sent_at is None and open_digest.exists():
                Reminder.objects.filter(
                    recipient_id=recipient_id,
                    company_id=company_id,
                    digest__isnull=True,
                    acknowledged_at__isnull=True,
                ).update(digest=digest)
    return outbox.deliver(kinds=[DIGEST])


def _digest_sent(message: OutboxMessage, now) -> None:
    ReminderDigest.objects.filter(pk=message.object_id).update(sent_at=now)


@outbox.kind(DIGEST, on_sent=_digest_sent)
def _render_digest(message: OutboxMessage) -> EmailMultiAlternatives | None:
    digest = (
        ReminderDigest.objects.select_related("recipient", "company")
        .filter(pk=message.object_id)
        .first()
    )
    if digest is None:
        return None
    recipient: User = digest.recipient
    reminders = list(
        digest.reminders.filter(contract__customer__restricted_until__isnull=True)
        .select_related("contract__customer")
        .order_by("deadline", "contract__number")
    )
    if not reminders or not recipient.email:
        return None
    context = {
        "recipient": recipient,
        "reminders": reminders,
        "base": site_url(),
        "day": digest.day,
        "company": digest.company,
    }
    return outbox.render_mail(
        template="contracts/email/digest",
        context=context,
        to=[recipient.email],
        language=recipient.language,
        from_email=digest.company.sender_email,
    )


@transaction.atomic
def reminder_acknowledge(*, reminder: Reminder, actor: User) -> int:
    """Acknowledge a deadline for everyone: no more escalation for it.

    Acknowledging changes what others are told (the manager's escalation), so
    it needs edit rights on the customer: the DPO and read-only shares are
    refused (PermissionRefused), whichever entry point calls this.
    """
    if not policy.may_change(actor, reminder.contract.customer_id):
        raise PermissionRefused(code="reminder_acknowledge_not_allowed")
    return Reminder.objects.filter(
        contract_id=reminder.contract_id,
        kind=reminder.kind,
        deadline=reminder.deadline,
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=timezone.now(), acknowledged_by=actor)
