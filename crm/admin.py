"""The Django admin shows customers read-only (with their history): every write
goes through the customer pages, which call crm.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core import access as data_access
from crm.models import Address, Customer, Interaction, Person, Tag


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AccessLoggedAdmin(ReadOnlyAdmin):
    """Reads of personal data in the admin are logged like those on the pages:
    a record's page and its history once each, a list one row per listed record."""

    def _ids(self, obj) -> tuple[int, int | None]:
        raise NotImplementedError

    def _logged(self, request, object_id) -> None:
        obj = self.get_object(request, object_id)
        if obj is not None:
            customer_id, person_id = self._ids(obj)
            data_access.record(
                user=request.user,
                action="view",
                what="admin",
                customer_id=customer_id,
                person_id=person_id,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._logged(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._logged(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # a rendered list (not a redirect)
            data_access.record(
                user=request.user,
                action="view",
                what="admin",
                rows=[self._ids(obj) for obj in changelist.result_list],
            )
        return response


@admin.register(Customer)
class CustomerAdmin(AccessLoggedAdmin):
    list_display = ("number", "name", "kind", "status", "owner", "team", "key_account")
    list_filter = ("kind", "status", "key_account", "team")
    search_fields = ("number", "name")
    list_select_related = ("owner", "team")
    show_full_result_count = False  # no COUNT(*) over a million rows

    def _ids(self, obj) -> tuple[int, int | None]:
        return obj.pk, None


@admin.register(Person)
class PersonAdmin(AccessLoggedAdmin):
    list_display = ("last_name", "first_name", "customer", "email")
    search_fields = ("last_name", "email")
    list_select_related = ("customer",)
    show_full_result_count = False

    def _ids(self, obj) -> tuple[int, int | None]:
        return obj.customer_id, obj.pk


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
