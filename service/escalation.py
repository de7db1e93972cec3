"""Escalation of SLA targets: the owner is told when a target of a case is due
soon, the team's manager when it is missed; each e-mail exactly once.

Every few minutes (service.tasks) the scan reads the open cases whose warning
time has passed for a target whose escalation has not reached its end. It reads
them through the partial indexes service_case_response_scan and
service_case_resolution_scan, which hold only open cases still to be escalated,
so its cost follows what is due, not how many cases there are. For each due
(case, target) it writes one CaseAlert (unique per case, target, stage and
cycle) with its outbox row, and moves the case's stage column on; the outbox
then delivers, and a crashed worker's alert is sent again when its lease ends.

- The stage goes 0 (none) -> 1 (due soon, to the owner) -> 2 (missed, to the
  team's active manager; without one, to the owner). A case first seen past its
  due time gets only the "missed" e-mail: a late "due soon" would be stale.
- A reopening starts a new cycle (service.cases): its resolution is escalated
  anew; the first response, once given, stays given.
- What cannot be told yet is left as it is and looked at again by the next
  scan: a restricted customer (Art. 18: stored, not used), a recipient who is
  inactive, has no e-mail or has not accepted the company's current
  confidentiality commitment. A waiting case is not in the scan at all (its
  resolution clock stands: no due time).
- The e-mail is rendered when sent, and not at all when the case is no longer
  open, the target was met meanwhile, the recipient left or may no longer see
  the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from accounts.selectors import commitment_pending
from core import outbox
from core.models import OutboxMessage
from core.outbox import site_url
from crm.models import Customer, person_shown
from service.followups import as_member_of
from service.models import (
    OPEN_STATUSES,
    AlertStage,
    Case,
    CaseAlert,
    CaseQuerySet,
    SlaTargetKind,
)

ALERT = "case-alert"


@dataclass(frozen=True)
class Target:
    """Where a target's clock and escalation live on the case."""

    kind: str
    warn: str  # column: when the owner is warned
    due: str  # column: when the target is missed
    stage: str  # column: how far its escalation has gone (AlertStage)
    unmet: Q  # the target is still to be met (part of its partial index)


TARGETS = (
    Target(
        kind=SlaTargetKind.RESPONSE,
        warn="response_warn_at",
        due="response_due_at",
        stage="response_alert",
        unmet=Q(first_response_at__isnull=True),
    ),
    Target(
        kind=SlaTargetKind.RESOLUTION,
        warn="resolution_warn_at",
        due="resolution_due_at",
        stage="resolution_alert",
        unmet=Q(),  # resolved and closed cases are not open
    ),
)
TARGET_OF = {target.kind: target for target in TARGETS}


@dataclass(frozen=True)
class Due:
    """One alert the scan is about to write."""

    case_id: int
    company_id: int
    cycle: int
    target: Target
    stage: int
    due_at: datetime
    recipient_id: int


def due_for_alert(target: Target, *, now: datetime) -> CaseQuerySet:
    """Open cases with an alert of `target` due at `now`: its warning time
    passed and "due soon" not yet sent, or its due time passed and "missed" not
    yet sent (through the target's partial index; restricted customers are
    left out by the caller)."""
    # status, unmet and stage < BREACHED are the partial index's condition
    # (literally, so the planner can prove it), warn <= now its range.
    return Case.objects.filter(
        target.unmet,
        status__in=OPEN_STATUSES,
        **{f"{target.stage}__lt": AlertStage.BREACHED, f"{target.warn}__lte": now},
    ).filter(
        Q(**{f"{target.stage}__lt": AlertStage.SOON}) | Q(**{f"{target.due}__lte": now})
    )


def _recipient(
    *, owner: tuple[int, bool, str], manager: tuple[int | None, bool, str], stage: int
) -> int | None:
    """Who is told: the owner of "due soon"; the team's active manager of
    "missed", else the owner. None when that user cannot be written to."""
    manager_id, manager_active, manager_email = manager
    if stage == AlertStage.BREACHED and manager_id is not None and manager_active:
        return manager_id if manager_email else None
    owner_id, owner_active, owner_email = owner
    return owner_id if owner_active and owner_email else None


def _due(*, now: datetime) -> list[Due]:
    """The alerts due at `now` (one query per target, one for restrictions)."""
    found = []
    customers: dict[int, int] = {}  # case: customer
    for target in TARGETS:
        rows = (
            due_for_alert(target, now=now)
            .order_by(target.warn, "pk")
            .values_list(
                "pk",
                "customer_id",
                "company_id",
                "cycle",
                target.due,
                target.stage,
                "owner_id",
                "owner__is_active",
                "owner__email",
                "team__manager_id",
                "team__manager__is_active",
                "team__manager__email",
            )
        )
        for pk, customer_id, company_id, cycle, due_at, stage, *people in rows:
            missed = due_at is not None and due_at <= now
            # Past its due time: straight to "missed", never a stale "due soon".
            next_stage = AlertStage.BREACHED if missed else AlertStage.SOON
            if next_stage <= stage:
                continue
            recipient_id = _recipient(
                owner=tuple(people[:3]), manager=tuple(people[3:]), stage=next_stage
            )
            if recipient_id is None:
                continue  # looked at again by the next scan
            customers[pk] = customer_id
            found.append(
                Due(
                    case_id=pk,
                    company_id=company_id,
                    cycle=cycle,
                    target=target,
                    stage=next_stage,
                    due_at=due_at,
                    recipient_id=recipient_id,
                )
            )
    # A restricted customer (Art. 18) is stored, not used: its cases wait. Asked
    # by key afterwards, not joined: joined, the planner misjudged how few rows
    # are due and hashed every customer of the company (bench: 6 ms at 10,000).
    restricted = set(
        Customer.objects.filter(
            pk__in=set(customers.values()), restricted_until__isnull=False
        ).values_list("pk", flat=True)
    )
    return [d for d in found if customers[d.case_id] not in restricted]


