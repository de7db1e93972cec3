"""Every write on customers and what hangs off them; views, commands and the
admin all come through here. Each function is one transaction and records the
acting user in the change history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from accounts.models import Company, Team, User
from accounts.numbers import next_number
from accounts.permissions import company_for
from core import audit
from core.errors import NotPossible, PermissionRefused, allowed, messages
from core.versioning import lock_version
from crm import policy, search, validation
from crm.models import (
    Address,
    Customer,
    CustomerGroupObjectPermission,
    CustomerKind,
    CustomerUserObjectPermission,
    Interaction,
    Person,
    Tag,
    customer_permission_id,
    default_next_review,
)

# What each service may set from outside (a form, the API, an import row): the
# rest (customer, version, current flags, search text) is the service's own.
PERSON_FIELDS = frozenset(
    {
        "salutation", "title", "first_name", "last_name", "position", "email",
        "email_secondary", "phone", "mobile", "birthday", "preferred_language",
        "preferred_channel", "personal_notes",
    }
)  # fmt: skip
CUSTOMER_FIELDS = frozenset(
    {
        "number", "name", "status", "owner", "team", "key_account", "industry",
        "website", "vat_id", "iban", "next_review_on", "notes",
    }
)  # fmt: skip
ADDRESS_FIELDS = frozenset(
    {"purpose", "recipient", "street", "postcode", "city", "country", "details"}
)


messages(
    {
        "private_customer_person": gettext_lazy(
            "The person of a private customer is the customer: delete the customer."
        ),
        "merge_into_itself": gettext_lazy("A customer cannot be merged into itself."),
        "customer_restricted": gettext_lazy(
            "This customer's data is restricted (Art. 18 GDPR): it is stored, not "
            "used or changed, until the data protection officer lifts the "
            "restriction."
        ),
    }
)


def _counts_changed() -> None:
    # Who sees how many customers changed: drop the cached list counts.
    from crm.selectors import forget_counts

    transaction.on_commit(forget_counts)


def refresh_search_text(customer: Customer) -> None:
    """Rebuild the customer's search words from its name, number, IDs and addresses."""
    addresses = customer.addresses.current().values_list("postcode", "city")
    text = search.document(
        customer.name,
        customer.number,
        customer.vat_id,
        validation.format_vat_id(customer.vat_id),  # CHE-116.281.710 MWST as typed
        *[f"{postcode} {city}" for postcode, city in addresses],
    )
    # A derived column, not a change anyone made: no history row on purpose.
    Customer.objects.filter(pk=customer.pk).update(search_text=text)
    customer.search_text = text


def _normalize_person(person: Person) -> None:
    # Addresses are compared for duplicates; nobody tells Info@ from info@ apart.
    person.email = person.email.strip().lower()
    person.email_secondary = person.email_secondary.strip().lower()
    person.search_text = _person_search_text(person)


def _person_search_text(person: Person) -> str:
    return search.document(
        person.first_name,
        person.last_name,
        person.email,
        person.email_secondary,
        phones=[person.phone, person.mobile],
    )


MAX_TAGS = 20  # per customer: a filter, not a word cloud; bounds the work of one save
TAGS_MESSAGE = gettext_lazy("At most %(count)s tags of at most 50 characters each.")


def _normalized_customer_fields(fields: dict) -> dict:
    # Every entry point (form, API, import) stores the same compact, checked
    # VAT ID and IBAN; a bad one raises ValidationError ("invalid_vat_id",
    # "invalid_iban") and nothing is written.
    fields = allowed(fields, CUSTOMER_FIELDS)
    if fields.get("vat_id") is not None:
        fields = {**fields, "vat_id": validation.normalize_vat_id(fields["vat_id"])}
    if fields.get("iban") is not None:
        fields = {**fields, "iban": validation.normalize_iban(fields["iban"])}
    return fields


def _normalized_address_fields(fields: dict) -> dict:
    # Delivery details are stored as the typed lines, in order (crm.validation).
    if "details" in fields:
        fields = {**fields, "details": validation.normalize_details(fields["details"])}
    return fields


