from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts import services
from accounts.models import Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, (None, {"fields": ("language",)}))


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "manager")
    fields = ("name", "manager")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new team needs its own group: the service creates both.
        created = services.team_create(
            name=obj.name, manager=obj.manager, actor=request.user
        )
        obj.pk, obj.slug, obj.group = created.pk, created.slug, created.group
