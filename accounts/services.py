"""Writes on users and teams: the only place that changes them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils.text import slugify

from accounts.models import Team, User, UserSession
from accounts.permissions import forget_access
from accounts.roles import Role
from core.audit import act, save
from core.errors import PermissionRefused


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


_RESET_WINDOW_SECONDS = 60 * 60
security_log = logging.getLogger("crm.security")


def _hit(kind: str, value: str) -> int:
    """Count one request in the current hour's window of (kind, value)."""
    # Hashed: no e-mail or IP address in Redis keys (personal data).
    digest = hashlib.sha256(value.strip().casefold().encode()).hexdigest()
    key = f"password-reset:{kind}:{digest}"
    cache.add(key, 0, timeout=_RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_RESET_WINDOW_SECONDS)
        return 1


def password_reset_permitted(*, email: str, address: str | None) -> bool:
    """Whether a reset e-mail may go out now: at most so many per hour per
    e-mail address and per client address.

    Every request counts, for known and unknown addresses alike, so the limit
    tells nothing about which accounts exist; the page answers the same.
    """
    per_email = _hit("email", email)
    per_address = _hit("address", address or "")
    permitted = (
        per_email <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        and per_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )
    if not permitted:
        security_log.warning("password reset e-mail withheld: hourly limit reached")
    return permitted


@transaction.atomic
def end_sessions(user: User, *, except_key: str | None = None) -> int:
    """End the user's sessions server-side, all or all but `except_key` (the
    current one); returns how many ended. For a password change, a reset of the
    second factor, a disabled account: the rows are deleted, so those browsers
    are signed out at their next request (not merely refused by the hash)."""
    rows = UserSession.objects.of_user(user)
    if except_key:
        rows = rows.exclude(session_key=except_key)
    ended, _by_model = rows.delete()
    if ended:
        security_log.info("%s session(s) of user %s ended", ended, user.pk)
    return ended


@transaction.atomic
def session_end(*, session: UserSession, actor: User) -> None:
    """End one of the actor's own sessions (another browser of theirs)."""
    if session.user_id != actor.pk:  # the selector answers 404 before this
        raise PermissionRefused()
    UserSession.objects.filter(pk=session.pk).delete()
    security_log.info("a session of user %s ended by its user", actor.pk)


def sessions_clear_expired(*, now) -> int:
    """Delete the rows of sessions that expired (timed out or past the cookie's
    age): their browser and address are not kept beyond the session."""
    deleted, _by_model = UserSession.objects.filter(expire_date__lte=now).delete()
    return deleted