def _set_tags(customer: Customer, names: Iterable[str], actor: User | None) -> None:
    wanted = {name.strip() for name in names if name.strip()}
    if len(wanted) > MAX_TAGS or any(len(name) > 50 for name in wanted):
        raise ValidationError(TAGS_MESSAGE % {"count": MAX_TAGS}, code="too_many_tags")
    # Existing tags in one query; the few new ones saved singly, for their history.
    company = customer.company_id
    existing = {
        tag.name: tag for tag in Tag.objects.filter(company_id=company, name__in=wanted)
    }
    for name in sorted(wanted - existing.keys()):
        existing[name] = Tag.objects.get_or_create(company_id=company, name=name)[0]
    tags = list(existing.values())
    audit.act(customer, actor)  # m2m changes are recorded as a customer change
    current = set(customer.tags.values_list("pk", flat=True))
    if current != {tag.pk for tag in tags}:
        customer.tags.set(tags)


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    kind: str,
    fields: dict,
    tags: Iterable[str] = (),
    person_fields: dict | None = None,
    company: Company | int | None = None,
) -> Customer:
    """Create a customer of the actor's company (the system names it); a
    private customer together with its person."""
    policy.require_create(actor)
    company_id = company_for(actor, company)
    customer = Customer(
        company_id=company_id, kind=kind, **_normalized_customer_fields(fields)
    )
    policy.require_own_company(customer)
    if not customer.number:
        customer.number = next_number(company_id, "customer", "K")
    if "next_review_on" not in fields:
        months = Company.objects.values_list("data_review_months", flat=True).get(
            pk=company_id
        )
        customer.next_review_on = default_next_review(months=months)
    if kind == CustomerKind.PRIVATE:
        customer.name = Person(**(person_fields or {})).full_name
    audit.save(customer, actor=actor)
    _set_tags(customer, tags, actor)
    if person_fields is not None:
        person_create(customer=customer, actor=actor, fields=person_fields)
    refresh_search_text(customer)
    _counts_changed()
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    actor: User | None,
    version: int,
    fields: dict,
    tags: Iterable[str] | None = None,
    person: Person | None = None,
    person_fields: dict | None = None,
) -> Customer:
    """Save changes made on version `version`; refuse when someone saved meanwhile."""
    policy.require_change(actor, customer.pk)
    locked = lock_version(customer, version)
    if locked.restricted_until is not None:
        raise NotPossible(code="customer_restricted")
    before = (locked.owner_id, locked.team_id)
    for name, value in _normalized_customer_fields(fields).items():
        setattr(locked, name, value)
    if (locked.owner_id, locked.team_id) != before:
        policy.require_own_company(locked)
    if person is not None and person_fields is not None:
        # The customer's version guards this form (person_update bumps it).
        saved = person_update(
            person=person,
            actor=actor,
            version=Person.objects.get(pk=person.pk).version,
            fields=person_fields,
            sync_customer=False,
        )
        if locked.is_private:
            locked.name = saved.full_name
    locked.version = version + 1
    audit.save(locked, actor=actor)
    if tags is not None:
        _set_tags(locked, tags, actor)
    refresh_search_text(locked)
    _counts_changed()  # status, tags, review date: the filters' counts
    return locked


@transaction.atomic
def customer_delete(*, customer: Customer, actor: User | None) -> None:
    """Delete the customer and everything under it (history keeps the record)."""
    # Persons, addresses and interactions go with it (CASCADE); their deletion is
    # recorded with the request's user by simple-history's middleware.
    policy.require_delete(actor, customer.pk)
    audit.delete(customer, actor=actor)
    _counts_changed()


@transaction.atomic
def customer_reassign(
    *,
    customers: Sequence[Customer],
    actor: User | None,
    owner: User | None = None,
    team: Team | None = None,
) -> int:
    """Give customers a new owner and/or team; access moves with them."""
    policy.require_change_all(actor, [c.pk for c in customers])
    changed = 0
    for customer in Customer.objects.select_for_update().filter(
        pk__in=[c.pk for c in customers]
    ):
        before = (customer.owner_id, customer.team_id)
        if owner is not None:
            customer.owner = owner
        if team is not None:
            customer.team = team
        if (customer.owner_id, customer.team_id) != before:
            policy.require_own_company(customer)
            customer.version += 1
            audit.save(customer, actor=actor, reason=_("Reassigned"))
            changed += 1
    _counts_changed()
    return changed


def _grant_model(user: User | None, team: Team | None):
    if (user is None) == (team is None):
        raise ValueError("share with exactly one user or one team")
    if user is not None:
        return CustomerUserObjectPermission, {"user": user}
    return CustomerGroupObjectPermission, {"group": team.group}


@transaction.atomic
def customer_share(
    *,
    customer: Customer,
    actor: User | None,
    user: User | None = None,
    team: Team | None = None,
    can_edit: bool = False,
) -> None:
    """Share one customer with a user or a team, read-only or with edit rights.

    The grants are guardian's direct foreign-key rows, written here (not through
    guardian's assign_perm) so that their history names the acting user.
    """
    policy.require_share(actor, customer)
    model, holder = _grant_model(user, team)
    policy.require_grantee_of_company(customer, user=user, team=team)
    wanted = {customer_permission_id("view")}
    if can_edit:
        wanted.add(customer_permission_id("change"))
    existing = {
        grant.permission_id: grant
        for grant in model.objects.filter(content_object=customer, **holder)
    }
    for permission_id in wanted - set(existing):
        audit.save(
            model(content_object=customer, permission_id=permission_id, **holder),
            actor=actor,
        )
    for permission_id, grant in existing.items():
        if permission_id not in wanted:
            audit.delete(grant, actor=actor)
    _counts_changed()


