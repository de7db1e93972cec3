from datetime import date

import pytest

from tests.crm.conftest import add_person, make_customer  # noqa: F401


def open_request(dpo, *, person=None, received=date(2025, 1, 31), kind="access"):
    from compliance import services

    return services.request_create(
        actor=dpo,
        fields={
            "kind": kind,
            "person": person,
            "subject_name": person.full_name if person else "Erika Muster",
            "received_on": received,
            "channel": "email",
        },
    )


@pytest.fixture
def erika(demo):
    customer = make_customer(
        demo["anna"], "Nord", kind="private",
        person_fields={"first_name": "Erika", "last_name": "Muster"},
    )  # fmt: skip
    return customer.persons.get()
