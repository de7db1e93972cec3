import pytest
from django.urls import reverse

NAV = {
    "Dashboard": "accounts:dashboard",
    "Customers": "crm:customer_list",
    "Contracts": "contracts:contract_list",
    "Cases": "service:case_list",
    "Tasks": "service:task_list",
    "Compliance": "compliance:index",
    "Admin": "accounts:administration",
}

# Which areas each demo user's role opens: the navigation shows exactly these,
# every other area answers 403.
ALLOWED = {
    "anna": {"Dashboard", "Customers", "Contracts", "Cases", "Tasks"},
    "ben": {"Dashboard", "Customers", "Contracts", "Cases", "Tasks"},
    "maria": {"Dashboard", "Customers", "Contracts", "Cases", "Tasks"},
    "dora": {"Dashboard", "Customers", "Contracts", "Cases", "Tasks", "Compliance"},
    "admin": set(NAV),
}


def nav_links(response) -> list[str]:
    return [item.url_name for item in response.context["nav_items"]]


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_navigation_shows_exactly_the_areas_of_the_role(client_as, username):
    client = client_as(username)
    client.cookies["crm_language"] = "en"

    response = client.get(reverse("accounts:dashboard"))

    expected = [NAV[label] for label in NAV if label in ALLOWED[username]]
    assert nav_links(response) == expected
    html = response.content.decode()
    for label, url_name in NAV.items():
        assert (f'href="{reverse(url_name)}"' in html) is (label in ALLOWED[username])


@pytest.mark.parametrize("username", sorted(ALLOWED))
@pytest.mark.parametrize("area", sorted(NAV))
def test_each_area_answers_200_to_its_roles_and_403_to_the_others(
    client_as, username, area
):
    response = client_as(username).get(reverse(NAV[area]))

    assert response.status_code == (200 if area in ALLOWED[username] else 403)


@pytest.mark.parametrize("area", sorted(NAV))
def test_anonymous_visitors_are_sent_to_the_login(client, db, area):
    url = reverse(NAV[area])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_user_without_any_role_sees_only_the_dashboard(client, db):
    from accounts import services

    user = services.user_create(username="nobody", password=None, actor=None)
    client.force_login(user)

    response = client.get(reverse("accounts:dashboard"))

    assert nav_links(response) == ["accounts:dashboard"]
    assert client.get(reverse("crm:customer_list")).status_code == 403


def test_django_admin_is_closed_to_everyone_but_admins(client_as):
    assert client_as("admin").get("/admin/").status_code == 200
    for username in ["anna", "maria", "dora"]:
        response = client_as(username).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_user_menu_names_role_and_team(client_as):
    response = client_as("anna").get(reverse("accounts:dashboard"))

    assert list(response.context["user_role_labels"]) == ["Mitarbeiter"]
    assert [team.name for team in response.context["user_teams"]] == ["Nord"]


def test_manager_dashboard_lists_the_members_of_her_teams(client_as):
    response = client_as("maria").get(reverse("accounts:dashboard"))

    teams = {
        t.name: [u.username for u in t.group.user_set.all()]
        for t in response.context["managed_teams"]
    }
    assert teams == {"Nord": ["anna"], "Süd": ["ben"]}
    assert b'data-testid="dashboard-manager"' in response.content
    assert b'data-testid="dashboard-dpo"' not in response.content


@pytest.mark.parametrize("username", ["anna", "maria"])
def test_dashboard_query_count_does_not_grow_with_the_number_of_teams(
    client_as, django_assert_num_queries, username
):
    from accounts import services
    from accounts.models import User

    client = client_as(username)
    client.get(reverse("accounts:dashboard"))  # warm: session, content types
    with django_assert_num_queries(DASHBOARD_QUERIES[username]):
        client.get(reverse("accounts:dashboard"))
    manager = User.objects.get(username="maria")
    for number in range(10):
        team = services.team_create(name=f"Team {number}", manager=manager, actor=None)
        services.team_add_members(
            team=team, users=[User.objects.get(username=username)], actor=None
        )
    with django_assert_num_queries(DASHBOARD_QUERIES[username]):
        client.get(reverse("accounts:dashboard"))


# user, roles and teams in one query (the session comes from Redis); for staff
# their deadlines; for a manager who manages some: managed teams, their groups and
# members (prefetches), and the overdue data reviews per managed team (one query);
# for both "my tasks" (service): the counts in one aggregate, the first rows in one;
# the same two for staff's "my cases" and for a manager's "cases of my teams".
DASHBOARD_QUERIES = {"anna": 8, "maria": 11}  # with the OTP device


def test_user_menu_of_a_manager_names_the_teams_she_manages(client_as):
    response = client_as("maria").get(reverse("accounts:dashboard"))

    assert [team.name for team in response.context["user_teams"]] == ["Nord", "Süd"]
    assert "Nord (Leitung), Süd (Leitung)" in response.content.decode()


def test_pages_are_german_for_a_german_user_whatever_the_browser_asks(client_as):
    client = client_as("anna")

    response = client.get(reverse("accounts:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US")

    assert response["Content-Language"] == "de"
    assert "Willkommen, Anna" in response.content.decode()


def test_switching_the_language_is_kept_on_the_user(client_as, demo):
    client = client_as("anna")

    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:dashboard"))

    demo["anna"].refresh_from_db()
    assert demo["anna"].language == "en"
    assert "Welcome, Anna" in response.content.decode()


def test_an_unknown_language_is_refused_and_changes_nothing(client_as, demo):
    client = client_as("anna")

    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})

    demo["anna"].refresh_from_db()
    assert demo["anna"].language == "de"


def test_administration_lists_users_with_role_and_team_names(client_as):
    response = client_as("admin").get(reverse("accounts:administration"))

    rows = {row["user"].username: row for row in response.context["rows"]}
    assert rows["anna"]["roles"] == ["Mitarbeiter"]
    assert rows["anna"]["teams"] == ["Nord"]
    assert rows["ben"]["teams"] == ["Süd"]
    assert rows["dora"]["roles"] == ["Datenschutzbeauftragte(r)"]


def test_administration_query_count_does_not_grow_with_users(
    client_as, django_assert_num_queries
):
    from accounts import services
    from accounts.models import Team

    client = client_as("admin")
    client.get(reverse("accounts:administration"))
    # user, OTP device, roles+teams (context), users (with their factors), their
    # groups, teams, team members; the session comes from Redis
    with django_assert_num_queries(7):
        client.get(reverse("accounts:administration"))
    nord = Team.objects.get(name="Nord")
    for number in range(20):
        user = services.user_create(
            username=f"user{number}", password=None, roles=["Staff"], actor=None
        )
        services.team_add_members(team=nord, users=[user], actor=None)
    with django_assert_num_queries(7):
        client.get(reverse("accounts:administration"))
