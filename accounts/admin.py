from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential
from simple_history.admin import SimpleHistoryAdmin

from accounts import services
from accounts.models import Team, User

# Factors are changed only through the audited services (the security page, the
# Admin's reset on our administration page); the admin would also show secrets.
for model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, (None, {"fields": ("language",)}))
    actions = ["reset_factors"]

    @admin.action(description=_("Reset second factors (the user is told)"))
    def reset_factors(self, request, queryset):
        for user in queryset:
            services.factors_reset(user=user, actor=request.user)
        self.message_user(
            request, _("Second factors reset; the users were told."), messages.SUCCESS
        )


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "company", "manager")
    list_filter = ("company",)
    fields = ("company", "name", "manager")

    def get_readonly_fields(self, request, obj=None):
        return ("company",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new team needs its own group: the service creates both.
        created = services.team_create(
            name=obj.name, manager=obj.manager, company=obj.company, actor=request.user
        )
        obj.pk, obj.slug, obj.group = created.pk, created.slug, created.group
