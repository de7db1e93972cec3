from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    # seed_demo calls each app's seeder in INSTALLED_APPS order (core/management).
    demo_seeder = "accounts.demo.seed_demo"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import roles, security, services, sessions

        # Role groups are declared in code (accounts/roles.py); every migrate brings
        # their permissions up to date, so new models' permissions reach the roles.
        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="crm-sync-roles")
        security.connect_signals()
        # Django's login signal, whichever view signed in (login page, second
        # factor, admin): the session notes when, for its absolute timeout.
        user_logged_in.connect(sessions.session_started, dispatch_uid="crm-session")
        user_logged_in.connect(services.company_signed_in, dispatch_uid="crm-company")


class CRMAdminConfig(admin_apps.AdminConfig):
    """The Django admin behind the same second factor as every page."""

    default = False  # only where INSTALLED_APPS names it
    default_site = "accounts.admin_site.CRMAdminSite"
