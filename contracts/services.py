"""Every write on contracts: one transaction each, with the acting user."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from accounts.models import User
from contracts import deadlines as engine
from contracts.models import Contract
from crm.history import changes_since
from crm.models import Customer, Person
from crm.services import StaleEdit


def _next_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('contracts_contract_number_seq')")
        (value,) = cursor.fetchone()
    return f"V-{value:06d}"


def _save(contract: Contract, actor: User | None) -> None:
    if actor is not None:
        contract._history_user = actor
    contract.save()


def refresh_dates(contract: Contract, *, today: date) -> None:
    """Store the current term end and last notice day for lists and reminders."""
    result = engine.deadlines(contract.terms, today=today)
    contract.term_end = result.term.end if result.term else None
    contract.last_notice_day = result.last_notice_day


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
    contract = Contract(customer=customer, **fields)
    if not contract.number:
        contract.number = _next_number()
    refresh_dates(contract, today=today)
    _save(contract, actor)
    persons = list(persons)
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
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.version != version:
        raise StaleEdit(changes_since(locked, version))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version = version + 1
    refresh_dates(locked, today=today)
    _save(locked, actor)
    if persons is not None:
        if actor is not None:
            locked._history_user = actor
        locked.persons.set(list(persons))
    return locked
