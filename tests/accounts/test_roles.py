import io

import pytest
from django.contrib.auth.models import Group

from accounts.permissions import roles_of
from accounts.roles import ROLE_PERMISSIONS, Role, sync_role_groups


def _first_company():
    from accounts.models import Company

    return Company.objects.order_by("pk").first()


def role_group(role: str, company=None) -> Group:
    from accounts.models import CompanyRole

    company = company or _first_company()
    return CompanyRole.objects.get(company=company, role=role).group


def permission_names(role: str, company=None) -> set[str]:
    group = role_group(role, company)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_migration_created_the_first_company_with_its_four_role_groups(db):
    from accounts.models import CompanyRole

    company = _first_company()
    assert set(
        CompanyRole.objects.filter(company=company).values_list("role", "group__name")
    ) == {(role, f"role:{company.pk}:{role}") for role in Role.values}
    # No installation-wide role groups are left.
    assert not Group.objects.filter(name__in=Role.values).exists()


def test_a_new_company_gets_its_role_groups_with_the_same_permissions(db):
    from accounts import services

    company = services.company_create(actor=None, name="Neue Firma GmbH")
    for role in Role.values:
        assert permission_names(role, company) == permission_names(role)


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (
            "Staff",
            {"accounts.view_team"},
            {"accounts.change_user", "accounts.view_user"},
        ),
        (
            "Manager",
            {"accounts.view_team", "accounts.view_user"},
            {"accounts.change_team"},
        ),
        ("DPO", {"accounts.view_user"}, {"accounts.change_user", "auth.change_group"}),
        (
            "Admin",
            {"accounts.change_user", "auth.change_group", "axes.view_accessattempt"},
            set(),
        ),
    ],
)
def test_each_role_holds_its_model_permissions(db, role, has, lacks):
    names = permission_names(role)

    assert has <= names
    assert names.isdisjoint(lacks)


def test_sync_restores_declared_permissions_and_removes_extra_ones(db):
    staff = role_group(Role.STAFF)
    before = permission_names(Role.STAFF)
    staff.permissions.clear()
    staff.permissions.add(*role_group(Role.ADMIN).permissions.all())

    sync_role_groups()

    assert permission_names(Role.STAFF) == before


def test_every_declared_role_is_a_role():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_roles_of_a_superuser_include_admin(demo):
    assert roles_of(demo["admin"]) == {Role.ADMIN}
    assert roles_of(demo["dora"]) == {Role.DPO}


def test_seed_demo_is_idempotent(demo):
    from django.core.management import call_command

    from accounts.models import Team, User

    call_command("seed_demo", "--users-only", stdout=io.StringIO())

    assert User.objects.count() == 8
    assert {
        (t.company.slug, t.name): t.manager.username for t in Team.objects.all()
    } == {
        (_first_company().slug, "Nord"): "maria",
        (_first_company().slug, "Süd"): "maria",
        ("beispiel-handels-ag", "Vertrieb"): "moritz",
    }
    company = _first_company().pk
    assert set(demo["anna"].groups.values_list("name", flat=True)) == {
        f"role:{company}:Staff",
        f"team:{company}:nord",
    }
    assert demo["admin"].is_superuser and demo["admin"].is_staff
    assert not demo["anna"].is_staff


def test_team_changes_are_recorded_in_history_with_the_actor(demo):
    from accounts import services

    team = services.team_create(name="West", manager=None, actor=demo["admin"])
    services.team_set_manager(team=team, manager=demo["maria"], actor=demo["admin"])

    records = list(team.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert {r.history_user for r in records} == {demo["admin"]}
    assert records[-1].manager_id == demo["maria"].pk


def test_role_and_team_changes_are_recorded_in_the_users_history(demo):
    from accounts import services
    from accounts.models import Team

    anna, admin = demo["anna"], demo["admin"]
    services.user_set_roles(user=anna, roles=[Role.MANAGER], actor=admin)
    services.team_add_members(
        team=Team.objects.get(name="Süd"), users=[anna], actor=admin
    )

    latest = anna.history.order_by("-history_id")[:2]
    assert {record.history_user for record in latest} == {admin}
    groups_now = {g.group.name for g in latest[0].groups.all()}
    company = anna.company_id
    assert groups_now == {
        f"role:{company}:Manager",
        f"team:{company}:nord",
        f"team:{company}:sud",
    }


def test_admin_adds_a_team_with_its_own_group(client_as, demo):
    from accounts.models import Team

    company = _first_company()
    response = client_as("admin").post(
        "/admin/accounts/team/add/",
        {"company": company.pk, "name": "West", "manager": demo["maria"].pk},
    )

    assert response.status_code == 302
    team = Team.objects.get(name="West")
    assert (team.company, team.slug, team.group.name, team.manager) == (
        company,
        "west",
        f"team:{company.pk}:west",
        demo["maria"],
    )
    assert team.history.get().history_user == demo["admin"]
