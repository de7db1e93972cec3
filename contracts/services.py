"""Every write on contracts: one transaction each, with the acting user."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.numbers import next_number
from accounts.permissions import company_for
from contracts import deadlines as engine
from contracts.documents import CheckedFile
from contracts.models import (
    CalendarFeed,
    Contract,
    ContractDocument,
    ContractStatus,
    DocumentVersion,
    Notice,
    new_feed_token,
)
from core import audit
from core.errors import DomainError, NotPossible, PermissionRefused, allowed, messages
from core.versioning import lock_version
from crm import policy
from crm.models import Customer, Person

messages(
    {
        "notice_not_possible": gettext_lazy(
            "Notice can no longer be recorded: the contract is %(status)s."
        ),
        "notice_too_late": gettext_lazy(
            "Too late to end on %(wanted)s: the next possible end is %(next_end)s."
        ),
        "document_of_other_contract": gettext_lazy(
            "This document belongs to another contract."
        ),
    }
)


def refresh_dates(contract: Contract, *, today: date) -> engine.Deadlines:
    """Store the next last notice day ahead (and its term's end) for lists,
    the calendar and reminders; a passed deadline means the next term's."""
    result = engine.upcoming(contract.terms, today=today)
    if result.phase == "ended":
        contract.last_notice_day = None
        contract.term_end = engine.initial_end(contract.terms)  # the day it ended
        return result
    contract.term_end = result.term.end if result.term else None
    contract.last_notice_day = result.last_notice_day
    return result


def contracts_roll_over(*, today: date) -> int:
    """Carry stored deadlines past `today` forward; end contracts that have ended.

    An active contract whose last notice day passed without notice has renewed:
    it gets the next term's dates (so reminders follow the new deadline). A
    fixed term that has run out, and a contract whose notice took effect, become
    "ended". Run daily before the reminder scan; the partial indexes on active
    contracts keep the cost to what passed since the last run. Returns how many
    contracts changed; each change is saved with its history (actor: the system).
    """
    passed = Contract.objects.filter(
        Q(status=ContractStatus.ACTIVE)
        & (Q(last_notice_day__lt=today) | Q(term_end__lt=today))
        | Q(status=ContractStatus.NOTICE_GIVEN, term_end__lt=today)
    ).values_list("pk", flat=True)
    changed = 0
    for pk in list(passed):
        with transaction.atomic():
            contract = Contract.objects.select_for_update().get(pk=pk)
            before = (contract.status, contract.term_end, contract.last_notice_day)
            if contract.status == ContractStatus.NOTICE_GIVEN:
                contract.status, reason = ContractStatus.ENDED, _("Notice took effect")
            elif refresh_dates(contract, today=today).phase == "ended":
                contract.status, reason = ContractStatus.ENDED, _("Term ran out")
            else:
                reason = _("Renewed: the next term's deadlines")
            if (contract.status, contract.term_end, contract.last_notice_day) != before:
                contract.version += 1
                audit.save(contract, actor=None, reason=reason)
                changed += 1
    return changed


# What a form, the API or an import may set; dates, status changes by notice and
# the version are the service's own.
CONTRACT_FIELDS = frozenset(
    {
        "number", "title", "type", "status", "owner", "consumer", "standard_terms",
        "concluded_on", "start", "initial_months", "renewal", "renewal_months",
        "notice_amount", "notice_unit", "anchor", "value_amount", "currency",
        "value_period", "notes", "reminder_lead_times",
    }
)  # fmt: skip


def _require_own_company(contract: Contract, *, owner_changed: bool) -> None:
    """The contract's type and owner are of the customer's company."""
    if contract.type_id is not None and contract.type.company_id != contract.company_id:
        raise PermissionRefused(code="other_company")
    if owner_changed and contract.owner_id is not None:
        policy.require_member(contract.owner_id, contract.company_id)


@transaction.atomic
def contract_create(
    *,
    customer: Customer,
    actor: User | None,
    fields: dict,
    persons: Iterable[Person] = (),
    today: date,
) -> Contract:
    """Create a contract for the customer and compute its dates."""
    policy.require_change(actor, customer.pk)
    persons = policy.usable_persons(customer.pk, persons)
    contract = Contract(
        customer=customer,
        company_id=customer.company_id,
        **allowed(fields, CONTRACT_FIELDS),
    )
    _require_own_company(contract, owner_changed=True)
    if not contract.number:
        contract.number = next_number(customer.company_id, "contract", "V")
    refresh_dates(contract, today=today)
    audit.save(contract, actor=actor)
    if persons:
        contract.persons.set(persons)
    return contract


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    actor: User | None,
    version: int,
    fields: dict,
    persons: Iterable[Person] | None = None,
    today: date,
) -> Contract:
    """Save changes made on `version`; refuse when someone saved meanwhile."""
    policy.require_change(actor, contract.customer_id)
    if persons is not None:
        persons = policy.usable_persons(contract.customer_id, persons)
    locked = lock_version(contract, version)
    owner_before = locked.owner_id
    for name, value in allowed(fields, CONTRACT_FIELDS).items():
        setattr(locked, name, value)
    _require_own_company(locked, owner_changed=locked.owner_id != owner_before)
    locked.version = version + 1
    refresh_dates(locked, today=today)
    audit.save(locked, actor=actor)
    if persons is not None:
        # A person restricted under Art. 18 is offered by no form (usable()),
        # so no edit may drop their link either: it is stored, not changed.
        restricted = list(locked.persons.filter(restricted_until__isnull=False))
        # recorded with the actor set by save
        locked.persons.set([*persons, *restricted])
    return locked