@transaction.atomic
def customer_unshare(
    *,
    customer: Customer,
    actor: User | None,
    user: User | None = None,
    team: Team | None = None,
) -> None:
    """Withdraw a user's or team's grant on the customer."""
    policy.require_share(actor, customer)
    model, holder = _grant_model(user, team)
    for grant in model.objects.filter(content_object=customer, **holder):
        audit.delete(grant, actor=actor)
    _counts_changed()


@transaction.atomic
def person_create(*, customer: Customer, actor: User | None, fields: dict) -> Person:
    """Add a person to the customer."""
    policy.require_change(actor, customer.pk)
    person = Person(customer=customer, **allowed(fields, PERSON_FIELDS))
    _normalize_person(person)
    audit.save(person, actor=actor)
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor: User | None,
    version: int,
    fields: dict,
    sync_customer: bool = True,
) -> Person:
    """Change a person's data edited from `version` (StaleEdit if saved meanwhile);
    a private customer's name follows its person."""
    policy.require_change(actor, person.customer_id)
    locked = lock_version(person, version)
    if locked.restricted_until is not None:
        raise NotPossible(code="person_restricted")
    if person.customer.restricted_until is not None:  # the instance the caller has
        raise NotPossible(code="customer_restricted")
    for name, value in allowed(fields, PERSON_FIELDS).items():
        setattr(locked, name, value)
    _normalize_person(locked)
    locked.version = version + 1
    audit.save(locked, actor=actor)
    # customer_update passes sync_customer=False: it saves the customer itself.
    if sync_customer and locked.customer.is_private:
        # The private customer's form shows this person too: a new customer
        # version refuses a customer form opened before this change.
        customer = Customer.objects.select_for_update().get(pk=locked.customer_id)
        customer.name = locked.full_name
        customer.version += 1
        audit.save(customer, actor=actor)
        refresh_search_text(customer)
    return locked


@transaction.atomic
def person_delete(*, person: Person, actor: User | None) -> None:
    """Remove a contact person (the history keeps the record); a private
    customer's person is the customer and goes only with it."""
    policy.require_change(actor, person.customer_id)
    if person.customer.is_private:
        raise NotPossible(code="private_customer_person")
    if person.restricted_until is not None:
        raise NotPossible(code="person_restricted")
    audit.delete(person, actor=actor)


@transaction.atomic
def address_create(*, customer: Customer, actor: User | None, fields: dict) -> Address:
    """Add the customer's new current address for a purpose; the old one is kept."""
    policy.require_change(actor, customer.pk)
    previous = Address.objects.select_for_update().filter(
        customer=customer, purpose=fields["purpose"], is_current=True
    )
    for old in previous:
        old.is_current = False
        old.version += 1  # a correction form opened before is refused
        audit.save(old, actor=actor, reason=_("Replaced by a new address"))
    address = Address(
        customer=customer,
        is_current=True,
        **_normalized_address_fields(allowed(fields, ADDRESS_FIELDS)),
    )
    audit.save(address, actor=actor)
    refresh_search_text(customer)
    return address


@transaction.atomic
def address_update(
    *, address: Address, actor: User | None, version: int, fields: dict
) -> Address:
    """Correct an address in place (a move is a new address: address_create),
    edited from `version` (StaleEdit if saved meanwhile)."""
    policy.require_change(actor, address.customer_id)
    locked = lock_version(address, version)
    fields = allowed(fields, ADDRESS_FIELDS - {"purpose"})  # a move is a new address
    for name, value in _normalized_address_fields(fields).items():
        setattr(locked, name, value)
    locked.version = version + 1
    audit.save(locked, actor=actor)
    refresh_search_text(locked.customer)
    return locked


@transaction.atomic
def interaction_create(
    *,
    customer: Customer,
    actor: User | None,
    fields: dict,
    persons: Iterable[Person] = (),
) -> Interaction:
    """Log a call, e-mail, meeting, letter or note on the customer's timeline."""
    policy.require_change(actor, customer.pk)
    persons = policy.usable_persons(customer.pk, persons)
    interaction = Interaction(customer=customer, user=actor, **fields)
    audit.save(interaction, actor=actor)
    if persons:
        interaction.persons.set(persons)
    return interaction


@dataclass(frozen=True)
class MergeResult:
    persons: int
    addresses: int
    interactions: int
    other: int