CHUNK = 500  # alerts written per statement (after an outage there may be many)


@transaction.atomic
def escalation_plan(*, now: datetime) -> int:
    """Write the alerts due at `now` (each once) with their outbox rows and move
    the cases' stages on; returns how many are new. A rerun writes nothing."""
    due = _due(now=now)
    # No customer names by e-mail before the company's commitment is accepted:
    # those alerts wait (the stage stays) until the recipient has accepted it.
    pending = commitment_pending({(d.recipient_id, d.company_id) for d in due})
    due = [d for d in due if (d.recipient_id, d.company_id) not in pending]
    written = 0
    for start in range(0, len(due), CHUNK):
        written += _write(due[start : start + CHUNK])
    return written


def _write(due: list[Due]) -> int:
    """The alerts, their outbox rows and the stages, in a few statements."""
    if not due:
        return 0
    # One row per case, target, stage and cycle: the unique constraint turns a
    # rerun, a retried task or a scan running alongside into no-ops.
    CaseAlert.objects.bulk_create(
        [
            CaseAlert(
                case_id=d.case_id,
                company_id=d.company_id,
                target=d.target.kind,
                stage=d.stage,
                cycle=d.cycle,
                due_at=d.due_at,
                recipient_id=d.recipient_id,
            )
            for d in due
        ],
        ignore_conflicts=True,
    )
    keys = {(d.case_id, d.target.kind, d.stage, d.cycle) for d in due}
    ids = [
        pk
        for pk, *key in CaseAlert.objects.filter(
            case_id__in={d.case_id for d in due}
        ).values_list("pk", "case_id", "target", "stage", "cycle")
        if tuple(key) in keys
    ]
    # The outbox key is the alert's: one e-mail per alert, however often it is
    # queued (a row queued before is left as it is).
    written = outbox.enqueue([(ALERT, pk) for pk in sorted(ids)])
    groups: dict[tuple[str, int, int], list[int]] = {}
    for d in due:
        groups.setdefault((d.target.kind, d.stage, d.cycle), []).append(d.case_id)
    for (kind, stage, cycle), case_ids in groups.items():
        target = TARGET_OF[kind]
        # Deliberately no history row (QuerySet.update): the stage columns are
        # the scan's bookkeeping, excluded from the case's history. The cycle
        # guards against a reopening in between (its stages start anew).
        Case.objects.filter(
            pk__in=case_ids, cycle=cycle, **{f"{target.stage}__lt": stage}
        ).update(**{target.stage: stage})
    return written


def escalation_scan(*, now: datetime) -> int:
    """Write the alerts due at `now` and send every pending one; returns
    e-mails sent. A rerun at the same moment sends nothing new."""
    escalation_plan(now=now)
    return outbox.deliver(kinds=[ALERT])


def _alert_sent(message: OutboxMessage, now) -> None:
    CaseAlert.objects.filter(pk=message.object_id).update(sent_at=now)


def still_due(alert: CaseAlert, case: Case) -> datetime | None:
    """The target's due time when the alert still makes sense to send: the case
    is open in the alert's cycle and its customer usable, the target unmet (a
    resolution's clock running), and a "due soon" not overtaken by the
    "missed" of the same target. Else None."""
    if not case.is_open or case.customer.restricted_until is not None:
        return None
    target = TARGET_OF[alert.target]
    if alert.target == SlaTargetKind.RESPONSE and case.first_response_at is not None:
        return None
    if alert.target == SlaTargetKind.RESOLUTION and case.cycle != alert.cycle:
        return None  # resolved and reopened since: the new cycle has its own
    due_at = getattr(case, target.due)
    if due_at is None:  # waiting: the clock stands
        return None
    if alert.stage == AlertStage.SOON and getattr(case, target.stage) >= (
        AlertStage.BREACHED
    ):
        return None  # the scan has written the "missed" meanwhile
    return due_at


@outbox.kind(ALERT, on_sent=_alert_sent)
def _render_alert(message: OutboxMessage) -> EmailMultiAlternatives | None:
    alert = (
        CaseAlert.objects.select_related("recipient", "company")
        .filter(pk=message.object_id)
        .first()
    )
    if alert is None:
        return None
    recipient: User = alert.recipient
    if not recipient.is_active or not recipient.email:
        return None
    # The case as the recipient may still see it (moved to another team, a
    # contact person restricted meanwhile: nothing), as the digest of tasks does.
    reader = as_member_of(recipient, alert.company_id)
    case = (
        Case.objects.visible_to(reader)
        .filter(person_shown(reader, prefix="person__"), pk=alert.case_id)
        .select_related("customer", "owner")
        .first()
    )
    if case is None:
        return None
    due_at = still_due(alert, case)
    if due_at is None:
        return None
    context = {
        "recipient": recipient,
        "case": case,
        "target": alert.target,
        "breached": alert.stage == AlertStage.BREACHED,
        "due_at": due_at,
        "link": site_url() + case.get_absolute_url(),
        "company": alert.company,
    }
    return outbox.render_mail(
        template="service/email/case_alert",
        context=context,
        to=[recipient.email],
        language=recipient.language,
        from_email=alert.company.sender_email,
    )
