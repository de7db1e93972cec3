"""Writes on users and teams: the only place that changes them."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterable

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import factors
from accounts.models import (
    CommitmentAcceptance,
    CommitmentText,
    Company,
    CompanyRole,
    Team,
    User,
    UserSession,
)
from accounts.permissions import access_of, forget_access, has_role
from accounts.roles import ADMIN_ROLES, Role, sync_role_groups
from accounts.selectors import company_members
from core import outbox
from core.audit import act, save
from core.errors import DomainError, NotPossible, PermissionRefused, allowed, messages
from core.models import OutboxMessage
from core.versioning import lock_version, update_versioned


def company_defaults() -> dict:
    """A new company's settings, from the installation's (settings.COMPANY_*)."""
    return {
        "name": settings.COMPANY_NAME,
        "address": settings.COMPANY_ADDRESS,
        "land": settings.COMPANY_LAND,
        "country": settings.COMPANY_COUNTRY,
        "supervisory_authority": settings.SUPERVISORY_AUTHORITY,
        "data_review_months": settings.DATA_REVIEW_MONTHS,
    }


@transaction.atomic
def company_create(*, actor: User | None, **fields) -> Company:
    """A company with its four role groups; unset fields from the settings."""
    if actor is not None and not actor.is_superuser:
        raise PermissionRefused(code="company_create_operator_only")
    values = company_defaults() | fields
    values.setdefault("slug", slugify(values["name"])[:50])
    company = Company(**values)
    save(company, actor=actor)
    sync_role_groups()
    # Higher apps set up what a company starts with (compliance: the consent
    # wordings) through their AppConfig's `company_setup` hook.
    for config in django_apps.get_app_configs():
        hook = getattr(config, "company_setup", None)
        if hook:
            import_string(hook)(company)
    return company


# What an Admin of the company may change on it (the name and short name stay
# the operator's: they name the company across the installation).
COMPANY_FIELDS = frozenset(
    {
        "legal_form", "address", "letterhead", "logo", "email", "country", "land",
        "supervisory_authority", "data_review_months", "business_hours_start",
        "business_hours_end", "business_days", "currency",
    }
)  # fmt: skip


def company_land_valid(country: str, land: str) -> bool:
    """Whether `land` is a state of `country` that the holiday calendar knows."""
    import holidays

    if not land:
        return True
    return land in holidays.country_holidays(country).subdivisions


@transaction.atomic
def company_update(
    *, company: Company, actor: User | None, version: int, fields: dict
) -> Company:
    """Change the company's settings (its Admins and the operator); a save
    based on an old version is refused (StaleEdit)."""
    if actor is not None and not actor.is_superuser:
        access = access_of(actor)
        if access.company_id != company.pk or Role.ADMIN not in access.roles:
            raise PermissionRefused(code="company_admin_only")
    fields = allowed(fields, COMPANY_FIELDS)
    errors = company_settings_errors(company, fields)
    if errors:
        raise ValidationError(errors)
    return update_versioned(company, actor=actor, version=version, fields=fields)


def company_settings_errors(company: Company, fields: dict) -> dict[str, str]:
    """What is wrong with these settings of the company, by field (the form
    shows the same next to its fields; the service refuses them for the API)."""
    value = {name: fields.get(name, getattr(company, name)) for name in COMPANY_FIELDS}
    errors = {}
    if not company_land_valid(value["country"], value["land"] or ""):
        errors["land"] = _("This is no state of the chosen country.")
    start, end = value["business_hours_start"], value["business_hours_end"]
    if start and end and start >= end:
        errors["business_hours_end"] = _("The business hours end after they begin.")
    days = value["business_days"]
    if not days or any(day not in range(1, 8) for day in days):
        errors["business_days"] = _("Choose at least one weekday.")
    return errors


def companies_of(user: User) -> models.QuerySet[Company]:
    """The companies a user may work in: where they hold a role (a superuser: all)."""
    if user.is_superuser:
        return Company.objects.all()
    return Company.objects.filter(roles__group__user=user).distinct()


@transaction.atomic
def company_switch(*, user: User, company_id: int) -> Company:
    """Work in another of the user's companies from now on (every session of theirs)."""
    company = companies_of(user).filter(pk=company_id).first()
    if company is None:
        raise PermissionRefused(code="company_not_member")
    if user.company_id != company.pk:
        user.company = company
        save(user, actor=user, update_fields=["company"])
        forget_access(user)
    return company