def _move_children(rows: list[Model], survivor: Customer, actor, reason: str) -> None:
    for row in rows:
        row.customer = survivor
        row._change_reason = reason
    # One UPDATE per batch and one history row per moved record.
    bulk_update_with_history(
        rows,
        type(rows[0]),
        ["customer"],
        batch_size=500,
        default_user=actor,
        default_change_reason=reason,
    )


@transaction.atomic
def customer_merge(
    *, survivor: Customer, duplicate: Customer, actor: User | None
) -> MergeResult:
    """Move everything of `duplicate` to `survivor`, then delete the duplicate."""
    if survivor.pk == duplicate.pk:
        raise NotPossible(code="merge_into_itself")
    policy.require_change_all(actor, [survivor.pk, duplicate.pk])
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(
            pk__in=[survivor.pk, duplicate.pk]
        )
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.company_id != duplicate.company_id:
        # Rows carry their company: they never move into another one.
        raise PermissionRefused(code="other_company")
    if survivor.restricted_until is not None or duplicate.restricted_until is not None:
        raise NotPossible(code="customer_restricted")
    reason = _("Merged from %(number)s") % {"number": duplicate.number}
    # The survivor keeps its current addresses; the duplicate's become former ones.
    taken = set(survivor.addresses.current().values_list("purpose", flat=True))
    for address in duplicate.addresses.current().filter(purpose__in=taken):
        address.is_current = False
        audit.save(address, actor=actor, reason=reason)
    counts = {}
    # Every table with a foreign key to Customer follows, including later apps'
    # (contracts, consents): found through the model's relations, not a list.
    for relation in Customer._meta.related_objects:
        model = relation.related_model
        if not relation.one_to_many or model.__module__.startswith("guardian"):
            continue
        if model in (CustomerUserObjectPermission, CustomerGroupObjectPermission):
            continue
        if hasattr(model, "instance_type"):  # a history table: it keeps the past
            continue
        field = relation.field.name
        rows = list(model._default_manager.filter(**{field: duplicate}))
        if rows and field == "customer" and hasattr(model, "history"):
            _move_children(rows, survivor, actor, reason)
        elif rows:
            model._default_manager.filter(pk__in=[r.pk for r in rows]).update(
                **{field: survivor}
            )
        counts[model] = len(rows)
    _merge_grants(survivor, duplicate, actor, reason)
    _set_tags(
        survivor,
        [t.name for t in survivor.tags.all()] + [t.name for t in duplicate.tags.all()],
        actor,
    )
    notes = "\n\n".join(n for n in (survivor.notes, duplicate.notes) if n)
    survivor.notes = notes
    survivor.key_account = survivor.key_account or duplicate.key_account
    for name in ("vat_id", "iban", "industry", "website"):
        if not getattr(survivor, name):
            setattr(survivor, name, getattr(duplicate, name))
    survivor.version += 1
    audit.save(survivor, actor=actor, reason=reason)
    merged_into = _("Merged into %(number)s") % {"number": survivor.number}
    audit.delete(duplicate, actor=actor, reason=merged_into)
    refresh_search_text(survivor)
    _counts_changed()
    return MergeResult(
        persons=counts.get(Person, 0),
        addresses=counts.get(Address, 0),
        interactions=counts.get(Interaction, 0),
        other=sum(
            n for m, n in counts.items() if m not in (Person, Address, Interaction)
        ),
    )


def _merge_grants(survivor: Customer, duplicate: Customer, actor, reason) -> None:
    """Whoever was granted the duplicate keeps access to the merged record."""
    for model, holder in (
        (CustomerUserObjectPermission, "user_id"),
        (CustomerGroupObjectPermission, "group_id"),
    ):
        kept = set(
            model.objects.filter(content_object=survivor).values_list(
                holder, "permission_id"
            )
        )
        for grant in model.objects.filter(content_object=duplicate):
            key = (getattr(grant, holder), grant.permission_id)
            if key not in kept:
                kept.add(key)
                audit.save(
                    model(
                        content_object=survivor,
                        permission_id=grant.permission_id,
                        **{holder: key[0]},
                    ),
                    actor=actor,
                    reason=reason,
                )


@transaction.atomic
def customer_mark_reviewed(*, customer: Customer, actor: User, today: date) -> Customer:
    """The customer's data was looked at: next review the company's interval
    (Company.data_review_months) later."""
    policy.require_change(actor, customer.pk)
    locked = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("company")
        .get(pk=customer.pk)
    )
    locked.last_reviewed_on = today
    locked.next_review_on = default_next_review(
        today, months=locked.company.data_review_months
    )
    locked.version += 1  # an edit form opened before would save an old date
    audit.save(locked, actor=actor, reason=_("Data reviewed"))
    return locked
