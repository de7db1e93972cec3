"""Who sees which customer: a permission matrix over every crm URL."""

from datetime import date

import pytest
from django.urls import reverse

from crm import services
from crm.models import Customer, Interaction, Person


def detail_urls(customer) -> list[str]:
    """Every GET page of one customer (and of what hangs off it)."""
    person = customer.persons.first()
    address = customer.addresses.first()
    pk = customer.pk
    return [
        reverse("crm:customer_detail", args=[pk]),
        reverse("crm:customer_edit", args=[pk]),
        reverse("crm:customer_delete", args=[pk]),
        reverse("crm:customer_history", args=[pk]),
        reverse("crm:customer_timeline", args=[pk]),
        reverse("crm:customer_sharing", args=[pk]),
        reverse("crm:customer_duplicates", args=[pk]),
        reverse("crm:customer_merge", args=[pk]),
        reverse("crm:person_new", args=[pk]),
        reverse("crm:person_detail", args=[pk, person.pk]),
        reverse("crm:person_edit", args=[pk, person.pk]),
        reverse("crm:address_new", args=[pk]),
        reverse("crm:address_edit", args=[pk, address.pk]),
    ]


def test_anna_gets_404_for_a_team_sud_customer_on_every_page(client_as, sud):
    client = client_as("anna")
    for url in detail_urls(sud):
        assert client.get(url).status_code == 404, url