def company_ensure_current(user: User) -> None:
    """At sign-in: a user whose current company is unset or no longer theirs
    works in the first of their companies (none: they see no records)."""
    if user.company_id and companies_of(user).filter(pk=user.company_id).exists():
        return
    first = companies_of(user).order_by("pk").first()
    if (first.pk if first else None) != user.company_id:
        user.company = first
        save(user, actor=user, update_fields=["company"])
        forget_access(user)


COMPANY_COUNT_KEY = "crm_companies"


def company_signed_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: the user works in one of their companies; the session
    notes how many they have (the user menu offers the switch when more than
    one, without a query on every page)."""
    company_ensure_current(user)
    request.session[COMPANY_COUNT_KEY] = companies_of(user).count()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    company: Company | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "de",
    roles: Iterable[str] = (),
    is_superuser: bool = False,
    actor: User | None,
) -> User:
    """Create a user with a hashed password (unusable when None) and roles in
    the company (default: the actor's; the first company for the system)."""
    company = company or _company_of(actor)
    roles = list(roles)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        is_superuser=is_superuser,
        # Works in the company once they hold a role there (user_set_roles).
        company=company if (roles or is_superuser) else None,
    )
    user.set_password(password)
    save(user, actor=actor)
    user_set_roles(user=user, roles=roles, company=company, actor=actor)
    return user


def _company_of(actor: User | None) -> Company:
    if actor is not None and actor.company_id:
        return Company.objects.get(pk=actor.company_id)
    return Company.objects.order_by("pk").first()


@transaction.atomic
def user_set_roles(
    *,
    user: User,
    roles: Iterable[str],
    company: Company | None = None,
    actor: User | None,
) -> None:
    """Give the user exactly these roles in the company (default: the user's
    current one); no role left there: no longer a member of it."""
    company = company or Company.objects.get(pk=user.company_id)
    if actor is not None and not actor.is_superuser:
        actor_access = access_of(actor)
        if (
            actor_access.company_id != company.pk
            or Role.ADMIN not in actor_access.roles
        ):
            raise PermissionRefused(code="roles_admin_only")
    wanted = {Role(role) for role in roles}
    company_roles = list(
        CompanyRole.objects.filter(company=company).select_related("group")
    )
    act(user, actor)
    user.groups.remove(*[cr.group for cr in company_roles if cr.role not in wanted])
    user.groups.add(*[cr.group for cr in company_roles if cr.role in wanted])
    # The Django admin shows every company's rows: the operator's tool only.
    if user.is_staff != user.is_superuser:
        user.is_staff = user.is_superuser
        save(user, actor=actor, update_fields=["is_staff"])
    if wanted and user.company_id is None:
        user.company = company
        save(user, actor=actor, update_fields=["company"])
    forget_access(user)


def user_set_language(*, user: User, language: str) -> None:
    """Remember the user's language for pages and e-mails."""
    if user.language != language:
        user.language = language
        save(user, actor=user, update_fields=["language"])


@transaction.atomic
def team_create(
    *,
    name: str,
    manager: User | None,
    company: Company | None = None,
    actor: User | None,
) -> Team:
    """Create a team of the company (default: the actor's) with its own group."""
    company = company or _company_of(actor)
    slug = slugify(name)
    group = Group.objects.create(name=f"team:{company.pk}:{slug}")
    team = Team(company=company, name=name, slug=slug, group=group, manager=manager)
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


# --- Users and teams on the administration's pages (the company's Admins) -----


USER_FIELDS = frozenset({"first_name", "last_name", "email", "language"})
USER_INVITED = "user-invited"


def _require_admin(actor: User | None, company: Company) -> None:
    """Only an Admin of the company (or the operator) keeps its users and teams."""
    if actor is None or actor.is_superuser:
        return
    access = access_of(actor)
    if access.company_id != company.pk or Role.ADMIN not in access.roles:
        raise PermissionRefused(code="users_admin_only")


def _other_companies(user: User, company: Company) -> bool:
    return companies_of(user).exclude(pk=company.pk).exists() or user.is_superuser


