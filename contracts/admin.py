"""Contract types are configuration (Admins edit them here); contracts are shown
read-only with their history: writes go through contracts.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.models import Contract, ContractType
from crm.admin import ReadOnlyAdmin


@admin.register(ContractType)
class ContractTypeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "lead_times")


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "customer", "status", "last_notice_day")
    list_filter = ("status", "type")
    search_fields = ("number", "title")
    list_select_related = ("customer",)
    show_full_result_count = False
