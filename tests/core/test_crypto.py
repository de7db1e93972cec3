"""Sensitive fields are encrypted at rest, readable with the keys, and rotatable."""

import io
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from core import crypto
from crm.models import Person
from tests.crm.conftest import make_customer
from tests.support.versions import current


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
    assert crypto.decrypt(raw("crm_person", "personal_notes", erika.pk)) == "Mag Tee"


TOKEN_LOOKALIKES = [
    "gAAAAA",
    "gAAAAAhello",
    "gAAAAA<script>alert(1)</script>",
    "gAAAAABkZXIgVGV4dCBzaWVodCBhdXMgd2llIGVpbiBUb2tlbg==",
]


@pytest.mark.parametrize("notes", TOKEN_LOOKALIKES)
def test_notes_that_look_like_a_token_are_encrypted_and_the_pages_still_answer(
    erika, client_as, notes
):
    from crm import services

    services.person_update(
        person=erika,
        actor=erika.customer.owner,
        version=current(erika),
        fields={"personal_notes": notes},
    )

    stored = raw("crm_person", "personal_notes", erika.pk)
    assert stored != notes
    assert crypto.decrypt(stored) == notes
    client = client_as("anna")
    customer = client.get(f"/customers/{erika.customer_id}/")
    person = client.get(f"/customers/{erika.customer_id}/persons/{erika.pk}/")
    assert (customer.status_code, person.status_code) == (200, 200)
    assert Person.objects.get(pk=erika.pk).personal_notes == notes


def set_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', [value, pk]
        )


def test_plain_text_left_by_the_old_code_is_read_and_encrypted_by_rotation(
    erika, client_as
):
    # The old field stored notes beginning with "gAAAAA" as they were typed.
    set_raw("crm_person", "personal_notes", erika.pk, "gAAAAA alte Notiz")
    set_raw("crm_person", "birthday", erika.pk, "1971-03-09")

    page = client_as("anna").get(f"/customers/{erika.customer_id}/persons/{erika.pk}/")
    assert page.status_code == 200
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)

    assert "crm.Person.personal_notes: 1 (1 plain text encrypted)" in out.getvalue()
    assert crypto.decrypt(raw("crm_person", "personal_notes", erika.pk)) == (
        "gAAAAA alte Notiz"
    )
    assert crypto.decrypt(raw("crm_person", "birthday", erika.pk)) == "1971-03-09"
    person = Person.objects.get(pk=erika.pk)
    assert (person.personal_notes, person.birthday) == (
        "gAAAAA alte Notiz",
        date(1971, 3, 9),
    )


def test_rotation_refuses_to_touch_tokens_no_key_decrypts(erika, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="no key decrypts"):
        call_command("rotate_field_keys", stdout=io.StringIO())

    settings.FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1sbyE="]
    assert Person.objects.get(pk=erika.pk).personal_notes == "Mag Tee"