def user_errors(
    *,
    company: Company,
    user: User | None,
    actor: User | None,
    fields: dict,
    roles: set[str],
    active: bool = True,
) -> dict[str, str]:
    """What is wrong with this user's entry in the company, by field (the form
    shows the same; the service refuses it)."""
    errors = {}
    username = fields.get("username")
    if user is None:
        if not username:
            errors["username"] = _("Enter a username.")
        elif User.objects.filter(username__iexact=username).exists():
            errors["username"] = _("This username is taken.")
        if not fields.get("email"):
            # The invitation to set a password goes there.
            errors["email"] = _("Enter the e-mail address the invitation goes to.")
    if not roles and (user is None or not _other_companies(user, company)):
        errors["roles"] = _("Choose at least one role (or disable the account).")
    if user is not None:
        if not active and actor is not None and user.pk == actor.pk:
            errors["is_active"] = _("You cannot disable your own account.")
        elif (
            not active
            and user.is_active
            and not (actor is None or actor.is_superuser)
            and _other_companies(user, company)
        ):
            errors["is_active"] = _(
                "This user works in other companies too: take away their roles "
                "here instead."
            )
        stays_admin = Role.ADMIN in roles and active
        if not stays_admin and _is_last_admin(user, company):
            errors["roles"] = _("The company keeps at least one active administrator.")
    return errors


def _is_last_admin(user: User, company: Company) -> bool:
    admins = User.objects.filter(
        is_active=True,
        groups__company_role__company=company,
        groups__company_role__role=Role.ADMIN,
    )
    return (
        admins.filter(pk=user.pk).exists() and not admins.exclude(pk=user.pk).exists()
    )


def _set_teams(user: User, teams: Iterable[Team], company: Company, actor) -> None:
    """The user's teams in the company are exactly `teams` (others' stay)."""
    wanted = {team.group_id for team in teams}
    groups = {
        team.group_id: team.group
        for team in Team.objects.of_company(company.pk).select_related("group")
    }
    if not wanted <= set(groups):
        raise PermissionRefused(code="other_company")
    held = set(user.groups.filter(pk__in=groups).values_list("pk", flat=True))
    if held != wanted:
        act(user, actor)
        user.groups.remove(*[groups[pk] for pk in held - wanted])
        user.groups.add(*[groups[pk] for pk in wanted - held])
        forget_access(user)


@transaction.atomic
def user_invite(
    *,
    actor: User | None,
    company: Company,
    fields: dict,
    roles: Iterable[str],
    teams: Iterable[Team] = (),
) -> User:
    """A new user of the company with these roles and teams, and no password
    yet: an invitation e-mail (outbox, once) links to setting one."""
    _require_admin(actor, company)
    fields = allowed(fields, USER_FIELDS | {"username"})
    roles = {Role(role) for role in roles}
    errors = user_errors(
        company=company, user=None, actor=actor, fields=fields, roles=roles
    )
    if errors:
        raise ValidationError(errors)
    user = user_create(
        password=None, company=company, roles=roles, actor=actor, **fields
    )
    _set_teams(user, teams, company, actor)
    _invitation_enqueue(user, actor=actor, company=company)
    return user


def _invitation_enqueue(user: User, *, actor: User | None, company: Company) -> None:
    history_id = _audit_user(
        user,
        actor=actor,
        reason=_("Invited to %(company)s") % {"company": company.name},
    )
    outbox.enqueue([(USER_INVITED, history_id, user.pk)])
    transaction.on_commit(outbox.deliver_soon, robust=True)


@transaction.atomic
def user_invite_again(*, actor: User | None, user: User, company: Company) -> None:
    """A new invitation for a user who has not set a password yet."""
    _require_admin(actor, company)
    if user.has_usable_password() or user.last_login is not None:
        raise NotPossible(code="user_signed_in_already")
    if not user.email:
        raise NotPossible(code="user_without_email")
    _invitation_enqueue(user, actor=actor, company=company)


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    company: Company,
    version: int,
    fields: dict,
    roles: Iterable[str],
    teams: Iterable[Team],
    active: bool,
) -> User:
    """Change a user of the company: name, e-mail, language, their roles and
    teams here, and whether the account is active. A disabled account's
    sessions end; no account with history is ever deleted. A save from an old
    version is refused (StaleEdit)."""
    _require_admin(actor, company)
    if not companies_of(user).filter(pk=company.pk).exists():
        raise PermissionRefused(code="company_not_member")
    fields = allowed(fields, USER_FIELDS)
    roles = {Role(role) for role in roles}
    locked = lock_version(user, version)
    errors = user_errors(
        company=company,
        user=locked,
        actor=actor,
        fields=fields,
        roles=roles,
        active=active,
    )
    if errors:
        raise ValidationError(errors)
    disabled = locked.is_active and not active
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.is_active = active
    locked.version = version + 1
    reason = _("Account disabled") if disabled else ""
    if active and not user.is_active:
        reason = _("Account enabled")
    save(locked, actor=actor, reason=reason)
    _set_teams(locked, teams, company, actor)
    user_set_roles(user=locked, roles=roles, company=company, actor=actor)
    if not roles and locked.company_id == company.pk:
        # Left the company: works in another of theirs from the next sign-in on.
        locked.company = companies_of(locked).exclude(pk=company.pk).first()
        save(locked, actor=actor, update_fields=["company"])
    if disabled:
        end_sessions(locked)
        security_log.info("user %s disabled by an administrator", locked.pk)
    return locked


