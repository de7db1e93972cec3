"""Follow-up tasks (Wiedervorlagen): every write on them, and the daily digest.

A task hangs on a customer and may name one of its persons or contracts. Who may
change the customer may add and change its tasks (crm.policy: the DPO reads
every task and changes none); the assignee is a member of the company who can
see the customer. A restricted customer (Art. 18) gets no new tasks. Tasks are
never deleted: a mistaken one is marked done, so the history shows what was
planned and by whom (a customer's erasure anonymizes them with the rest).

The digest: once a day every assignee with open tasks due today or overdue gets
one e-mail per company (TaskDigest, unique per recipient, company and day; its
outbox row is written once), from the company's sender, in their language.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import commitment_pending, company_members
from contracts.models import Contract
from core import audit, outbox
from core.errors import NotPossible, PermissionRefused, messages
from core.models import OutboxMessage
from core.outbox import site_url
from core.versioning import lock_version
from crm import policy
from crm.models import Customer, Person, person_shown
from service.models import Priority, Task, TaskDigest

messages(
    {
        "task_customer_restricted": _(
            "This customer's data is restricted (Art. 18 GDPR): no new tasks "
            "until the data protection officer lifts the restriction."
        ),
        "contract_of_other_customer": _("This contract belongs to another customer."),
        "case_of_other_customer": _("This case belongs to another customer."),
    }
)

# Due days outside this range are typing mistakes (0202 for 2026), not plans.
EARLIEST_YEAR_BACK = 1
LATEST_YEARS_AHEAD = 10


def as_member_of(user: User, company_id: int) -> User:
    """The user as seen while working in `company_id` (visibility is computed in
    the current company; an assignee may be working in another one right now)."""
    if user.company_id == company_id:
        return user
    probe = copy.copy(user)
    probe.company_id = company_id
    probe.__dict__.pop("_crm_access", None)
    probe.__dict__.pop("_crm_editable_ids", None)
    return probe


def assignee_error(assignee: User | None, customer: Customer) -> str | None:
    """Why `assignee` cannot take work on the customer, or None."""
    if assignee is None:
        return _("Choose who does it.")
    if not assignee.is_active:
        return _("This user is no longer active.")
    if not company_members(customer.company_id).filter(pk=assignee.pk).exists():
        return _("Choose a member of the company.")
    probe = as_member_of(assignee, customer.company_id)
    if not Customer.objects.visible_to(probe).filter(pk=customer.pk).exists():
        return _("This user cannot see the customer.")
    return None


def _clean(
    *,
    customer: Customer,
    title: str,
    due_on: date | None,
    due_at: time | None,
    assignee: User | None,
    priority: str,
    person: Person | None,
    contract: Contract | None,
    today: date,
    case=None,
) -> dict:
    """The task's fields, normalized, or a ValidationError by field."""
    title = " ".join((title or "").split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what is to be done.")
    elif len(title) > 200:
        errors["title"] = _("At most 200 characters.")
    if due_on is None:
        errors["due_on"] = (
            _("A time needs a day.") if due_at else _("Enter the day it is due.")
        )
    elif not (
        today.year - EARLIEST_YEAR_BACK
        <= due_on.year
        <= today.year + LATEST_YEARS_AHEAD
    ):
        errors["due_on"] = _("Enter a day between %(first)s and %(last)s.") % {
            "first": today.year - EARLIEST_YEAR_BACK,
            "last": today.year + LATEST_YEARS_AHEAD,
        }
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    assignee_problem = assignee_error(assignee, customer)
    if assignee_problem:
        errors["assignee"] = assignee_problem
    if errors:
        raise ValidationError(errors)
    if person is not None:
        policy.usable_persons(customer.pk, [person])
    if contract is not None and contract.customer_id != customer.pk:
        raise PermissionRefused(code="contract_of_other_customer")
    if case is not None and case.customer_id != customer.pk:
        raise PermissionRefused(code="case_of_other_customer")
    return {
        "title": title,
        "due_on": due_on,
        "due_at": due_at,
        "assignee": assignee,
        "priority": priority,
        "person": person,
        "contract": contract,
        **({"case": case} if case is not None else {}),
    }


def _require_change(actor: User | None, customer: Customer) -> None:
    policy.require_change(actor, customer.pk)
    if customer.restricted_until is not None:
        raise NotPossible(code="task_customer_restricted")


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    customer: Customer,
    title: str,
    due_on: date | None,
    assignee: User | None,
    due_at: time | None = None,
    priority: str = Priority.NORMAL,
    person: Person | None = None,
    contract: Contract | None = None,
    today: date | None = None,
    case=None,
) -> Task:
    """A new follow-up on the customer (and one of its persons, contracts or
    cases)."""
    _require_change(actor, customer)
    fields = _clean(
        customer=customer,
        title=title,
        due_on=due_on,
        due_at=due_at,
        assignee=assignee,
        priority=priority,
        person=person,
        contract=contract,
        today=today or timezone.localdate(),
        case=case,
    )
    task = Task(customer=customer, created_by=actor, **fields)
    audit.save(task, actor=actor)
    return task


