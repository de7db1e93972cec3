"""Every writing service checks its actor itself (issue 11, point 19): called
directly, as an API or an import would, with an actor who may not, it refuses
with PermissionRefused (a stable code) and writes nothing, not even history."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permissions import access_of
from compliance import services as compliance
from contracts import services as contracts
from contracts.documents import CheckedFile
from core.errors import NotPossible, PermissionRefused
from crm import policy, selectors
from crm import services as crm
from service import followups
from tests.contracts.conftest import make_contract
from tests.crm.conftest import add_address, add_person, make_customer
from tests.support.otp import sign_in
from tests.support.versions import current

BERLIN = ZoneInfo("Europe/Berlin")
DATA_APPS = ("crm", "contracts", "service", "compliance", "guardian")


def _rows() -> dict[str, int]:
    """Row counts of every table of the data apps, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def world(demo):
    anna = demo["anna"]
    nord = make_customer(anna, "Nord", name="Nordlicht GmbH")
    other = make_customer(anna, "Nord", name="Nordwind GmbH")
    person = add_person(nord, anna, first_name="Nina", last_name="Nord")
    stranger = add_person(other, anna, last_name="Fremd")
    address = add_address(nord, anna)
    contract = make_contract(nord, anna)
    task = followups.task_create(
        actor=anna, customer=nord, title="Rückruf", due_on=date(2026, 12, 1),
        assignee=anna,
    )  # fmt: skip
    return {
        **demo,
        "task": task,
        "nord": nord,
        "other": other,
        "person": person,
        "stranger": stranger,
        "address": address,
        "contract": contract,
    }


def _fresh(user):
    """The user as a new request loads it: no remembered access."""
    return type(user).objects.get(pk=user.pk)


def _checked(upload) -> CheckedFile:
    return CheckedFile(
        extension="pdf", content_type="application/pdf", size=upload.size, sha256="0"
    )


