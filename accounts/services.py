"""Writes on users and teams: the only place that changes them."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from accounts.models import Team, User
from accounts.permissions import forget_access
from accounts.roles import Role
from core.audit import act, save


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "de",
    roles: Iterable[str] = (),
    is_superuser: bool = False,
    actor: User | None,
) -> User:
    """Create a user with a hashed password (unusable when None) and roles."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    save(user, actor=actor)
    user_set_roles(user=user, roles=roles, actor=actor)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], actor: User | None) -> None:
    """Give the user exactly these roles; Admins may use the Django admin."""
    wanted = {Role(role) for role in roles}
    role_groups = Group.objects.filter(name__in=Role.values)
    act(user, actor)
    user.groups.remove(*[group for group in role_groups if group.name not in wanted])
    user.groups.add(*[group for group in role_groups if group.name in wanted])
    is_staff = Role.ADMIN in wanted or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        save(user, actor=actor, update_fields=["is_staff"])
    forget_access(user)


def user_set_language(*, user: User, language: str) -> None:
    """Remember the user's language for pages and e-mails."""
    if user.language != language:
        user.language = language
        save(user, actor=user, update_fields=["language"])


@transaction.atomic
def team_create(*, name: str, manager: User | None, actor: User | None) -> Team:
    """Create a team with its own group."""
    slug = slugify(name)
    group = Group.objects.create(name=f"team:{slug}")
    team = Team(name=name, slug=slug, group=group, manager=manager)
    save(team, actor=actor)
    return team


@transaction.atomic
def team_set_manager(*, team: Team, manager: User | None, actor: User | None) -> None:
    """Make `manager` the team's manager."""
    if team.manager_id != (manager.pk if manager else None):
        team.manager = manager
        save(team, actor=actor, update_fields=["manager"])


@transaction.atomic
def team_add_members(*, team: Team, users: Iterable[User], actor: User | None) -> None:
    """Add the users to the team (members already in it stay)."""
    for user in users:
        # From the user's side, so that the user's history records the change.
        act(user, actor)
        user.groups.add(team.group)
        forget_access(user)