@transaction.atomic
def team_save(
    *,
    actor: User | None,
    company: Company,
    team: Team | None,
    version: int | None,
    name: str,
    manager: User | None,
    members: Iterable[User],
) -> Team:
    """Create a team of the company or change one (name, manager, members);
    a save from an old version is refused (StaleEdit)."""
    _require_admin(actor, company)
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter a name.")
    else:
        taken = Team.objects.of_company(company.pk).filter(name__iexact=name)
        if team is not None:
            taken = taken.exclude(pk=team.pk)
        if taken.exists() or (
            team is None
            and Team.objects.of_company(company.pk).filter(slug=slugify(name)).exists()
        ):
            errors["name"] = _("The company has a team of this name already.")
    members = list(members)
    people = {manager.pk} if manager else set()
    people |= {member.pk for member in members}
    known = set(
        company_members(company.pk).filter(pk__in=people).values_list("pk", flat=True)
    )
    if people - known:
        raise PermissionRefused(code="other_company")
    if errors:
        raise ValidationError(errors)
    if team is None:
        team = team_create(name=name, manager=manager, company=company, actor=actor)
    else:
        if team.company_id != company.pk:
            raise PermissionRefused(code="other_company")
        team = update_versioned(
            team,
            actor=actor,
            version=version,
            fields={"name": name, "manager": manager},
        )
    held = set(team.group.user_set.values_list("pk", flat=True))
    wanted = {member.pk for member in members}
    for user in User.objects.filter(pk__in=held ^ wanted):
        act(user, actor)
        if user.pk in wanted:
            user.groups.add(team.group)
        else:
            user.groups.remove(team.group)
    return team


@outbox.kind(USER_INVITED)
def _render_user_invited(message: OutboxMessage):
    """The invitation: the link sets the first password (Django's reset token,
    valid PASSWORD_RESET_TIMEOUT; it ends once a password is set)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    record = (
        User.history.filter(history_id=message.object_id)
        .select_related("history_user")
        .first()
    )
    user = (
        User.objects.filter(pk=message.recipient_id).select_related("company").first()
    )
    if record is None or user is None or not user.email or not user.is_active:
        return None
    if user.has_usable_password():
        return None  # set already: nothing to invite to
    company = user.company
    link = outbox.site_url() + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return outbox.render_mail(
        template="accounts/email/user_invited",
        context={
            "user": user,
            "actor": record.history_user,
            "company": company,
            "link": link,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            "login_url": outbox.site_url() + reverse("login"),
        },
        to=[user.email],
        language=user.language,
        from_email=company.sender_email if company else None,
    )


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


# --- The second factor (accounts/factors.py) -----------------------------------


class WrongCode(DomainError):
    """The code does not fit (wrong, expired or used already)."""

    code = "wrong_code"


class CodeThrottled(DomainError):
    """Too many wrong codes for this factor just now: wait before the next."""

    code = "code_throttled"

    @property
    def message(self) -> str:
        seconds = self.params["seconds"]
        return ngettext(
            "Too many wrong codes: please wait %(seconds)d second.",
            "Too many wrong codes: please wait %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}


messages(
    {
        WrongCode.code: _("This code is wrong or was used already."),
        CodeThrottled.code: _("Too many wrong codes: please wait a moment."),
        "factor_not_found": _("This second factor does not exist."),
        "factor_required": _(
            "Your role requires a second factor: add another one first."
        ),
        "no_factor": _("Recovery codes come with a second factor: add one first."),
        "factors_reset_admin_only": _("Only an administrator resets second factors."),
        "company_create_operator_only": _(
            "Only the operator of the installation creates companies."
        ),
        "company_not_member": _("You are not a member of this company."),
        "other_company": _("This belongs to another company."),
        "roles_admin_only": _("Only an administrator of the company gives roles."),
        "commitment_dpo_only": _(
            "The data protection officer words the confidentiality commitment."
        ),
        "commitment_outdated": _(
            "The commitment was replaced by a new version meanwhile: please read it."
        ),
        "company_admin_only": _(
            "Only an administrator of the company changes its settings."
        ),
        "users_admin_only": _(
            "Only an administrator of the company keeps its users and teams."
        ),
        "user_signed_in_already": _(
            "This user has set a password already: no invitation needed."
        ),
        "user_without_email": _("This user has no e-mail address for an invitation."),
    }
)


def _audit_user(user: User, *, actor: User | None, reason: str) -> int:
    """A history row on the user naming who changed their factors and how;
    returns its id (the source row of an e-mail about it)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    save(locked, actor=actor, reason=reason)
    return locked.history.order_by("-history_id").first().history_id


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [factors.new_recovery_code() for _ in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in codes]
    )
    return codes


