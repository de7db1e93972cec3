from datetime import date

import pytest

from tests.crm.conftest import add_address, add_person, make_customer  # noqa: F401


def make_contract(customer, owner, today=date(2025, 2, 1), **fields):
    from contracts import services

    values = {
        "title": "Wartungsvertrag",
        "concluded_on": date(2025, 1, 1),
        "start": date(2025, 1, 1),
        "initial_months": 12,
        "renewal": "months",
        "renewal_months": 12,
        "notice_amount": 3,
        "notice_unit": "months",
        "anchor": "term_end",
        "owner": owner,
        **fields,
    }
    return services.contract_create(
        customer=customer, actor=owner, fields=values, today=today
    )


@pytest.fixture
def nord_contract(demo):
    customer = make_customer(demo["anna"], "Nord", name="Nordlicht Logistik GmbH")
    add_address(customer, demo["anna"])
    return make_contract(customer, demo["anna"])


@pytest.fixture
def sud_contract(demo):
    customer = make_customer(demo["ben"], "Süd", name="Südwind Bau AG")
    add_address(customer, demo["ben"], postcode="80331", city="München")
    return make_contract(customer, demo["ben"], title="Mietvertrag")
