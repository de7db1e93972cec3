"""The main navigation: which areas a role sees."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.permissions import roles_of


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[str] | None  # None: everyone signed in


NAVIGATION = (
    NavItem("accounts:dashboard", _("Dashboard"), None),
    NavItem("crm:customer_list", _("Customers"), roles.CUSTOMER_ROLES),
    NavItem("contracts:contract_list", _("Contracts"), roles.CONTRACT_ROLES),
    NavItem("service:case_list", _("Cases"), roles.CUSTOMER_ROLES),
    NavItem("service:task_list", _("Tasks"), roles.CUSTOMER_ROLES),
    NavItem("compliance:index", _("Compliance"), roles.COMPLIANCE_ROLES),
    NavItem("accounts:administration", _("Admin"), roles.ADMIN_ROLES),
)


def navigation_for(user) -> list[NavItem]:
    """The navigation items this user may open."""
    held = roles_of(user)
    return [item for item in NAVIGATION if item.roles is None or item.roles & held]