def _recovery_codes_ensure(user: User) -> None:
    """The first factor comes with recovery codes."""
    if not StaticToken.objects.filter(device__user=user).exists():
        _recovery_codes_replace(user)


@transaction.atomic
def totp_device_add(
    *, user: User, secret: str, code: str, name: str, actor: User
) -> TOTPDevice:
    """Add an authenticator app: its first code proves it holds the secret."""
    key = factors.totp_key(secret)
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if not factors.is_totp_code(code) or not totp.verify(int(code), tolerance=1):
        raise WrongCode()
    device = TOTPDevice.objects.create(
        user=user,
        key=key,
        name=name or str(_("Authenticator app")),
        confirmed=True,
        last_t=totp.t(),  # the code just typed is used
    )
    _recovery_codes_ensure(user)
    _audit_user(
        user, actor=actor, reason=_("Second factor added: %(name)s") % {"name": name}
    )
    return device


@transaction.atomic
def passkey_registered(*, user: User, actor: User) -> None:
    """A passkey was added (django-otp-webauthn stored it): audit, recovery codes."""
    _recovery_codes_ensure(user)
    _audit_user(user, actor=actor, reason=_("Second factor added: passkey"))


FACTOR_KINDS = {"totp": TOTPDevice, "passkey": WebAuthnCredential}


@transaction.atomic
def factor_remove(*, user: User, kind: str, pk: int, actor: User) -> None:
    """Remove one of the user's own factors; the last one only where no role
    requires it (then the recovery codes go with it)."""
    model = FACTOR_KINDS.get(kind)
    device = None
    if model is not None:
        device = model.objects.select_for_update().filter(user=user, pk=pk).first()
    if device is None:
        raise NotPossible(code="factor_not_found")
    if factors.required_for(user) and factors.factors_of(user).count <= 1:
        raise NotPossible(code="factor_required")
    device.delete()
    if not factors.has_factor(user):
        StaticDevice.objects.filter(user=user).delete()
    _audit_user(
        user,
        actor=actor,
        reason=_("Second factor removed: %(name)s") % {"name": device.name},
    )


