"""Case categories and SLA targets are configuration (the company's Admin sets
the targets by priority and the categories on /service/settings/; a target for
one category of a priority is set here). Cases and tasks are shown read-only
with their history: writes go through service.cases and service.followups."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import ReadOnlyAdmin
from service import cases
from service.models import Case, CaseCategory, SlaTarget, Task


@admin.register(CaseCategory)
class CaseCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "company", "active", "position")
    list_filter = ("company", "active")


@admin.register(SlaTarget)
class SlaTargetAdmin(SimpleHistoryAdmin):
    list_display = (
        "company",
        "priority",
        "category",
        "response_hours",
        "resolution_hours",
    )
    list_filter = ("company", "priority")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Open cases of that priority follow the new target at once.
        cases.refresh_clocks(company_id=obj.company_id, priority=obj.priority)

    def delete_model(self, request, obj):
        company_id, priority = obj.company_id, obj.priority
        super().delete_model(request, obj)
        cases.refresh_clocks(company_id=company_id, priority=priority)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "subject", "customer", "kind", "status", "opened_at")
    list_filter = ("status", "kind", "priority")
    search_fields = ("number", "subject")
    list_select_related = ("customer",)
    show_full_result_count = False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "customer", "assignee", "due_on", "done_at")
    list_select_related = ("customer", "assignee")
    show_full_result_count = False
