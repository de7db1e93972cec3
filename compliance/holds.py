"""Retention holds (§ 257 HGB, § 147 AO, § 7a UWG): which of a person's rows an
erasure keeps, restricted, and until when. The registry (compliance/registry.py)
names the function of each model that has such a duty; erasure asks them all, so a
new record kind adds its own function and one `holds=` line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from compliance.deadlines import Record, retention_ends
from compliance.models import Consent, ConsentPurpose
from contracts.models import Contract
from core.dates import add_months
from crm.models import Interaction

LETTER_KINDS = ("letter", "email")  # business letters sent or received


@dataclass(frozen=True)
class Hold:
    label: str
    object_id: int
    description: str
    reason: str
    until: date | None  # None: while the contract runs


def letter_retention(day: date, country: str) -> date:
    """When a business letter of `day` may go, in the company's country
    (Company.country: DE, AT or CH)."""
    return retention_ends(day, Record.BUSINESS_LETTER, country)


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")  # in the reader's language


def private_contracts(ids: Iterable[int], today: date) -> list[Hold]:
    """A private customer's contracts while they run and six years after their
    end (§ 257 HGB), with their notices and documents."""
    holds = []
    for contract in Contract.objects.filter(
        pk__in=ids, customer__kind="private"
    ).select_related("company"):
        country = contract.company.country
        ended = contract.term_end or contract.updated_at.date()
        until = None if contract.is_running else letter_retention(ended, country)
        holds.append(
            Hold(
                "contracts.Contract",
                contract.pk,
                f"{contract.number} {contract.title}",
                _("Contract: business letter (§ 257 HGB), six years after it ends"),
                until,
            )
        )
        # Its notices and documents are kept with it.
        for notice in contract.notices.all():
            letter_end = letter_retention(
                timezone.localtime(notice.received_at).date(), country
            )
            holds.append(
                Hold(
                    "contracts.Notice",
                    notice.pk,
                    contract.number + ": " + _("notice"),
                    _("Notice: business letter (§ 257 HGB)"),
                    None if until is None else max(until, letter_end),
                )
            )
        for document in contract.documents.prefetch_related("versions"):
            holds.append(
                Hold(
                    "contracts.ContractDocument",
                    document.pk,
                    f"{contract.number}: {document.title}",
                    _("Contract document (§ 257 HGB)"),
                    until,
                )
            )
            holds.extend(
                Hold(
                    "contracts.DocumentVersion",
                    version.pk,
                    f"{contract.number}: {document.title} v{version.number}",
                    _("Contract document (§ 257 HGB)"),
                    until,
                )
                for version in document.versions.all()
            )
    return holds


def phone_consents(ids: Iterable[int], today: date) -> list[Hold]:
    """The proof of a phone consent: five years from the consent (§ 7a UWG)."""
    holds = []
    for consent in Consent.objects.filter(
        pk__in=ids, purpose=ConsentPurpose.PHONE_MARKETING, confirmed_at__isnull=False
    ):
        given = timezone.localtime(consent.confirmed_at).date()
        until = add_months(given, 60)
        if until > today:
            holds.append(
                Hold(
                    "compliance.Consent",
                    consent.pk,
                    f"{consent.get_purpose_display()} {_short(given)}",
                    _("Proof of a phone consent (§ 7a UWG), five years"),
                    until,
                )
            )
    return holds


def business_letters(ids: Iterable[int], today: date) -> list[Hold]:
    """Letters and e-mails sent or received: six years from the end of their
    calendar year (§ 257 HGB; AT seven, CH ten)."""
    holds = []
    for letter in Interaction.objects.filter(
        pk__in=ids, kind__in=LETTER_KINDS
    ).select_related("company"):
        sent = timezone.localtime(letter.occurred_at).date()
        until = letter_retention(sent, letter.company.country)
        if until > today:
            holds.append(
                Hold(
                    "crm.Interaction",
                    letter.pk,
                    f"{letter.get_kind_display()} {_short(sent)}",
                    _("Business letter sent or received (§ 257 HGB)"),
                    until,
                )
            )
    return holds


def cases(ids: Iterable[int], today: date) -> list[Hold]:
    """Complaints, warranty claims and service requests: the customer's letter
    and the company's answer are business letters (§ 257 HGB), kept from the
    end of the year the case was last worked on (resolved or closed; else
    opened), by the company's country."""
    from service.models import Case

    holds = []
    for case in Case.objects.filter(pk__in=ids).select_related("company"):
        last = max(
            moment
            for moment in (case.opened_at, case.resolved_at, case.closed_at)
            if moment is not None
        )
        day = timezone.localtime(last).date()
        until = letter_retention(day, case.company.country)
        if until > today:
            holds.append(
                Hold(
                    "service.Case",
                    case.pk,
                    f"{case.number} {case.get_kind_display()} {_short(day)}",
                    _("Complaint or claim: business letters (§ 257 HGB)"),
                    until,
                )
            )
    return holds