@transaction.atomic
def recovery_codes_renew(*, user: User, actor: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not factors.has_factor(user):
        raise NotPossible(code="no_factor")
    codes = _recovery_codes_replace(user)
    _audit_user(user, actor=actor, reason=_("Recovery codes renewed"))
    return codes


@transaction.atomic
def factors_reset(*, user: User, actor: User, keep_session: str | None = None) -> int:
    """An Admin removes every factor of a user (a lost phone or key): audited,
    the user's sessions end (but `keep_session`, the Admin's own when resetting
    their own factors), and the user is told by e-mail. Returns how many factors
    were removed."""
    if not has_role(actor, ADMIN_ROLES):
        raise PermissionRefused(code="factors_reset_admin_only")
    if not companies_of(user).filter(pk=access_of(actor).company_id).exists():
        raise PermissionRefused(code="company_not_member")
    removed = 0
    for model in FACTOR_KINDS.values():
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    StaticDevice.objects.filter(user=user).delete()  # with its recovery codes
    history_id = _audit_user(
        user, actor=actor, reason=_("Second factors reset by an administrator")
    )
    # Whoever holds a session of the user (the finder of a lost phone, too) is
    # signed out; the user logs in again and enrols a new factor.
    end_sessions(user, except_key=keep_session)
    outbox.enqueue([(FACTORS_RESET, history_id, user.pk)])
    transaction.on_commit(outbox.deliver_soon, robust=True)
    security_log.info("second factors of a user reset by an administrator")
    return removed


def second_factor_check(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (a TOTP code, or a recovery code, which is
    used up), or None. Raises CodeThrottled while the factor waits after wrong
    codes (django-otp: 1, 2, 4 ... seconds); that attempt is not checked."""
    code = factors.normalize_code(code)
    with transaction.atomic():
        if factors.is_totp_code(code):
            # Locked: two requests with one code cannot both pass (last_t).
            devices = list(
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        else:
            devices = list(
                StaticDevice.objects.select_for_update().filter(
                    user=user, confirmed=True
                )
            )
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        if devices and not allowed:
            waits = [device.verify_is_allowed()[1] for device in devices]
            until = min(wait["locked_until"] for wait in waits)
            seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
            raise CodeThrottled(seconds=seconds)
        for device in allowed:
            if device.verify_token(code):
                return device
    return None


FACTORS_RESET = "factors-reset"


@outbox.kind(FACTORS_RESET)
def _render_factors_reset(message: OutboxMessage):
    """Tell the user that an Admin removed their second factors."""
    record = (
        User.history.filter(history_id=message.object_id)
        .select_related("history_user")
        .first()
    )
    user = User.objects.filter(pk=message.recipient_id).first()
    if record is None or user is None or not user.email:
        return None
    return outbox.render_mail(
        template="accounts/email/factors_reset",
        context={
            "user": user,
            "actor": record.history_user,
            "when": record.history_date,
            "security_url": outbox.site_url() + reverse("accounts:security"),
        },
        to=[user.email],
        language=user.language,
    )


def totp_device_ensure_demo(*, user: User, secret: str) -> bool:
    """seed_demo: the user's confirmed TOTP device with the fixed demo secret
    (demo data only); True when it was created."""
    key = factors.totp_key(secret)
    if TOTPDevice.objects.filter(user=user, key=key).exists():
        return False
    TOTPDevice.objects.create(user=user, key=key, name="Demo", confirmed=True)
    return True


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


# --- The confidentiality commitment (Verpflichtung auf die Vertraulichkeit) ---------


def commitment_needed(user) -> bool:
    """Whether the user must accept their company's current commitment before any
    page with personal data. No query: the company and the accepted versions
    come with the session's user row."""
    if not user.is_authenticated or user.company_id is None:
        return False
    version = user.company.commitment_version
    accepted = (user.accepted_commitments or {}).get(str(user.company_id), 0)
    return version > accepted


def access_paused(user, *, today) -> bool:
    """Whether a higher app's gate keeps the user from personal data (each
    AppConfig's `access_gate`: compliance's training). For entry points
    without a session, such as the calendar feed; pages have middlewares."""
    for config in django_apps.get_app_configs():
        gate = getattr(config, "access_gate", None)
        if gate and import_string(gate)(user, today=today):
            return True
    return False


@transaction.atomic
def commitment_publish(
    *, actor: User | None, text: str, company: Company | None = None
) -> CommitmentText:
    """A new version of the company's commitment, worded by its DPO (or Admin):
    everyone of the company accepts it again before their next page."""
    if actor is not None:
        access = access_of(actor)
        if not access.roles & {Role.DPO, Role.ADMIN}:
            raise PermissionRefused(code="commitment_dpo_only")
        company_id = access.company_id
    else:
        company_id = company.pk
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Enter the wording of the commitment.")})
    locked = Company.objects.select_for_update().get(pk=company_id)
    version = locked.commitment_version + 1
    published = CommitmentText(
        company=locked, version=version, text=text, created_by=actor
    )
    save(published, actor=actor)
    Company.objects.filter(pk=locked.pk).update(commitment_version=version)
    return published


@transaction.atomic
def commitment_accept(
    *, user: User, version: int, company_id: int | None = None
) -> CommitmentAcceptance:
    """The user accepts the version of their (current) company's commitment
    they were shown; a version since replaced is refused (they read the new
    one first)."""
    company_id = company_id or user.company_id
    current = (
        CommitmentText.objects.filter(company_id=company_id)
        .order_by("-version")
        .first()
    )
    if current is None or current.version != version:
        raise NotPossible(code="commitment_outdated")
    acceptance, _created = CommitmentAcceptance.objects.get_or_create(
        text=current, user=user, defaults={"company_id": current.company_id}
    )
    accepted = {**(user.accepted_commitments or {}), str(company_id): version}
    # The acceptance row (with its history) is the record; this is its copy for
    # the gate, written without a history row of the user.
    User.objects.filter(pk=user.pk).update(accepted_commitments=accepted)
    user.accepted_commitments = accepted
    return acceptance
