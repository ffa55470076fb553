"""Admin of the technology register. History rows are read-only: the services write them."""

from __future__ import annotations

from django.contrib import admin

from collab.projects.admin import ReadOnlyAdmin  # defined before that module imports this one
from collab.projects.tools.models import Tool, ToolEvent, ToolIntegration, ToolRequest


class IntegrationInline(admin.TabularInline):
    model = ToolIntegration
    fk_name = "source"
    extra = 0
    raw_id_fields = ("target", "created_by")


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor", "category", "department", "status", "adoption", "annual_cost", "renewal_date")
    list_filter = ("status", "adoption", "category", "department", "holds_customer_data")
    search_fields = ("name", "vendor", "notes")
    raw_id_fields = ("business_owner", "it_contact", "registered_by", "replacement")
    filter_horizontal = ("retirement_projects",)
    readonly_fields = ("version", "created_at", "updated_at", "retired_at")
    inlines = [IntegrationInline]


@admin.register(ToolIntegration)
class ToolIntegrationAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "direction", "method")
    list_filter = ("direction", "method")
    raw_id_fields = ("source", "target", "created_by")


@admin.register(ToolRequest)
class ToolRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "requested_by", "department", "urgency", "answer_by", "decision", "decided_at")
    list_filter = ("decision", "urgency", "department", "category")
    search_fields = ("title", "need", "reason")
    raw_id_fields = ("requested_by", "decided_by", "existing_tool", "project")
    filter_horizontal = ("integrates_with", "overlaps")
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(ToolEvent)
class ToolEventAdmin(ReadOnlyAdmin):
    list_display = ("tool", "kind", "from_status", "to_status", "by", "at")
    list_filter = ("kind",)
    list_select_related = ("tool", "by")
