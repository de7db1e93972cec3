"""The registry of personal data is complete and every entry is usable."""

import pytest
from django.apps import apps
from django.db import models

from compliance.registry import NOT_PERSONAL, REGISTRY, Anonymize, entry_for

PROJECT_APPS = {"accounts", "core", "crm", "contracts", "service", "compliance"}
# Field names that hold personal data wherever they appear.
PERSONAL_NAMES = {
    "first_name", "last_name", "name", "email", "email_secondary", "phone",
    "mobile", "birthday", "personal_notes", "notes", "note", "text", "subject",
    "street", "postcode", "city", "recipient", "iban", "original_name",
    "ip_address", "user_agent", "title",
}  # fmt: skip
PERSONAL_MODELS = {"crm.Person", "crm.Customer", "accounts.User"}


def _base(model) -> type[models.Model]:
    """The model a history model, m2m link or m2m history belongs to."""
    if hasattr(model, "instance_type"):  # simple-history's history models
        return _base(model.instance_type)
    if model._meta.auto_created:  # an m2m link table: its declaring model
        return model._meta.auto_created
    if hasattr(model, "m2m_history_id"):  # simple-history's m2m history
        return _base(model._meta.get_field("history").related_model)
    return model


def _looks_personal(model) -> bool:
    for field in model._meta.get_fields():
        if field.name in {"history_user", "history_relation"}:
            continue
        if field.concrete and field.name in PERSONAL_NAMES:
            return True
        related = getattr(field, "related_model", None)
        if field.concrete and related and related._meta.label in PERSONAL_MODELS:
            return True
    return False


def _unregistered(registered: set[str]) -> list[str]:
    """Project models that look personal and whose base model is not covered."""
    missing = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in PROJECT_APPS or not _looks_personal(model):
            continue
        label = _base(model)._meta.label
        if label not in registered and label not in NOT_PERSONAL:
            missing.append(model._meta.label)
    return missing


def test_every_model_with_personal_data_is_registered():
    registered = {entry.label for entry in REGISTRY}
    assert all(entry_for(entry.model) for entry in REGISTRY)
    missing = _unregistered(registered)
    assert not missing, f"register in compliance/registry.py: {missing}"


@pytest.mark.parametrize(
    "left_out",
    [entry for entry in REGISTRY if not entry.model._meta.auto_created],
    ids=lambda e: e.label,
)
def test_leaving_an_entry_out_is_noticed_with_its_history(left_out):
    registered = {entry.label for entry in REGISTRY} - {left_out.label}
    missing = _unregistered(registered)
    assert left_out.label in missing
    if left_out.history_model is not None:
        assert left_out.history_model._meta.label in missing


def test_the_walk_notices_a_model_that_is_not_registered():
    class Shadow(models.Model):  # a new model with an e-mail, not registered
        email = models.EmailField()

        class Meta:
            app_label = "compliance"

        def __str__(self) -> str:
            return self.email

    assert _looks_personal(Shadow) and entry_for(_base(Shadow)) is None
    apps.all_models["compliance"].pop("shadow")
    apps.clear_cache()


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: e.label)
def test_entries_name_real_fields_and_a_path_to_the_person(entry):
    names = {f.name: f for f in entry.model._meta.concrete_fields}
    for name, how in entry.fields.items():
        assert name in names, name
        if how is Anonymize.NULL:
            assert names[name].null, name
    history = entry.history_model
    if history is not None:
        kept = {f.name for f in history._meta.concrete_fields}
        assert set(entry.fields) - kept <= {"search_text"}  # never in history
    for path in [entry.via] if entry.via else []:
        model = entry.model
        for part in path.split("__"):
            if part != "pk":
                model = model._meta.get_field(part).related_model
        assert model._meta.label == "crm.Person"
    if entry.private:
        model = entry.model
        for part in entry.private.split("__"):
            model = model._meta.get_field(part).related_model
        assert model._meta.label == "crm.Customer"


def test_not_personal_lists_only_existing_models_never_a_registered_one():
    registered = {entry.label for entry in REGISTRY}
    for label in NOT_PERSONAL:
        apps.get_model(label)
        assert label not in registered


def test_rows_of_a_person_are_theirs_only(demo):
    from django.utils import timezone

    from contracts.models import Contract
    from crm.models import Address, Customer, Interaction, Person
    from crm.services import interaction_create
    from tests.contracts.conftest import make_contract
    from tests.crm.conftest import add_address, add_person, make_customer

    anna = demo["anna"]
    org = make_customer(anna, "Nord", name="Nordlicht GmbH")
    add_address(org, anna)
    contact = add_person(org, anna, first_name="Ole", last_name="Kontakt")
    other = add_person(org, anna, first_name="Pia", last_name="Andere")
    call = {"kind": "call", "direction": "in", "subject": "Anruf Ole"}
    talk = interaction_create(
        customer=org,
        actor=anna,
        fields={**call, "occurred_at": timezone.now()},
        persons=[contact],
    )
    contract = make_contract(org, anna)
    contract.persons.set([contact])
    by_label = {entry.label: entry for entry in REGISTRY}
    assert list(by_label["crm.Person"].rows_of(contact.pk)) == [contact]
    assert list(by_label["crm.Interaction"].rows_of(contact.pk)) == [talk]
    assert not by_label["crm.Interaction"].rows_of(other.pk).exists()
    # the organization's contract is not the contact's; the link naming them is
    assert not by_label["contracts.Contract"].rows_of(contact.pk).exists()
    links = by_label["contracts.Contract_persons"].rows_of(contact.pk)
    assert [link.contract_id for link in links] == [contract.pk]
    # an organization's address and master data are not the contact's
    assert not by_label["crm.Address"].rows_of(contact.pk).exists()
    assert not by_label["crm.Customer"].rows_of(contact.pk).exists()
    assert Address.objects.count() == 1 and Customer.objects.count() == 1
    assert Person.objects.count() == 2 and Interaction.objects.count() == 1
    assert Contract.objects.count() == 1

    # a private customer: everything of the customer is the person's
    erika = make_customer(
        anna, "Nord", kind="private",
        person_fields={"first_name": "Erika", "last_name": "Muster"},
    )  # fmt: skip
    person = erika.persons.get()
    add_address(erika, anna, street="Rosenweg 1")
    own = make_contract(erika, anna, title="Strom")
    note = interaction_create(
        customer=erika,
        actor=anna,
        fields={"kind": "note", "subject": "Notiz", "occurred_at": timezone.now()},
    )
    assert list(by_label["crm.Customer"].rows_of(person.pk)) == [erika]
    assert [a.street for a in by_label["crm.Address"].rows_of(person.pk)] == [
        "Rosenweg 1"
    ]
    assert list(by_label["contracts.Contract"].rows_of(person.pk)) == [own]
    assert list(by_label["crm.Interaction"].rows_of(person.pk)) == [note]
    assert by_label["accounts.User"].subject_kind == "staff"
