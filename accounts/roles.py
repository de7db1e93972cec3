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


def sync_role_groups(apps=global_apps) -> None:
    """Create the role groups and set their permissions to exactly the declared ones."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        query = models.Q(pk__in=[])
        for target, actions in grants.items():
            app_label, _dot, model = target.partition(".")
            scope = models.Q(content_type__app_label=app_label)
            if model:
                scope &= models.Q(content_type__model=model)
            codenames = models.Q()
            for action in actions:
                codenames |= models.Q(codename__startswith=f"{action}_")
            query |= scope & codenames
        group.permissions.set(permission_model.objects.filter(query))


def sync_after_migrate(sender, apps=global_apps, **kwargs) -> None:
    """post_migrate: run once, after the last app's permissions were created."""
    configs = global_apps.get_app_configs()
    with_models = [config for config in configs if config.models_module]
    if with_models and sender.label == with_models[-1].label:
        sync_role_groups(apps)
