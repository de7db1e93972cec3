"""Who may do what to a customer and to what hangs off it.

Every writing service checks its actor here itself, whichever entry point calls
it (page, API, import, admin): a view's 404 for what the user may not see stays,
and the service refuses (PermissionRefused, nothing written) what the actor may
not do. `actor=None` is the system (beat, demo data, migrations) and passes.

The records a user may change are those of `Customer.objects.editable_by`. A
selector that has just fetched a customer for change remembers its id on the
user object (`remember_editable`), so the service's check costs no second query
in the same request; anything else is asked of the database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.permissions import access_of
from core.errors import NotPossible, PermissionRefused, messages

messages(
    {
        "customer_not_editable": _("You may read this customer but not change it."),
        "customer_create_not_allowed": _("Your role may not create customers."),
        "customer_delete_not_allowed": _("Deleting customers is for managers."),
        "customer_share_not_allowed": _(
            "Only the account owner, the team or an administrator may share "
            "this customer."
        ),
        "role_not_allowed": _("Your role may not do this."),
        "person_of_other_customer": _("This person belongs to another customer."),
        "person_restricted": _(
            "This person's data is restricted (Art. 18 GDPR): it is stored, not "
            "used or changed, until the data protection officer lifts the "
            "restriction."
        ),
    }
)


def _memo(user) -> set[int]:
    memo = getattr(user, "_crm_editable_ids", None)
    if memo is None:
        memo = user._crm_editable_ids = set()
    return memo


def remember_editable(user, customer_ids: Iterable[int]) -> None:
    """The selectors proved that `user` may change these customers."""
    _memo(user).update(customer_ids)


def may_change(actor, customer_id: int) -> bool:
    """May `actor` change the customer (and its persons, addresses, contracts)?"""
    if actor is None:
        return True
    memo = _memo(actor)
    if customer_id in memo:
        return True
    from crm.models import Customer

    if Customer.objects.editable_by(actor).filter(pk=customer_id).exists():
        memo.add(customer_id)
        return True
    return False


def may_change_person(actor, person) -> bool:
    """The rule of `Person.objects.editable_by` for one loaded person: its
    customer may be changed and the person is not restricted (Art. 18)."""
    return person.restricted_until is None and may_change(actor, person.customer_id)


def require_change(actor, customer_id: int) -> None:
    if not may_change(actor, customer_id):
        raise PermissionRefused(code="customer_not_editable")


def require_change_all(actor, customer_ids: Iterable[int]) -> None:
    """All of them or refused, in one query for those not yet proven."""
    if actor is None:
        return
    from crm.models import Customer

    wanted = set(customer_ids) - _memo(actor)
    if not wanted:
        return
    found = set(
        Customer.objects.editable_by(actor)
        .filter(pk__in=sorted(wanted))
        .values_list("pk", flat=True)
    )
    if found != wanted:
        raise PermissionRefused(code="customer_not_editable")
    remember_editable(actor, found)


def _member(user_id: int, company_id: int) -> bool:
    """The user works in the company: a role there, or the operator."""
    from accounts.models import User
    from accounts.selectors import company_members

    members = company_members(company_id).values("pk")
    return (
        User.objects.filter(pk=user_id)
        .filter(Q(is_superuser=True) | Q(pk__in=members))
        .exists()
    )


def require_member(user_id: int, company_id: int) -> None:
    """The user works in the company (an owner, a grantee)."""
    if not _member(user_id, company_id):
        raise PermissionRefused(code="other_company")


def require_own_company(customer) -> None:
    """A customer's owner and team are of its company (a form offers only those;
    the API and imports are held to it here)."""
    if customer.team_id is not None and customer.team.company_id != customer.company_id:
        raise PermissionRefused(code="other_company")
    if customer.owner_id is not None and not _member(
        customer.owner_id, customer.company_id
    ):
        raise PermissionRefused(code="other_company")


def require_grantee_of_company(customer, *, user=None, team=None) -> None:
    """A customer is shared only within its company."""
    if team is not None and team.company_id != customer.company_id:
        raise PermissionRefused(code="other_company")
    if user is not None and not _member(user.pk, customer.company_id):
        raise PermissionRefused(code="other_company")


def require_role(actor, allowed: frozenset[str], code: str = "role_not_allowed"):
    """The actor holds one of the roles (the system always passes)."""
    if actor is not None and not (access_of(actor).roles & allowed):
        raise PermissionRefused(code=code)


def require_create(actor) -> None:
    require_role(actor, roles.CUSTOMER_EDIT_ROLES, "customer_create_not_allowed")


def require_delete(actor, customer_id: int) -> None:
    require_role(actor, roles.CUSTOMER_DELETE_ROLES, "customer_delete_not_allowed")
    require_change(actor, customer_id)


def may_share(actor, customer) -> bool:
    """Owner, team (member or manager) or an Admin, with a role that edits."""
    if actor is None:
        return True
    access = access_of(actor)
    if not access.roles & roles.CUSTOMER_EDIT_ROLES:
        return False
    return (
        customer.owner_id == actor.pk
        or customer.team_id in access.team_ids
        or roles.Role.ADMIN in access.roles
    )


def require_share(actor, customer) -> None:
    if not may_share(actor, customer):
        raise PermissionRefused(code="customer_share_not_allowed")


def usable_persons(customer_id: int, persons: Iterable) -> list:
    """The persons, if each is a usable person of this customer (a restricted one
    is stored, not used for new links; one of another customer never): else
    refused. No query: the instances say it."""
    persons = list(persons)
    for person in persons:
        if person.customer_id != customer_id:
            raise PermissionRefused(code="person_of_other_customer")
        if person.restricted_until is not None:
            raise NotPossible(code="person_restricted")
    return persons
