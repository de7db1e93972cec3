"""Roles (Django groups) and the model permissions each one holds, declared in code."""

from django.apps import apps as global_apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "Staff", _("Staff")
    MANAGER = "Manager", _("Manager")
    DPO = "DPO", _("Data protection officer")
    ADMIN = "Admin", _("Administrator")


# Who may open which area; navigation and views use the same sets.
CUSTOMER_ROLES = frozenset({Role.STAFF, Role.MANAGER, Role.DPO, Role.ADMIN})
CONTRACT_ROLES = frozenset({Role.STAFF, Role.MANAGER, Role.DPO, Role.ADMIN})
# Who may change customer records at all (which ones: crm.models.editable_by).
CUSTOMER_EDIT_ROLES = frozenset({Role.STAFF, Role.MANAGER, Role.ADMIN})
CUSTOMER_DELETE_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
COMPLIANCE_ROLES = frozenset({Role.DPO, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})

READ = frozenset({"view"})
WRITE = frozenset({"view", "add", "change"})
ALL = frozenset({"view", "add", "change", "delete"})

# Model permissions per role: "app_label" (every model of the app) or
# "app_label.model" -> actions. Which *records* a user sees is decided per record
# (owner, team, grants); these say what a role may do at all.
ROLE_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.STAFF: {
        "crm": WRITE,
        "contracts": WRITE,
        "accounts.team": READ,
    },
    Role.MANAGER: {
        "crm": ALL,
        "contracts": ALL,
        "accounts.team": READ,
        "accounts.user": READ,
    },
    # The DPO reads everything and keeps the compliance records.
    Role.DPO: {
        "crm": READ,
        "contracts": READ,
        "accounts.team": READ,
        "accounts.user": READ,
        "compliance": ALL,
    },
    Role.ADMIN: {
        "accounts": ALL,
        "auth": ALL,
        "crm": ALL,
        "contracts": ALL,
        "compliance": ALL,
        "axes": ALL,
        "guardian": ALL,
    },
}


def role_permission_query(role: str) -> models.Q:
    """The permissions a role holds, as a condition on auth.Permission."""
    query = models.Q(pk__in=[])
    for target, actions in ROLE_PERMISSIONS[role].items():
        app_label, _dot, model = target.partition(".")
        scope = models.Q(content_type__app_label=app_label)
        if model:
            scope &= models.Q(content_type__model=model)
        codenames = models.Q()
        for action in actions:
            codenames |= models.Q(codename__startswith=f"{action}_")
        query |= scope & codenames
    return query


def role_group_name(company_id: int, role: str) -> str:
    """The name of a company's role group ("role:3:Staff"; unique like every group)."""
    return f"role:{company_id}:{role}"


def sync_role_groups(apps=global_apps) -> None:
    """Give every company its four role groups, each with exactly its permissions."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    company_model = apps.get_model("accounts", "Company")
    company_role_model = apps.get_model("accounts", "CompanyRole")
    permissions = {
        role: list(permission_model.objects.filter(role_permission_query(role)))
        for role in ROLE_PERMISSIONS
    }
    for company_id in company_model.objects.values_list("pk", flat=True):
        for role in ROLE_PERMISSIONS:
            company_role = company_role_model.objects.filter(
                company_id=company_id, role=role
            ).first()
            if company_role is None:
                group, _created = group_model.objects.get_or_create(
                    name=role_group_name(company_id, role)
                )
                company_role = company_role_model.objects.create(
                    company_id=company_id, role=role, group=group
                )
            company_role.group.permissions.set(permissions[role])


def sync_after_migrate(sender, apps=global_apps, **kwargs) -> None:
    """post_migrate: run once, after the last app's permissions were created."""
    configs = global_apps.get_app_configs()
    with_models = [config for config in configs if config.models_module]
    if with_models and sender.label == with_models[-1].label:
        sync_role_groups(apps)
