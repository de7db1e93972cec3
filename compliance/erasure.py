"""Erasure (Art. 17) with retention holds (Art. 17(3)(b), § 35(3) BDSG, Art. 18).

Everything works from the registry (compliance/registry.py):

- `erasure_plan(person, today)` lists, per registered model, the rows that hold
  the person's data, and which of them a statutory retention duty holds back
  (§ 257 HGB, § 147 AO: business letters - contracts, notices, letters and
  e-mails - six years from the end of their calendar year; a running contract
  is held while it runs). The DPO sees this plan before confirming.
- `person_erase` anonymizes every registered field of every row that is not
  held, in the live tables *and* in their history tables (old values are
  personal data too), with QuerySet.update() on purpose: a new history row
  would copy the data again. What is held stays, restricted, with the name: a
  private customer (or the one contact of an organization) is hidden from
  everyone but the DPO and Admin until the last hold ends. Held besides
  business letters: proof of a phone consent, five years (§ 7a UWG). The
  tombstone (Erasure) says when, by which request and by whom, without
  personal data.
- `erasures_complete(today)` (daily task) anonymizes held rows whose hold has
  ended and lifts the restriction when nothing is held any more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string

from compliance.holds import Hold, letter_retention
from compliance.models import (
    AccessReport,
    Erasure,
    RetentionHold,
)
from compliance.registry import REDACTED, REGISTRY, Anonymize, Entry, person_entries
from compliance.registry import entry as registry_entry
from contracts.models import Contract, ContractStatus
from crm.models import Customer, Person

# While a private customer's records are held, what identifies them in those
# records stays too (restricted): the name and the postal address.
KEPT_WHILE_HELD: dict[str, set[str]] = {
    "crm.Person": {"title", "first_name", "last_name"},
    "crm.Customer": {"name"},
    "crm.Address": {"recipient", "street", "postcode", "city", "details"},
}


@dataclass
class ErasurePlan:
    person: Person
    rows: dict[str, list[int]] = field(default_factory=dict)  # label -> ids
    holds: list[Hold] = field(default_factory=list)
    # Person records deleted earlier, left only in the history, that were this
    # person (the same e-mail, or the same name at the same customer).
    former: list[int] = field(default_factory=list)

    @property
    def held_ids(self) -> dict[str, set[int]]:
        held = defaultdict(set)
        for hold in self.holds:
            held[hold.label].add(hold.object_id)
        return held

    @property
    def restricted_until(self) -> date | None:
        """The day the last hold ends (a running contract: not known yet)."""
        if not self.holds:
            return None
        if any(hold.until is None for hold in self.holds):
            return date.max
        return max(hold.until for hold in self.holds)

    def erased_counts(self) -> dict[str, int]:
        held = self.held_ids
        counts = {
            label: len([pk for pk in ids if pk not in held[label]])
            for label, ids in self.rows.items()
        }
        counts["crm.Person (deleted earlier)"] = len(self.former)
        return counts


def erasure_plan(person: Person, *, today: date) -> ErasurePlan:
    """What erasing the person would anonymize now, and what is held until when."""
    plan = ErasurePlan(person=person)
    for entry in person_entries():
        plan.rows[entry.label] = list(
            entry.rows_of(person.pk).order_by("pk").values_list("pk", flat=True)
        )
    plan.holds = _holds(person, plan, today=today)
    plan.former = former_records(person)
    return plan


def former_records(person: Person) -> list[int]:
    """Ids of deleted person records whose history names this person."""
    history = Person.history.model
    known = history.objects.filter(id=person.pk).values_list("email", "email_secondary")
    emails = {email.lower() for pair in known for email in pair if email}
    if person.email:
        emails.add(person.email.lower())
    match = Q(pk__in=[])
    if person.first_name and person.last_name:
        match |= Q(
            customer_id=person.customer_id,
            first_name=person.first_name,
            last_name=person.last_name,
        )
    for email in emails:
        match |= Q(email__iexact=email) | Q(email_secondary__iexact=email)
    ids = set(
        history.objects.filter(match, company_id=person.company_id)
        .exclude(id=person.pk)
        .values_list("id", flat=True)
    )
    live = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return sorted(ids - live)


def _holds(person: Person, plan: ErasurePlan, *, today: date) -> list[Hold]:
    """Every retention hold the registry declares for the plan's rows."""
    return [
        hold
        for entry in REGISTRY
        if entry.holds
        for hold in import_string(entry.holds)(plan.rows.get(entry.label, []), today)
    ]


def report_files_delete(report: AccessReport) -> None:
    """Delete a report's PDF and JSON (copies of a person's data)."""
    for file in (report.pdf, report.json):
        if file:
            file.delete(save=False)
    AccessReport.objects.filter(pk=report.pk).update(pdf="", json="")


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")  # in the reader's language


def _values(entry: Entry, model, keep: set[str]) -> dict:
    """The anonymized values of the entry's fields that `model` has."""
    names = {f.name for f in model._meta.concrete_fields}
    values = {}
    for name, how in entry.fields.items():
        if name in keep or name not in names:
            continue
        values[name] = {
            Anonymize.BLANK: "",
            Anonymize.NULL: None,
            Anonymize.REDACT: REDACTED,
            Anonymize.EMPTY_JSON: {},
        }[how]
    return values