class LateNotice(DomainError):
    """The notice arrived too late for the wanted end; `next_end` is possible."""

    code = "notice_too_late"

    def __init__(self, *, wanted: date, next_end: date):
        super().__init__(wanted=wanted, next_end=next_end)
        self.wanted = wanted
        self.next_end = next_end


# Notice can be recorded on running contracts only (not twice, not after the end).
OPEN_FOR_NOTICE = (ContractStatus.ACTIVE, ContractStatus.DRAFT)


@transaction.atomic
def contract_give_notice(
    *,
    contract: Contract,
    actor: User | None,
    given_by: str,
    channel: str,
    received_at: datetime,
    wanted_end: date | None = None,
    confirmation_sent_at: datetime | None = None,
    note: str = "",
    version: int,
) -> Notice:
    """Record a notice on the contract as of `version`; the contract ends on the
    date the deadline engine gives.

    A notice meant for an end it is too late for is refused (LateNotice, with the
    next possible end), so that nobody records an end the law does not give; a
    second notice, one on an ended contract, or one on a contract changed since
    `version` (StaleEdit: 20 simultaneous posts record one notice) is refused.
    """
    policy.require_change(actor, contract.customer_id)
    locked = lock_version(contract, version)  # lock first, then read the terms
    if locked.status not in OPEN_FOR_NOTICE:
        raise NotPossible(
            code="notice_not_possible", status=locked.get_status_display()
        )
    received = timezone.localtime(received_at).date()
    ends_on = engine.end_for_notice(locked.terms, received=received)
    if wanted_end is not None and wanted_end < ends_on:
        raise LateNotice(wanted=wanted_end, next_end=ends_on)
    if wanted_end is not None:
        ends_on = wanted_end  # a later end than the earliest is the party's choice
    notice = Notice(
        contract=locked,
        given_by=given_by,
        channel=channel,
        received_at=received_at,
        ends_on=ends_on,
        confirmation_sent_at=confirmation_sent_at,
        recorded_by=actor,
        note=note,
    )
    audit.save(notice, actor=actor)
    locked.status = ContractStatus.NOTICE_GIVEN
    locked.term_end = ends_on
    locked.last_notice_day = None  # no more notice deadline to watch
    locked.version += 1
    audit.save(locked, actor=actor)
    return notice


@transaction.atomic
def document_upload(
    *,
    contract: Contract,
    actor: User | None,
    upload,
    checked: CheckedFile,
    title: str = "",
    document: ContractDocument | None = None,
) -> DocumentVersion:
    """Store a checked file as a new document, or as the next version of one."""
    policy.require_change(actor, contract.customer_id)
    if document is not None and document.contract_id != contract.pk:
        raise DomainError(code="document_of_other_contract")
    if document is None:
        document = ContractDocument(contract=contract, title=title or upload.name[:200])
        audit.save(document, actor=actor)
    else:
        document = ContractDocument.objects.select_for_update().get(pk=document.pk)
    latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = DocumentVersion(
        document=document,
        number=latest + 1,
        original_name=upload.name[:200],
        extension=checked.extension,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    version.file.save(upload.name, upload, save=False)
    audit.save(version, actor=actor)
    return version


def calendar_feed_for(*, user: User) -> CalendarFeed:
    """The user's calendar feed of their current company, made on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, company_id=company_for(user)
    )
    return feed


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """A new secret address for the user's feed; the old one stops working."""
    feed = calendar_feed_for(user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    return feed