# (service, who is refused, the expected code); each call takes (world, actor).
CASES = {
    "customer_create": (
        lambda w, a: crm.customer_create(
            actor=a,
            kind="organization",
            fields={"name": "Neu GmbH", "owner": a, "team": w["nord"].team},
        ),
        ["dora"],
        "customer_create_not_allowed",
    ),
    "customer_update": (
        lambda w, a: crm.customer_update(
            customer=w["nord"],
            actor=a,
            version=current(w["nord"]),
            fields={"name": "Umbenannt GmbH"},
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "customer_delete": (
        lambda w, a: crm.customer_delete(customer=w["other"], actor=a),
        ["anna", "ben", "dora"],
        "customer_delete_not_allowed",
    ),
    "customer_reassign": (
        lambda w, a: crm.customer_reassign(
            customers=[w["nord"]], actor=a, owner=w["ben"]
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "customer_share": (
        lambda w, a: crm.customer_share(customer=w["nord"], actor=a, user=w["ben"]),
        ["ben", "dora"],
        "customer_share_not_allowed",
    ),
    "customer_merge": (
        lambda w, a: crm.customer_merge(
            survivor=w["nord"], duplicate=w["other"], actor=a
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "customer_mark_reviewed": (
        lambda w, a: crm.customer_mark_reviewed(
            customer=w["nord"], actor=a, today=date(2026, 12, 1)
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "person_create": (
        lambda w, a: crm.person_create(
            customer=w["nord"], actor=a, fields={"last_name": "Neu"}
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "person_update": (
        lambda w, a: crm.person_update(
            person=w["person"],
            actor=a,
            version=current(w["person"]),
            fields={"last_name": "Anders"},
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "person_delete": (
        lambda w, a: crm.person_delete(person=w["person"], actor=a),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "address_create": (
        lambda w, a: crm.address_create(
            customer=w["nord"],
            actor=a,
            fields={
                "purpose": "delivery",
                "street": "Weg 2",
                "postcode": "20095",
                "city": "Hamburg",
                "country": "DE",
            },
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "address_update": (
        lambda w, a: crm.address_update(
            address=w["address"],
            actor=a,
            version=current(w["address"]),
            fields={"street": "Anderer Weg 3"},
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "interaction_create": (
        lambda w, a: crm.interaction_create(
            customer=w["nord"],
            actor=a,
            fields={
                "kind": "call",
                "direction": "out",
                "subject": "Anruf",
                "occurred_at": datetime(2026, 11, 30, 10, tzinfo=BERLIN),
            },
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "contract_create": (
        lambda w, a: contracts.contract_create(
            customer=w["nord"],
            actor=a,
            today=date(2025, 2, 1),
            fields={
                "title": "Neu",
                "owner": w["anna"],
                "concluded_on": date(2025, 1, 1),
                "start": date(2025, 1, 1),
                "initial_months": 12,
            },
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "contract_update": (
        lambda w, a: contracts.contract_update(
            contract=w["contract"],
            actor=a,
            version=current(w["contract"]),
            fields={"title": "Anders"},
            today=date(2025, 2, 1),
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "contract_give_notice": (
        lambda w, a: contracts.contract_give_notice(
            contract=w["contract"],
            actor=a,
            version=current(w["contract"]),
            given_by="customer",
            channel="letter",
            received_at=datetime(2025, 9, 1, 10, tzinfo=BERLIN),
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "document_upload": (
        lambda w, a: contracts.document_upload(
            contract=w["contract"],
            actor=a,
            upload=SimpleUploadedFile("v.pdf", b"%PDF-1.4\n%%EOF\n"),
            checked=_checked(SimpleUploadedFile("v.pdf", b"%PDF-1.4\n%%EOF\n")),
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "consent_record": (
        lambda w, a: compliance.consent_record(
            person=w["person"], purpose="phone_marketing", source="Telefonat", actor=a
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "disclosure_record": (
        lambda w, a: compliance.disclosure_record(
            customer=w["nord"],
            actor=a,
            fields={
                "recipient": "Steuerbüro",
                "what": "Anschrift",
                "disclosed_on": date(2026, 11, 2),
            },
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    # Follow-up tasks (service.followups): who may change the customer.
    "task_create": (
        lambda w, a: followups.task_create(
            actor=a,
            customer=w["nord"],
            title="Nachfassen",
            due_on=date(2026, 12, 2),
            assignee=w["anna"],
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "task_update": (
        lambda w, a: followups.task_update(
            task=w["task"],
            actor=a,
            version=current(w["task"]),
            title="Geändert",
            due_on=date(2026, 12, 3),
            assignee=w["anna"],
        ),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "task_complete": (
        lambda w, a: followups.task_complete(task=w["task"], actor=a),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "task_reopen": (
        lambda w, a: followups.task_reopen(task=w["task"], actor=a),
        ["ben", "dora"],
        "customer_not_editable",
    ),
    "request_create": (
        lambda w, a: compliance.request_create(
            actor=a,
            fields={
                "kind": "access",
                "subject_name": "Nina Nord",
                "received_on": date(2026, 11, 2),
                "channel": "email",
            },
        ),
        ["anna", "maria"],
        "compliance_only",
    ),
    "activity_create": (
        lambda w, a: compliance.activity_create(
            actor=a, fields={"name": "Newsletter", "purpose": "Werbung"}
        ),
        ["anna", "maria"],
        "compliance_only",
    ),
    "rule_create": (
        lambda w, a: compliance.rule_create(
            actor=a,
            fields={"name": "Alt", "kind": "interaction", "years": 1},
            # The system names the company (a user's is their current one).
            company=None if a else w["nord"].company_id,
        ),
        ["anna", "maria"],
        "compliance_only",
    ),
}


@pytest.mark.parametrize(
    ("service", "who"),
    [(name, who) for name, (_call, refused, _code) in CASES.items() for who in refused],
)
def test_a_service_refuses_an_actor_who_may_not_and_writes_nothing(world, service, who):
    call, _refused, code = CASES[service]
    before = _rows()
    with pytest.raises(PermissionRefused) as refused:
        call(world, _fresh(world[who]))
    assert refused.value.code == code
    assert refused.value.message  # a message in the reader's language
    assert _rows() == before


COMPLIANCE = {"request_create", "activity_create", "rule_create"}


@pytest.mark.parametrize("service", list(CASES))
def test_the_same_call_by_an_allowed_actor_and_by_the_system_passes(world, service):
    """The refusals above are the rule's, not bad input: the same calls pass."""
    call, _refused, _code = CASES[service]
    allowed = "dora" if service in COMPLIANCE else "anna"
    allowed = "maria" if service == "customer_delete" else allowed  # a manager
    call(world, _fresh(world[allowed]))
    if service in ("customer_update", "rule_create", "interaction_create"):
        call(world, None)  # beat, demo data: the system


def test_a_person_of_another_customer_is_refused_on_a_record(world):
    before = _rows()
    with pytest.raises(PermissionRefused) as refused:
        crm.interaction_create(
            customer=world["nord"],
            actor=world["anna"],
            fields={
                "kind": "call",
                "direction": "out",
                "subject": "Anruf",
                "occurred_at": datetime(2026, 11, 30, 10, tzinfo=BERLIN),
            },
            persons=[world["stranger"]],
        )
    assert refused.value.code == "person_of_other_customer"
    assert _rows() == before


def test_a_restricted_person_is_stored_not_changed_even_by_the_admin(world):
    person = world["person"]
    type(person).objects.filter(pk=person.pk).update(restricted_until=date.max)
    person.refresh_from_db()
    with pytest.raises(NotPossible) as refused:
        crm.person_update(
            person=person,
            actor=_fresh(world["admin"]),
            version=current(person),
            fields={"last_name": "Anders"},
        )
    assert refused.value.code == "person_restricted"
    person.refresh_from_db()
    assert person.last_name == "Nord"


def test_the_check_costs_no_query_after_the_selector_fetched_for_change(world):
    """customer_get(perm="change") proved the right: the service does not ask
    again; a customer fetched only to read is asked once more."""
    anna = _fresh(world["anna"])
    customer = selectors.customer_get(user=anna, pk=world["nord"].pk, perm="change")
    with CaptureQueriesContext(connection) as proven:
        policy.require_change(anna, customer.pk)
    assert len(proven) == 0
    maria = _fresh(world["maria"])  # manages Nord
    selectors.customer_get(user=maria, pk=world["nord"].pk)  # to read only
    with CaptureQueriesContext(connection) as asked:
        policy.require_change(maria, world["nord"].pk)
    assert len(asked) == 1
    ben = _fresh(world["ben"])  # Süd: asked, and refused
    access_of(ben)  # his roles and teams, as the request's menu loads them
    with CaptureQueriesContext(connection) as asked, pytest.raises(PermissionRefused):
        policy.require_change(ben, world["nord"].pk)
    assert len(asked) == 1


def test_a_service_refusal_no_view_catches_is_a_409_page_with_its_message(
    world, client
):
    """The admin sees a restricted person (Art. 18) but may not change it: the
    edit page answers with the service's reason in German, nothing saved."""
    person = world["person"]
    type(person).objects.filter(pk=person.pk).update(restricted_until=date.max)
    sign_in(client, world["admin"])  # password and second factor
    response = client.post(
        f"/customers/{world['nord'].pk}/persons/{person.pk}/edit/",
        {
            "last_name": "Anders",
            "email": "nina@example.com",
            "preferred_language": "de",
            "version": current(person),
        },
    )
    assert response.status_code == 409, response.context["form"].errors
    assert "eingeschränkt" in response.content.decode()
    assert "Nichts wurde gespeichert." in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == "Nord"


def test_a_restricted_private_customer_is_stored_not_changed(demo):
    from crm.models import Customer

    anna = demo["anna"]
    customer = make_customer(
        anna, "Nord", kind="private",
        person_fields={"first_name": "Erika", "last_name": "Muster"},
    )  # fmt: skip
    Customer.objects.filter(pk=customer.pk).update(restricted_until=date.max)
    customer.refresh_from_db()
    person = customer.persons.get()
    before = _rows()
    with pytest.raises(NotPossible) as refused:
        crm.customer_update(
            customer=customer, actor=_fresh(demo["admin"]),
            version=current(customer), fields={"notes": "neu"},
        )  # fmt: skip
    assert refused.value.code == "customer_restricted"
    with pytest.raises(NotPossible):
        crm.person_update(
            person=person, actor=_fresh(demo["admin"]),
            version=current(person), fields={"last_name": "Anders"},
        )  # fmt: skip
    assert _rows() == before
