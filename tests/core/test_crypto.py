"""Sensitive fields are encrypted at rest, readable with the keys, and rotatable."""

import io
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from core import crypto
from crm.models import Person
from tests.crm.conftest import make_customer


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def erika(demo):
    customer = make_customer(
        demo["anna"], "Nord", kind="private", iban="DE89370400440532013000",
        person_fields={"first_name": "Erika", "last_name": "Muster",
                       "birthday": date(1971, 3, 9), "personal_notes": "Mag Tee"},
    )  # fmt: skip
    return customer.persons.get()


def test_birthday_notes_and_iban_are_stored_encrypted(erika):
    for column in ("birthday", "personal_notes"):
        assert raw("crm_person", column, erika.pk).startswith("gAAAAA")
    assert raw("crm_customer", "iban", erika.customer_id).startswith("gAAAAA")
    person = Person.objects.get(pk=erika.pk)
    assert person.birthday == date(1971, 3, 9)
    assert person.personal_notes == "Mag Tee"
    assert person.customer.iban == "DE89370400440532013000"
    history = Person.history.filter(id=erika.pk).first()
    assert history.birthday == date(1971, 3, 9)  # history rows are encrypted too
    assert Person.objects.filter(personal_notes="").exists() is False


def test_keys_rotate_and_the_old_key_can_go(erika, settings):
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, *old]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "crm.Person.birthday: 1" in out.getvalue()
    assert "crm.HistoricalPerson.birthday: 1" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is gone
    assert Person.objects.get(pk=erika.pk).birthday == date(1971, 3, 9)
    settings.FIELD_ENCRYPTION_KEYS = old  # only the old key: cannot read
    with pytest.raises(ImproperlyConfigured):
        Person.objects.get(pk=erika.pk)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.is_token(raw("crm_person", "personal_notes", erika.pk))