def test_anna_gets_404_when_writing_to_a_team_sud_customer(client_as, sud, demo):
    client = client_as("anna")
    pk = sud.pk
    posts = {
        reverse("crm:customer_edit", args=[pk]): {"name": "Gekapert", "version": 1},
        reverse("crm:customer_delete", args=[pk]): {},
        reverse("crm:customer_timeline", args=[pk]): {
            "kind": "note",
            "direction": "internal",
            "occurred_at": "2026-11-20T10:00",
            "subject": "Eingeschleust",
        },
        reverse("crm:person_new", args=[pk]): {"last_name": "X", "email": "x@x.de"},
        reverse("crm:address_new", args=[pk]): {
            "purpose": "postal",
            "street": "Weg 1",
            "postcode": "12345",
            "city": "Berlin",
            "country": "DE",
        },
        reverse("crm:customer_sharing", args=[pk]): {"user": demo["anna"].pk},
        reverse("crm:person_delete", args=[pk, sud.persons.get().pk]): {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    sud.refresh_from_db()
    assert sud.name == "Südwind Bau AG"
    assert Interaction.objects.filter(subject="Eingeschleust").exists() is False
    assert Person.objects.filter(customer=sud).count() == 1


def test_lists_search_and_export_leave_out_what_anna_may_not_see(client_as, nord, sud):
    client = client_as("anna")
    listing = client.get(reverse("crm:customer_list"))
    assert [c.pk for c in listing.context["page"].rows] == [nord.pk]
    found = client.get(reverse("search"), {"q": "Südwind"})
    assert found.context["result"].customers == []
    assert client.get(reverse("search"), {"q": "Huber"}).context["result"].persons == []
    export = b"".join(client.get(reverse("crm:customer_export")).streaming_content)
    assert b"Nordlicht" in export
    assert "Südwind".encode() not in export
    # With one VAT ID the two would be a duplicate pair, for those who see both.
    Customer.objects.filter(pk=sud.pk).update(vat_id="DE136695976")
    Customer.objects.filter(pk=nord.pk).update(vat_id="DE136695976")
    anna_pairs = client.get(reverse("crm:duplicate_list")).context["pairs"]
    assert anna_pairs == []
    maria_pairs = client_as("maria").get(reverse("crm:duplicate_list")).context["pairs"]
    assert [(a.pk, b.pk) for a, b, _reason in maria_pairs] == [
        tuple(sorted((nord.pk, sud.pk)))
    ]


def test_merge_form_refuses_a_duplicate_from_another_team(client_as, nord, sud):
    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_merge", args=[nord.pk]),
        {"duplicate": sud.pk, "confirm": "yes"},
    )
    assert response.status_code == 400
    assert Customer.objects.filter(pk=sud.pk).exists() is True


@pytest.mark.parametrize(
    ("username", "nord_status", "sud_status"),
    [
        ("anna", 200, 404),
        ("ben", 404, 200),
        ("maria", 200, 200),  # manager of both teams
        ("dora", 200, 200),  # the DPO reads all
        ("admin", 200, 200),
    ],
)
def test_who_sees_which_customer(
    client_as, nord, sud, username, nord_status, sud_status
):
    client = client_as(username)
    assert client.get(nord.get_absolute_url()).status_code == nord_status
    assert client.get(sud.get_absolute_url()).status_code == sud_status


def test_anonymous_is_sent_to_the_login(client, nord):
    response = client.get(nord.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dpo_reads_but_cannot_edit(client_as, demo, nord):
    client = client_as("dora")
    assert client.get(reverse("crm:customer_detail", args=[nord.pk])).status_code == 200
    assert client.get(reverse("crm:customer_edit", args=[nord.pk])).status_code == 403
    response = client.post(
        reverse("crm:customer_timeline", args=[nord.pk]),
        {"kind": "note", "direction": "internal", "subject": "DPO"},
    )
    assert response.status_code == 404
    assert Customer.objects.editable_by(demo["dora"]).exists() is False


def test_staff_may_edit_but_not_delete_own_customer(client_as, nord):
    client = client_as("anna")
    assert client.get(reverse("crm:customer_edit", args=[nord.pk])).status_code == 200
    assert (
        client.post(reverse("crm:customer_delete", args=[nord.pk])).status_code == 403
    )
    assert Customer.objects.filter(pk=nord.pk).exists() is True


def test_manager_deletes_a_customer_and_history_keeps_it(client_as, nord):
    client = client_as("maria")
    response = client.post(reverse("crm:customer_delete", args=[nord.pk]))
    assert response.status_code == 302
    assert Customer.objects.filter(pk=nord.pk).exists() is False
    deleted = Customer.history.filter(id=nord.pk, history_type="-").get()
    assert deleted.history_user.username == "maria"


def test_reassigning_the_owner_and_team_moves_access(client_as, demo, nord):
    anna = client_as("anna")
    assert anna.get(nord.get_absolute_url()).status_code == 200
    maria = client_as("maria")
    response = maria.post(
        reverse("crm:customer_reassign"),
        {
            "customers": [nord.pk],
            "owner": demo["ben"].pk,
            "team": demo["ben"].groups.get(team__isnull=False).team.pk,
        },
    )
    assert response.status_code == 302
    nord.refresh_from_db()
    assert nord.owner == demo["ben"]
    assert nord.history.first().history_user == demo["maria"]
    anna = client_as("anna")
    assert anna.get(nord.get_absolute_url()).status_code == 404
    assert client_as("ben").get(nord.get_absolute_url()).status_code == 200


def test_bulk_reassign_refuses_customers_the_user_may_not_edit(
    client_as, demo, nord, sud
):
    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_reassign"),
        {"customers": [nord.pk, sud.pk], "owner": demo["anna"].pk},
    )
    assert response.status_code == 302
    sud.refresh_from_db()
    nord.refresh_from_db()
    assert sud.owner == demo["ben"]
    assert nord.version == 1  # nothing half done


def test_a_read_grant_shows_the_customer_and_an_edit_grant_allows_editing(
    client_as, demo, sud
):
    services.customer_share(customer=sud, actor=demo["ben"], user=demo["anna"])
    client = client_as("anna")
    page = client.get(sud.get_absolute_url())
    assert page.status_code == 200
    assert "Er ist für Sie persönlich freigegeben." in page.content.decode() or (
        "It is shared with you personally." in page.content.decode()
    )
    assert client.get(reverse("crm:customer_edit", args=[sud.pk])).status_code == 404
    services.customer_share(
        customer=sud, actor=demo["ben"], user=demo["anna"], can_edit=True
    )
    client = client_as("anna")
    assert client.get(reverse("crm:customer_edit", args=[sud.pk])).status_code == 200
    services.customer_unshare(customer=sud, actor=demo["ben"], user=demo["anna"])
    client = client_as("anna")
    assert client.get(sud.get_absolute_url()).status_code == 404


def test_sharing_with_a_team_reaches_its_members(client_as, demo, sud):
    from accounts.models import Team

    nord_team = Team.objects.get(name="Nord")
    client = client_as("ben")
    response = client.post(
        reverse("crm:customer_sharing", args=[sud.pk]), {"team": nord_team.pk}
    )
    assert response.status_code == 302
    assert client_as("anna").get(sud.get_absolute_url()).status_code == 200
    history = sud.customergroupobjectpermission_set.model.history.filter(
        content_object_id=sud.pk
    )
    assert history.first().history_user == demo["ben"]


def test_visibility_is_one_sql_condition_without_text_casts(demo):
    sql = str(Customer.objects.visible_to(demo["anna"]).query)
    assert "EXISTS" in sql
    assert "::text" not in sql.lower()
    assert "crm_customeruserobjectpermission" in sql
    assert '"crm_customer"."team_id" IN' in sql


def test_children_follow_their_customer(demo, nord, sud):
    anna = demo["anna"]
    assert set(Person.objects.visible_to(anna).values_list("customer", flat=True)) == {
        nord.pk
    }
    assert Interaction.objects.visible_to(anna).filter(customer=sud).exists() is False
    services.customer_share(customer=sud, actor=demo["ben"], user=anna)
    del anna._crm_access
    assert Interaction.objects.visible_to(anna).filter(customer=sud).exists() is True


def test_export_has_headers_and_labels_in_the_users_language(client_as, nord):
    client = client_as("anna")
    body = b"".join(client.get(reverse("crm:customer_export")).streaming_content)
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:4] == ["Kundennummer", "Name", "Art", "Status"]
    assert lines[1].split(";")[2:4] == ["Organisation", "Aktiv"]
    assert len(lines) == 2


