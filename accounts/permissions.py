"""The permission helpers every app uses: roles and teams of a user, role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.roles import Role
from core.errors import PermissionRefused


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
    """What decides which records a user sees: company, roles, teams, managed teams.

    All of it is of the user's current company: their roles and teams there.
    """

    roles: frozenset[str]
    teams: tuple[TeamRef, ...]  # member or manager, by name
    member_team_ids: frozenset[int]
    managed_team_ids: frozenset[int]
    group_ids: frozenset[int] = frozenset()  # the user's groups in the company
    company_id: int | None = None  # None: no company, no records

    @property
    def team_ids(self) -> frozenset[int]:
        return self.member_team_ids | self.managed_team_ids


NO_ACCESS = Access(frozenset(), (), frozenset(), frozenset())


def access_of(user) -> Access:
    """Roles and teams of a user in their current company in one query, cached
    on the user object."""
    if not user.is_authenticated:
        return NO_ACCESS
    cached = getattr(user, "_crm_access", None)
    if cached is not None:
        return cached
    company_id = user.company_id
    if company_id is None:
        user._crm_access = NO_ACCESS
        return NO_ACCESS
    rows = (
        Group.objects.filter(Q(user=user) | Q(team__manager=user))
        .filter(Q(company_role__company_id=company_id) | Q(team__company_id=company_id))
        .values_list(
            "id",
            "company_role__role",
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
        role,
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
            if is_member and role:
                roles.add(role)
            continue
        if is_member:
            members.add(team_id)
        if manager_id == user.pk:
            managed.add(team_id)
        manager_name = f"{first} {last}".strip() or (login or "")
        teams[team_id] = TeamRef(team_id, team, slug, manager_id, manager_name)
    if user.is_superuser and company_id is not None:
        roles.add(Role.ADMIN)  # the operator administers every company
    if not roles:
        # Not (or no longer) a member of this company: nothing of it.
        cached = NO_ACCESS
    else:
        cached = Access(
            frozenset(roles),
            tuple(teams.values()),
            frozenset(members),
            frozenset(managed),
            frozenset(groups),
            company_id,
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


def company_for(actor, company=None) -> int:
    """The company a new record of `actor` belongs to: their current one.

    The system (actor None: beat, demo data) names it; a user may name only
    their current company (a record is never written into another one).
    """
    company_id = getattr(company, "pk", company)
    if actor is None:
        if company_id is None:
            raise ValueError("the system names the company of a new record")
        return company_id
    current = access_of(actor).company_id
    if current is None or company_id not in (None, current):
        raise PermissionRefused(code="other_company")
    return current
