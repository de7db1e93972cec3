"""The one list of personal data: which models hold it, which fields, how to anonymize.

The access report (Art. 15), the portability export (Art. 20), erasure (Art. 17)
and the retention rules all work from this list, never from a list of their
own. Adding a model with personal data means adding it here:
tests/compliance/test_registry.py walks every installed model of the project
and fails for one that looks personal (personal field names, a link to a
person or customer, a history model of either) and is neither registered nor
listed in NOT_PERSONAL with the reason.

The data subject of a customer-side request is a `crm.Person`. A row is theirs
when it names them (`via`: the ORM path to the person, e.g. the persons of an
interaction) or when it belongs to a private customer they are (`private`: the
path to that customer; "" for the customer itself). An organization's address
or master data is not personal data; a private customer's is.
History models of registered models are covered with the same fields: their
old values are personal data too and are anonymized alongside.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db import models


class Anonymize(StrEnum):
    """How a personal field is overwritten on erasure."""

    BLANK = "blank"  # "" (text fields)
    NULL = "null"  # NULL (dates, optional fields)
    REDACT = "redact"  # a fixed marker, where a value is required
    EMPTY_JSON = "empty_json"  # {} (structured details)


REDACTED = "[gelöscht]"


class Category(StrEnum):
    """Data categories for the access report and the processing register."""

    MASTER = "master_data"
    CONTACT = "contact_data"
    ADDRESS = "address"
    COMMUNICATION = "communication"
    CONTRACT = "contract"
    BANK = "bank_data"
    CONSENT = "consents"
    REQUESTS = "data_requests"
    ACCESS = "access_log"
    STAFF = "staff_account"


@dataclass(frozen=True)
class Entry:
    label: str  # "crm.Person"
    category: Category
    fields: dict[str, Anonymize]
    via: str | None = None  # ORM path to the crm.Person named in the row
    private: str | None = None  # ORM path to the customer, when it is a private one
    # Free text that may name anyone (staff type it): the erasure plan scans these
    # fields of rows *not* linked to the person for their name, e-mails, phones.
    free_text: tuple[str, ...] = ()
    # Retention duty (§ 257 HGB, § 147 AO, § 7a UWG): dotted path of a function
    # (row ids of this model in the erasure plan, today) -> the Holds that keep
    # rows restricted instead of erased. A new record kind (cases, orders)
    # declares its own here; compliance.erasure asks every entry.
    holds: str | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def subject_kind(self) -> str:
        """Whose data: "person" (customer side) or "staff" (staff accounts)."""
        return "staff" if self.via is None and self.private is None else "person"

    def rows_of(self, person_id: int) -> models.QuerySet:
        """This model's rows that hold the person's data."""
        condition = models.Q(pk__in=[])
        if self.via:
            condition |= models.Q(**{self.via: person_id})
        if self.private is not None:
            prefix = f"{self.private}__" if self.private else ""
            condition |= models.Q(
                **{f"{prefix}kind": "private", f"{prefix}persons": person_id}
            )
        return self.model._default_manager.filter(condition).distinct()

    @property
    def history_model(self) -> type[models.Model] | None:
        history = getattr(self.model, "history", None)
        return getattr(history, "model", None)


REGISTRY: tuple[Entry, ...] = (
    Entry(
        "crm.Person",
        Category.CONTACT,
        {
            # "Mr"/"Ms" would tell the gender of an erased person: blank, not kept
            "salutation": Anonymize.BLANK,
            "title": Anonymize.BLANK,
            "first_name": Anonymize.BLANK,
            "last_name": Anonymize.REDACT,
            "position": Anonymize.BLANK,
            "email": Anonymize.BLANK,
            "email_secondary": Anonymize.BLANK,
            "phone": Anonymize.BLANK,
            "mobile": Anonymize.BLANK,
            "birthday": Anonymize.NULL,
            "personal_notes": Anonymize.BLANK,
            "search_text": Anonymize.BLANK,
        },
        via="pk",
    ),
    Entry(
        "crm.Customer",
        Category.MASTER,
        {
            "name": Anonymize.REDACT,
            "website": Anonymize.BLANK,
            "vat_id": Anonymize.BLANK,
            "iban": Anonymize.BLANK,
            "notes": Anonymize.BLANK,
            "search_text": Anonymize.BLANK,
        },
        private="",  # an organization's master data is not personal
        free_text=("notes",),
    ),
    Entry(
        "crm.Address",
        Category.ADDRESS,
        {
            "recipient": Anonymize.BLANK,
            "street": Anonymize.REDACT,
            "postcode": Anonymize.BLANK,
            "city": Anonymize.REDACT,
            "details": Anonymize.EMPTY_JSON,
        },
        private="customer",
    ),
    Entry(
        "crm.Interaction",
        Category.COMMUNICATION,
        {"subject": Anonymize.REDACT, "text": Anonymize.BLANK},
        via="persons",  # the persons involved
        private="customer",  # and all of a private customer's
        free_text=("subject", "text"),
        holds="compliance.holds.business_letters",
    ),
    Entry(
        "contracts.Contract",
        Category.CONTRACT,
        {"title": Anonymize.REDACT, "notes": Anonymize.BLANK},
        private="customer",  # a private customer's contracts
        free_text=("title", "notes"),
        holds="compliance.holds.private_contracts",  # with notices and documents
    ),
    Entry(
        "contracts.Contract_persons",
        Category.CONTRACT,
        {},  # a contact named as responsible: the link, not the org's contract
        via="person",
    ),
    Entry(
        "contracts.Notice",
        Category.CONTRACT,
        {"note": Anonymize.BLANK},
        private="contract__customer",
        free_text=("note",),
    ),
    Entry(
        "contracts.ContractDocument",
        Category.CONTRACT,
        {"title": Anonymize.REDACT},
        private="contract__customer",
        free_text=("title",),
    ),
    Entry(
        "contracts.DocumentVersion",
        Category.CONTRACT,
        {"original_name": Anonymize.REDACT},
        private="document__contract__customer",
    ),
    # A follow-up is planned communication with the person ("call Ms Weber back
    # about the offer"): COMMUNICATION, like the timeline it comes from. No
    # hold: a task is an internal note, not a business letter (§ 257 HGB).
    Entry(
        "service.Task",
        Category.COMMUNICATION,
        {"title": Anonymize.REDACT},
        via="person",  # the contact it is about
        private="customer",  # and all of a private customer's
        free_text=("title",),
    ),
    # A complaint, warranty claim or service request names the contact who made
    # it and tells what they said: COMMUNICATION. Held as business letters.
    Entry(
        "service.Case",
        Category.COMMUNICATION,
        {
            "subject": Anonymize.REDACT,
            "description": Anonymize.BLANK,
            "root_cause": Anonymize.BLANK,
            "resolution": Anonymize.BLANK,
            "order_reference": Anonymize.BLANK,
        },
        via="person",
        private="customer",
        free_text=("subject", "description", "root_cause", "resolution"),
        holds="compliance.holds.cases",
    ),
    # The person's rating of a resolved case and their comment.
    Entry(
        "service.CaseRating",
        Category.COMMUNICATION,
        {"comment": Anonymize.BLANK},
        via="person",  # the contact who was asked
        private="case__customer",  # and all of a private customer's
        free_text=("comment",),
    ),
    Entry(
        "compliance.Consent",
        Category.CONSENT,
        {"withdrawn_via": Anonymize.BLANK},  # the proof itself names no one
        via="person",
        holds="compliance.holds.phone_consents",
    ),
    Entry(
        "compliance.Disclosure",
        Category.CONTACT,
        {"what": Anonymize.REDACT},  # the recipient is a company, not the person
        via="person",
        private="customer",
        free_text=("what",),
    ),
    Entry(
        "compliance.DataSubjectRequest",
        Category.REQUESTS,
        {"subject_name": Anonymize.REDACT, "note": Anonymize.BLANK},
        via="person",
    ),
    Entry(
        "compliance.AccessLog",
        Category.ACCESS,
        {},  # who looked, when, at what: no copy of the data itself
        via="person",
        private="customer",
    ),
    Entry(
        "accounts.User",
        Category.STAFF,
        {
            "first_name": Anonymize.BLANK,
            "last_name": Anonymize.BLANK,
            "email": Anonymize.BLANK,
        },
        # employees: their own accounts, not customer-side requests
    ),
    Entry(
        "accounts.UserSession",
        Category.STAFF,
        # an employee's signed-in browsers and addresses, kept while the session
        # lasts (SESSION_ABSOLUTE_TIMEOUT at most); accounts.sessions_clear deletes
        # the rows of ended sessions every night
        {"user_agent": Anonymize.BLANK, "ip_address": Anonymize.NULL},
    ),
)

# Models of the project that look personal by name or link but hold nothing
# about a data subject beyond what a registered model already holds.
NOT_PERSONAL: dict[str, str] = {
    "core.OutboxMessage": "e-mail bookkeeping: a kind, a source row id, a staff "
    "recipient id; rendered when sent, errors stored without addresses",
    "core.Heartbeat": "when beat, a worker or a daily task last ran: names and times",
    "accounts.Team": "a team of staff: name and manager link",
    "accounts.Company": "the company itself: its name, address, letterhead, "
    "business e-mail and settings",
    "accounts.CommitmentText": "the wording of the staff's commitment, the same "
    "for everyone",
    "accounts.CommitmentAcceptance": "a staff member's acceptance: ids and a time",
    "crm.Tag": "labels chosen by staff",
    "crm.CustomerUserObjectPermission": "access grants: ids of a customer and a user",
    "crm.CustomerGroupObjectPermission": "access grants: ids of a customer and a team",
    "contracts.ContractType": "a kind of contract and its reminder lead times",
    "contracts.CalendarFeed": "a staff member's calendar token",
    "contracts.Reminder": "reminder bookkeeping: ids, dates and lead times",
    "contracts.ReminderDigest": "reminder bookkeeping: recipient and day",
    "service.TaskDigest": "task e-mail bookkeeping: a staff recipient and a day",
    "service.CaseCategory": "a company's list of case categories",
    "service.SlaTarget": "the company's service-level targets in hours",
    "service.CasePause": "when a case's clock stood: ids and times",
    "service.CaseAlert": "escalation bookkeeping: a case id, a staff recipient "
    "and times",
    "compliance.ProcessingActivity": "the Art. 30 register describes processing",
    "compliance.Erasure": "the tombstone: ids, counts and who erased, no data",
    "compliance.AccessReport": "the report job; its files are deleted with the person",
    "compliance.ConsentText": "the wording of a consent, the same for everyone",
    "compliance.RequestReminder": "reminder bookkeeping: a request id and dates",
    "compliance.ReviewDigest": "reminder bookkeeping: an owner id and a day",
    "compliance.RetentionRule": "a rule: a name, a kind and years",
    "compliance.Training": "a staff member's data protection training: ids, "
    "dates and a topic",
    "compliance.FreeTextDecision": (
        "the DPO's decision on a free-text match: ids, a field and the reason"
    ),
}


def entry_for(model: type[models.Model]) -> Entry | None:
    """The registry entry of a model or of its history model."""
    for entry in REGISTRY:
        if model is entry.model or model is entry.history_model:
            return entry
    return None


def person_entries() -> list[Entry]:
    """The entries of customer-side personal data (not staff accounts)."""
    return [entry for entry in REGISTRY if entry.subject_kind == "person"]


def entry(label: str) -> Entry:
    """The entry of one model, by its label ("crm.Person")."""
    return next(each for each in REGISTRY if each.label == label)