def test_404_and_403_pages_use_the_layout_and_say_why(client_as, nord, sud):
    anna = client_as("anna")
    missing = anna.get(sud.get_absolute_url())
    assert missing.status_code == 404
    assert "Diese Seite gibt es nicht, oder Sie dürfen sie nicht sehen." in (
        missing.content.decode()
    )
    assert 'data-testid="main-nav"' in missing.content.decode()

    # the same answer as for a customer that does not exist at all
    def main(response) -> str:
        return response.content.decode().split("<main", 1)[1]

    assert main(anna.get("/customers/999999/")) == main(missing)
    forbidden = client_as("dora").get(reverse("crm:customer_edit", args=[nord.pk]))
    assert forbidden.status_code == 403
    assert "Ihre Rolle erlaubt diese Seite oder Aktion nicht." in (
        forbidden.content.decode()
    )


def test_the_union_form_for_lists_agrees_with_the_per_row_condition(demo, nord, sud):
    """`across_visible` (customer_id IN a UNION) and `visible_to` (OR of EXISTS)
    are the same rule in two shapes; every kind of access must agree."""
    from accounts.models import Team
    from crm import services
    from crm.models import Person

    from .conftest import add_person, make_customer

    shared_user = make_customer(demo["ben"], "Süd", name="Persönlich geteilt AG")
    shared_team = make_customer(demo["ben"], "Süd", name="Team geteilt AG")
    services.customer_share(customer=shared_user, actor=demo["ben"], user=demo["anna"])
    services.customer_share(
        customer=shared_team, actor=demo["ben"], team=Team.objects.get(name="Nord")
    )
    for customer in (nord, sud, shared_user, shared_team):
        add_person(customer, customer.owner, last_name=f"Kontakt {customer.pk}")

    def agree():
        for user in demo.values():
            rows = set(Person.objects.visible_to(user).values_list("pk", flat=True))
            union = Person.objects.across_visible(user).values_list("pk", flat=True)
            assert set(union) == rows, user.username

    agree()
    # a restricted customer (Art. 18) is hidden in both shapes, grants or not
    Customer.objects.filter(pk=shared_user.pk).update(restricted_until=date.max)
    agree()
    assert (
        not Person.objects.across_visible(demo["anna"])
        .filter(customer=shared_user)
        .exists()
    )
    assert (
        Person.objects.across_visible(demo["dora"])
        .filter(customer=shared_user)
        .exists()
    )
    Customer.objects.filter(pk=shared_user.pk).update(restricted_until=None)
    anna = set(
        Person.objects.across_visible(demo["anna"]).values_list(
            "customer_id", flat=True
        )
    )
    assert anna == {nord.pk, shared_user.pk, shared_team.pk}
