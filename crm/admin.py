"""The Django admin shows customers read-only (with their history): every write
goes through the customer pages, which call crm.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.models import Address, Customer, Interaction, Person, Tag


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "kind", "status", "owner", "team", "key_account")
    list_filter = ("kind", "status", "key_account", "team")
    search_fields = ("number", "name")
    list_select_related = ("owner", "team")
    show_full_result_count = False  # no COUNT(*) over a million rows


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("last_name", "first_name", "customer", "email")
    search_fields = ("last_name", "email")
    list_select_related = ("customer",)
    show_full_result_count = False


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ("customer", "purpose", "is_current", "postcode", "city")
    list_select_related = ("customer",)
    show_full_result_count = False


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ("customer", "kind", "occurred_at", "subject", "user")
    list_select_related = ("customer", "user")
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(SimpleHistoryAdmin):
    list_display = ("name",)
    search_fields = ("name",)
