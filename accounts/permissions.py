"""The permission helpers every app uses: roles and teams of a user, role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.roles import Role


@dataclass(frozen=True)
class TeamRef:
    """A team as the permission checks and the user menu need it."""

    id: int
    name: str
    slug: str
    manager_id: int | None
    manager_name: str


@dataclass(frozen=True)
class Access:
    """What decides which records a user sees: roles, teams, managed teams."""

    roles: frozenset[str]
    teams: tuple[TeamRef, ...]  # member or manager, by name
    member_team_ids: frozenset[int]
    managed_team_ids: frozenset[int]
    group_ids: frozenset[int] = frozenset()  # every group the user is a member of

    @property
    def team_ids(self) -> frozenset[int]:
        return self.member_team_ids | self.managed_team_ids


NO_ACCESS = Access(frozenset(), (), frozenset(), frozenset())


def access_of(user) -> Access:
    """Roles and teams of a user in one query, cached on the user object."""
    if not user.is_authenticated:
        return NO_ACCESS
    cached = getattr(user, "_crm_access", None)
    if cached is not None:
        return cached
    rows = (
        Group.objects.filter(Q(user=user) | Q(team__manager=user))
        .values_list(
            "id",
            "name",
            "user",
            "team__id",
            "team__name",
            "team__slug",
            "team__manager_id",
            "team__manager__first_name",
            "team__manager__last_name",
            "team__manager__username",
        )
        .order_by("team__name")
    )
    roles, teams, members, managed, groups = set(), {}, set(), set(), set()
    for (
        group_id,
        name,
        member,
        team_id,
        team,
        slug,
        manager_id,
        first,
        last,
        login,
    ) in rows:
        is_member = member == user.pk
        if is_member:
            groups.add(group_id)
        if team_id is None:
            if is_member and name in Role.values:
                roles.add(name)
            continue
        if is_member:
            members.add(team_id)
        if manager_id == user.pk:
            managed.add(team_id)
        manager_name = f"{first} {last}".strip() or (login or "")
        teams[team_id] = TeamRef(team_id, team, slug, manager_id, manager_name)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    cached = Access(
        frozenset(roles),
        tuple(teams.values()),
        frozenset(members),
        frozenset(managed),
        frozenset(groups),
    )
    user._crm_access = cached
    return cached


def forget_access(user) -> None:
    """Drop the cached access after roles or teams of the user changed."""
    user._crm_access = None


def roles_of(user) -> frozenset[str]:
    """The roles a user holds (a superuser is Admin too)."""
    return access_of(user).roles


def has_role(user, roles: Iterable[str]) -> bool:
    """True when the user holds at least one of the roles."""
    return bool(roles_of(user) & frozenset(roles))


def role_required(roles: Iterable[str]) -> Callable:
    """View decorator: 403 unless the user holds one of the roles."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
