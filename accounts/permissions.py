"""The permission helpers every app uses: roles of a user, role checks for views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.roles import Role


def roles_of(user) -> frozenset[str]:
    """The roles a user holds (a superuser is Admin too); cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_crm_roles", None)
    if cached is None:
        names = set(
            user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        )
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names)
        user._crm_roles = cached
    return cached


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