@transaction.atomic
def task_update(
    *,
    task: Task,
    actor: User | None,
    version: int | None,
    title: str,
    due_on: date | None,
    assignee: User | None,
    due_at: time | None = None,
    priority: str = Priority.NORMAL,
    person: Person | None = None,
    contract: Contract | None = None,
    today: date | None = None,
) -> Task:
    """Change a task edited from `version` (StaleEdit when saved meanwhile)."""
    customer = task.customer
    _require_change(actor, customer)
    locked = lock_version(task, version)
    fields = _clean(
        customer=customer,
        title=title,
        due_on=due_on,
        due_at=due_at,
        assignee=assignee,
        priority=priority,
        person=person,
        contract=contract,
        today=today or timezone.localdate(),
    )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    audit.save(locked, actor=actor)
    return locked


@transaction.atomic
def task_complete(
    *, task: Task, actor: User | None, now: datetime | None = None
) -> Task:
    """Mark the task done (a second click changes nothing)."""
    policy.require_change(actor, task.customer_id)
    locked = _locked(task)
    if locked.done_at is None:
        locked.done_at = now or timezone.now()
        locked.done_by = actor
        locked.version += 1
        audit.save(locked, actor=actor)
    return locked


@transaction.atomic
def task_reopen(*, task: Task, actor: User | None) -> Task:
    """Open a done task again (a restricted customer's stays as it is)."""
    customer = task.customer
    _require_change(actor, customer)
    locked = _locked(task)
    if locked.done_at is not None:
        locked.done_at = None
        locked.done_by = None
        locked.version += 1
        audit.save(locked, actor=actor)
    return locked


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).get(pk=task.pk)


# --- The daily digest -------------------------------------------------------------

DIGEST = "task-digest"


def task_digests_send(*, today: date) -> int:
    """Queue one e-mail per (assignee, company) with open tasks due by today and
    send them; returns e-mails sent. A rerun the same day queues nothing new."""
    waiting = set(
        Task.objects.due_by(today=today)
        .usable()
        .filter(assignee__is_active=True)
        .exclude(assignee__email="")
        .values_list("assignee_id", "company_id")
        .distinct()
    )
    # No customer names by e-mail before the company's commitment is accepted.
    waiting -= commitment_pending(waiting)
    for recipient_id, company_id in sorted(waiting):
        with transaction.atomic():
            digest, created = TaskDigest.objects.get_or_create(
                recipient_id=recipient_id, company_id=company_id, day=today
            )
            if created:
                outbox.enqueue([(DIGEST, digest.pk)])
    return outbox.deliver(kinds=[DIGEST])


def _digest_sent(message: OutboxMessage, now) -> None:
    TaskDigest.objects.filter(pk=message.object_id).update(sent_at=now)


@outbox.kind(DIGEST, on_sent=_digest_sent)
def _render_digest(message: OutboxMessage) -> EmailMultiAlternatives | None:
    digest = (
        TaskDigest.objects.select_related("recipient", "company")
        .filter(pk=message.object_id)
        .first()
    )
    if digest is None:
        return None
    recipient: User = digest.recipient
    if not recipient.is_active or not recipient.email:
        return None
    # As of the digest's day; what was done meanwhile is left out, and so is
    # what the recipient may no longer see (moved to another team, restricted).
    reader = as_member_of(recipient, digest.company_id)
    tasks = list(
        Task.objects.visible_to(reader)
        .filter(person_shown(reader, prefix="person__"), assignee=recipient)
        .due_by(today=digest.day)
        .usable()
        .select_related("customer")
        .order_by("due_on", "due_at", "id")
    )
    if not tasks:
        return None
    context = {
        "recipient": recipient,
        "tasks": tasks,
        "overdue": [task for task in tasks if task.due_on < digest.day],
        "today": [task for task in tasks if task.due_on == digest.day],
        "base": site_url(),
        "day": digest.day,
        "company": digest.company,
    }
    return outbox.render_mail(
        template="service/email/task_digest",
        context=context,
        to=[recipient.email],
        language=recipient.language,
        from_email=digest.company.sender_email,
    )
