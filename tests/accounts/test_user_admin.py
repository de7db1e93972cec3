"""Users, roles and teams on the product's own pages: a company's Admin invites,
changes and disables its users and keeps its teams; every change is audited,
bad input writes nothing, stale saves are refused, other companies stay apart."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Company, Team, User
from accounts.permissions import roles_of
from accounts.roles import Role
from core import outbox
from core.errors import PermissionRefused
from core.models import OutboxMessage

NEW = reverse("accounts:user_new")


def edit_url(user) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def _company(user) -> Company:
    return Company.objects.get(pk=user.company_id)


def _team(user, name: str) -> Team:
    return Team.objects.get(company_id=user.company_id, name=name)


def _second_admin(client, company):
    """erik, a second Admin of the company (no operator), signed in on client."""
    from tests.support.otp import mark_verified

    erik = services.user_create(
        username="erik", password=None, roles=[Role.ADMIN], actor=None, company=company
    )
    client.force_login(erik)
    services.totp_device_ensure_demo(user=erik, secret="JBSWY3DPEHPK3PXP")
    mark_verified(client, erik)
    services.commitment_accept(user=erik, version=company.commitment_version)
    return User.objects.get(pk=erik.pk)


def _edit_form(user, **changes) -> dict:
    """The edit form as it opens for `user`, with `changes`."""
    company_id = user.company_id
    groups = set(user.groups.values_list("pk", flat=True))
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "roles": [
            role
            for role in Role.values
            if User.objects.filter(
                pk=user.pk,
                groups__company_role__company_id=company_id,
                groups__company_role__role=role,
            ).exists()
        ],
        "teams": [
            team.pk
            for team in Team.objects.filter(company_id=company_id, group__in=groups)
        ],
        "is_active": "on" if user.is_active else "",
        "version": user.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_the_admin_invites_a_user_who_sets_a_password_and_signs_in(
    client_as, client, demo, django_capture_on_commit_callbacks
):
    admin = demo["admin"]
    nord = _team(admin, "Nord")
    with django_capture_on_commit_callbacks(execute=False):
        response = client_as("admin").post(
            NEW,
            {
                "username": "emil",
                "first_name": "Emil",
                "last_name": "Engel",
                "email": "emil@example.com",
                "language": "de",
                "roles": [Role.STAFF],
                "teams": [nord.pk],
            },
        )
    emil = User.objects.get(username="emil")
    assert response.status_code == 302
    assert response["Location"] == edit_url(emil)
    assert emil.has_usable_password() is False
    assert emil.company_id == admin.company_id
    assert roles_of(emil) == {Role.STAFF}
    assert nord.group.user_set.filter(pk=emil.pk).exists()
    invited = emil.history.order_by("-history_id").first()
    assert invited.history_user == admin
    assert invited.history_change_reason.startswith("Eingeladen zu ")

    message = OutboxMessage.objects.get(kind=services.USER_INVITED)
    assert (message.object_id, message.recipient_id) == (invited.history_id, emil.pk)
    assert outbox.deliver() == 1
    sent = mail.outbox[-1]
    assert sent.to == ["emil@example.com"]
    assert sent.from_email == _company(admin).sender_email
    assert "Ihr Benutzername: emil" in sent.body
    assert "Adam Admin hat Ihnen Zugang" in sent.body
    link = re.search(r"http\S+/accounts/reset/\S+/", sent.body).group(0)

    # The link sets the first password (Django's reset form); then emil signs in.
    path = link.split("testserver", 1)[-1] if "testserver" in link else link
    path = "/" + path.split("/", 3)[3]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {
            "new_password1": "Wolke-Tisch-42-Lampe",
            "new_password2": "Wolke-Tisch-42-Lampe",
        },
    )
    assert done.status_code == 302
    emil.refresh_from_db()
    assert emil.check_password("Wolke-Tisch-42-Lampe")
    signed_in = client.post(
        reverse("login"), {"username": "emil", "password": "Wolke-Tisch-42-Lampe"}
    )
    assert signed_in.status_code == 302
    # once a password is set, the invitation is not sent again
    with pytest.raises(Exception, match="user_signed_in_already"):
        services.user_invite_again(actor=admin, user=emil, company=_company(admin))


def test_the_invitation_speaks_the_user_s_language(client_as, demo):
    client_as("admin").post(
        NEW,
        {
            "username": "erin",
            "email": "erin@example.com",
            "language": "en",
            "roles": [Role.MANAGER],
        },
    )
    assert outbox.deliver() == 1
    sent = mail.outbox[-1]
    assert sent.subject.startswith("Your access to Kundenbuch for ")
    assert "Your username: erin" in sent.body
    assert "valid for 3 days" in sent.body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "ANNA"}, "username", "bereits vergeben"),
        ({"username": ""}, "username", "erforderlich"),
        ({"username": "a b"}, "username", "gültigen Benutzernamen"),
        ({"email": ""}, "email", "erforderlich"),
        ({"email": "kein-at"}, "email", "gültige E-Mail"),
        ({"roles": []}, "roles", "mindestens eine Rolle"),
        ({"roles": ["Boss"]}, "roles", "keine gültige Auswahl"),
    ],
)
def test_bad_input_stands_next_to_the_field_and_writes_nothing(
    client_as, demo, changes, field, message
):
    data = {
        "username": "neu",
        "email": "neu@example.com",
        "language": "de",
        "roles": [Role.STAFF],
    } | changes
    users, messages = User.objects.count(), OutboxMessage.objects.count()

    response = client_as("admin").post(NEW, data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert (User.objects.count(), OutboxMessage.objects.count()) == (users, messages)


def test_only_an_admin_of_the_company_keeps_users_and_teams(client_as, demo):
    anna, maria, ben = demo["anna"], demo["maria"], demo["ben"]
    team = _team(anna, "Nord")
    client = client_as("maria")
    pages = [
        NEW,
        edit_url(anna),
        reverse("accounts:team_new"),
        reverse("accounts:team_edit", args=[team.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    assert (
        client.post(reverse("accounts:user_invite_again", args=[anna.pk])).status_code
        == 403
    )
    # the services refuse the same, whoever calls them
    with pytest.raises(PermissionRefused):
        services.user_invite(
            actor=maria,
            company=_company(maria),
            fields={"username": "x", "email": "x@example.com"},
            roles=[Role.STAFF],
        )
    with pytest.raises(PermissionRefused):
        services.user_update(
            actor=ben,
            user=anna,
            company=_company(anna),
            version=anna.version,
            fields={},
            roles=[Role.ADMIN],
            teams=[],
            active=True,
        )
    assert roles_of(User.objects.get(pk=anna.pk)) == {Role.STAFF}


def test_another_company_s_users_and_teams_are_404(client_as, demo):
    admin, carla = demo["admin"], demo["carla"]
    vertrieb = _team(carla, "Vertrieb")
    client = client_as("admin")
    _second_admin(client, _company(admin))

    for url in (
        edit_url(carla),
        reverse("accounts:user_invite_again", args=[carla.pk]),
        reverse("accounts:factors_reset", args=[carla.pk]),
        reverse("accounts:team_edit", args=[vertrieb.pk]),
    ):
        method = client.post if "invite" in url or "reset" in url else client.get
        assert method(url).status_code == 404, url
    listing = client.get(reverse("accounts:administration"))
    assert "carla" not in listing.content.decode()
    # another company's team is no choice on this company's form
    response = client.post(
        edit_url(demo["anna"]), _edit_form(demo["anna"], teams=[vertrieb.pk])
    )
    assert response.status_code == 400
    assert "teams" in response.context["form"].errors
    assert not vertrieb.group.user_set.filter(pk=demo["anna"].pk).exists()


def test_roles_and_teams_change_at_once_and_the_history_names_them(client_as, demo):
    maria = demo["maria"]
    sued = _team(maria, "Süd")
    client = client_as("admin")

    response = client.post(
        edit_url(maria),
        _edit_form(maria, roles=[Role.MANAGER, Role.ADMIN], teams=[sued.pk]),
    )

    assert response.status_code == 302
    maria = User.objects.get(pk=maria.pk)
    assert roles_of(maria) == {Role.MANAGER, Role.ADMIN}
    assert maria.version == 2
    page = client.get(edit_url(maria)).content.decode()
    # the history names the roles and teams as such, and who changed them
    assert "Administrator" in page and "Süd" in page
    assert "role:" not in page and "team:" not in page
    entries = client.get(edit_url(maria)).context["entries"]
    assert {entry.who for entry in entries[:2]} == {"Adam Admin"}


def test_a_disabled_user_is_signed_out_and_cannot_sign_in_and_is_kept(
    client_as, demo, demo_password, client
):
    from django.test import Client

    ben = demo["ben"]
    bens = Client()
    from tests.support.otp import sign_in

    sign_in(bens, ben)
    assert bens.get(reverse("crm:customer_list")).status_code == 200

    response = client_as("admin").post(edit_url(ben), _edit_form(ben, is_active=""))

    assert response.status_code == 302
    ben = User.objects.get(pk=ben.pk)
    assert ben.is_active is False
    assert bens.get(reverse("crm:customer_list")).status_code == 302
    fresh = Client()
    refused = fresh.post(
        reverse("login"), {"username": "ben", "password": demo_password}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in fresh.session
    assert ben.history.order_by("-history_id").first().history_change_reason == (
        "Konto deaktiviert"
    )
    # still listed (kept with their history), and enabled again
    assert (
        "ben"
        in client_as("admin").get(reverse("accounts:administration")).content.decode()
    )
    client_as("admin").post(edit_url(ben), _edit_form(ben, is_active="on"))
    assert User.objects.get(pk=ben.pk).is_active is True


def test_the_admin_keeps_themselves_and_the_company_keeps_an_admin(client_as, demo):
    admin = demo["admin"]
    client = client_as("admin")

    itself = client.post(edit_url(admin), _edit_form(admin, is_active=""))
    assert itself.status_code == 400
    assert "eigenes Konto" in " ".join(itself.context["form"].errors["is_active"])

    last = client.post(edit_url(admin), _edit_form(admin, roles=[Role.STAFF]))
    assert last.status_code == 400
    assert "mindestens einen aktiven Administrator" in " ".join(
        last.context["form"].errors["roles"]
    )
    assert roles_of(User.objects.get(pk=admin.pk)) == {Role.ADMIN}


def test_a_user_of_two_companies_leaves_one_but_is_not_disabled_by_it(demo):
    admin, anna, carla = demo["admin"], demo["anna"], demo["carla"]
    first, second = _company(admin), _company(carla)
    services.user_set_roles(user=anna, roles=[Role.STAFF], company=second, actor=None)
    erik = services.user_create(
        username="erik", password=None, roles=[Role.ADMIN], actor=None, company=first
    )

    with pytest.raises(Exception) as refused:
        services.user_update(
            actor=erik, user=anna, company=first, version=anna.version,
            fields={}, roles=[Role.STAFF], teams=[], active=False,
        )  # fmt: skip
    assert "is_active" in refused.value.message_dict

    services.user_update(
        actor=erik, user=anna, company=first, version=anna.version,
        fields={}, roles=[], teams=[], active=True,
    )  # fmt: skip
    anna = User.objects.get(pk=anna.pk)
    assert anna.is_active is True
    assert anna.company_id == second.pk
    assert not User.objects.filter(
        pk=anna.pk, groups__company_role__company=first
    ).exists()
    assert not _team(admin, "Nord").group.user_set.filter(pk=anna.pk).exists()


def test_a_stale_save_of_a_user_is_refused_and_overwrites_nothing(client_as, demo):
    anna = demo["anna"]
    client = client_as("admin")
    opened = _edit_form(anna)
    client.post(edit_url(anna), opened | {"last_name": "Albers-Neu"})

    response = client.post(edit_url(anna), opened | {"first_name": "Änne"})

    assert response.status_code == 409
    assert "Albers-Neu" in response.content.decode()
    anna = User.objects.get(pk=anna.pk)
    assert (anna.first_name, anna.last_name) == ("Anna", "Albers-Neu")


def test_the_admin_creates_and_changes_a_team(client_as, demo):
    admin, maria, anna, carla = (
        demo["admin"],
        demo["maria"],
        demo["anna"],
        demo["carla"],
    )
    client = client_as("admin")

    created = client.post(
        reverse("accounts:team_new"),
        {"name": "Ost", "manager": maria.pk, "members": [anna.pk]},
    )
    ost = Team.objects.get(company_id=admin.company_id, name="Ost")
    assert created.status_code == 302
    assert ost.manager == maria
    assert list(ost.group.user_set.all()) == [anna]
    assert ost.group.name == f"team:{admin.company_id}:ost"

    duplicate = client.post(reverse("accounts:team_new"), {"name": "ost"})
    assert duplicate.status_code == 400
    assert "name" in duplicate.context["form"].errors
    foreign = client.post(
        reverse("accounts:team_new"), {"name": "West", "members": [carla.pk]}
    )
    assert foreign.status_code == 400
    assert not Team.objects.filter(name="West").exists()

    url = reverse("accounts:team_edit", args=[ost.pk])
    changed = client.post(url, {"name": "Ost-Vertrieb", "members": [], "version": 1})
    assert changed.status_code == 302
    ost.refresh_from_db()
    assert (ost.name, ost.manager, ost.version) == ("Ost-Vertrieb", None, 2)
    assert not ost.group.user_set.exists()
    # anna's history records leaving the team, by the admin
    last = User.history.filter(id=anna.pk).order_by("-history_id").first()
    assert last.history_user == admin

    stale = client.post(url, {"name": "Ost-Alt", "version": 1})
    assert stale.status_code == 409
    ost.refresh_from_db()
    assert ost.name == "Ost-Vertrieb"


def test_an_admin_who_gives_up_the_role_lands_on_the_dashboard(client_as, demo):
    admin = demo["admin"]
    services.user_set_roles(
        user=demo["maria"], roles=[Role.MANAGER, Role.ADMIN], actor=None,
        company=_company(admin),
    )  # fmt: skip
    client = client_as("admin")
    erik = _second_admin(client, _company(admin))

    response = client.post(edit_url(erik), _edit_form(erik, roles=[Role.STAFF]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert roles_of(User.objects.get(pk=erik.pk)) == {Role.STAFF}
    assert client.get(reverse("accounts:administration")).status_code == 403