def _anonymize(entry: Entry, ids: list[int], keep: set[str] = frozenset()) -> int:
    """Overwrite the entry's fields of these rows and of all their history rows."""
    if not ids:
        return 0
    # QuerySet.update() on purpose: a history row would copy the data again.
    values = _values(entry, entry.model, keep)
    if values:
        entry.model._default_manager.filter(pk__in=ids).update(**values)
    history = entry.history_model
    if history is not None:
        old_values = _values(entry, history, keep)
        if old_values:
            history.objects.filter(id__in=ids).update(**old_values)
    return len(ids)


@transaction.atomic
def person_erase(*, person: Person, request, actor, today: date, rule=None) -> Erasure:
    """Erase the person now as far as the law allows; restrict what is held."""
    plan = erasure_plan(person, today=today)
    held = plan.held_ids
    private = person.customer if person.customer.kind == "private" else None
    # While anything is held, the name (and a private customer's address) stays
    # with it, restricted: the customer, or the one contact of an organization.
    keep_identity = bool(plan.holds)
    for entry in person_entries():
        ids = [pk for pk in plan.rows[entry.label] if pk not in held[entry.label]]
        keep = KEPT_WHILE_HELD.get(entry.label, set()) if keep_identity else set()
        _anonymize(entry, ids, keep)
        if entry.label == "crm.Person":
            _anonymize(entry, plan.former)  # only their history rows are left
    erasure = Erasure.objects.create(
        company_id=person.company_id,
        request=request,
        person_ref=person.pk,
        erased_by=actor,
        rule=rule,
        counts=plan.erased_counts(),
        completed_at=None if plan.holds else timezone.now(),
    )
    RetentionHold.objects.bulk_create(
        RetentionHold(
            company_id=erasure.company_id,  # bulk_create: no save()
            erasure=erasure,
            label=hold.label,
            object_id=hold.object_id,
            reason=hold.reason,
            until=hold.until,
        )
        for hold in plan.holds
    )
    # Reports made for the person are copies of their data: gone with it.
    for report in AccessReport.objects.filter(person=person):
        report_files_delete(report)
    if private is not None:
        Customer.objects.filter(pk=private.pk).update(
            restricted_until=plan.restricted_until if plan.holds else None,
            status="former",
        )
    elif plan.holds:
        Person.objects.filter(pk=person.pk).update(
            restricted_until=plan.restricted_until
        )
    return erasure


@transaction.atomic
def erasures_complete(*, today: date) -> int:
    """Erase held data whose hold ended; lift restrictions with nothing held.

    Holds of running contracts get their day once the contract has ended.
    Returns how many holds were released.
    """
    _date_running_holds()
    due = (
        RetentionHold.objects.select_for_update()
        .filter(released_at__isnull=True, until__lte=today)
        .filter(Q(extended_until__isnull=True) | Q(extended_until__lte=today))
    )
    by_label = defaultdict(list)
    holds = list(due)
    for hold in holds:
        by_label[hold.label].append(hold.object_id)
    for label, ids in by_label.items():
        _anonymize(registry_entry(label), ids)
    RetentionHold.objects.filter(pk__in=[h.pk for h in holds]).update(
        released_at=timezone.now()
    )
    for erasure in Erasure.objects.filter(
        completed_at__isnull=True, holds__in=holds
    ).distinct():
        _finish_if_free(erasure)
    return len(holds)


def _date_running_holds() -> None:
    """A held contract that has ended now: six years from the end of its year."""
    for hold in RetentionHold.objects.filter(
        released_at__isnull=True, until__isnull=True, label="contracts.Contract"
    ):
        contract = (
            Contract.objects.filter(pk=hold.object_id).select_related("company").first()
        )
        if contract is None or contract.status in (
            ContractStatus.ACTIVE,
            ContractStatus.NOTICE_GIVEN,
        ):
            continue
        ended = contract.term_end or contract.updated_at.date()
        until = letter_retention(ended, contract.company.country)
        RetentionHold.objects.filter(
            erasure=hold.erasure,
            released_at__isnull=True,
            until__isnull=True,
            label__in=[
                "contracts.Contract",
                "contracts.ContractDocument",
                "contracts.DocumentVersion",
                "contracts.Notice",
            ],
        ).update(until=until)


def _finish_if_free(erasure: Erasure) -> None:
    if erasure.holds.filter(released_at__isnull=True).exists():
        latest = erasure.holds.filter(released_at__isnull=True).aggregate(
            last=Max("until")
        )["last"]
        _restrict(erasure.person_ref, latest or date.max)
        return
    person_id = erasure.person_ref
    for label in KEPT_WHILE_HELD:
        entry = registry_entry(label)
        _anonymize(entry, list(entry.rows_of(person_id).values_list("pk", flat=True)))
    _restrict(person_id, None)
    erasure.completed_at = timezone.now()
    erasure.save(update_fields=["completed_at"])


def _restrict(person_id: int, until: date | None) -> None:
    """Set (or lift) the restriction of the person's private customer, or of the
    person alone when they are the contact of an organization."""
    Customer.objects.filter(kind="private", persons__pk=person_id).update(
        restricted_until=until
    )
    Person.objects.filter(pk=person_id, customer__kind="organization").update(
        restricted_until=until
    )
