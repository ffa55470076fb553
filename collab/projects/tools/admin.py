"""Admin of the technology register. Writes go through the services, as every other write does: adding a tool
registers it, changing one is ``tool_update`` (which bumps ``version``, so a web editor holding an older version
gets a conflict), and the lifecycle (status, retirement plan) and a request's decision are read-only here — they
change on the site, where the transition rules and the decision's reason apply. History rows are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from collab.projects.admin import ReadOnlyAdmin  # defined before that module imports this one
from collab.projects.tools import services
from collab.projects.tools.models import Tool, ToolEvent, ToolIntegration, ToolRequest


class IntegrationInline(admin.TabularInline):
    """Shown, not edited: integrations are recorded on the tool's page (one per pair, with history)."""

    model = ToolIntegration
    fk_name = "source"
    extra = 0
    fields = ("target", "direction", "method", "note", "created_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ToolAdminForm(forms.ModelForm):
    class Meta:
        model = Tool
        fields = services.EDITABLE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors: dict[str, str] = {}
        services.check_date(data.get("renewal_date"), "renewal_date", "renewal date", errors)
        for field, message in errors.items():
            self.add_error(field, message)
        return data


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    form = ToolAdminForm
    list_display = ("name", "vendor", "category", "department", "status", "adoption", "annual_cost", "renewal_date")
    list_filter = ("status", "adoption", "category", "department", "holds_customer_data")
    search_fields = ("name", "vendor", "notes")
    raw_id_fields = ("business_owner", "it_contact")
    readonly_fields = (
        "status", "retire_by", "replacement", "retirement_projects", "retired_at", "registered_by", "version",
        "created_at", "updated_at",
    )  # fmt: skip
    inlines = [IntegrationInline]

    def save_model(self, request: HttpRequest, obj: Tool, form: Any, change: bool) -> None:
        values = {key: form.cleaned_data[key] for key in services.EDITABLE if key in form.cleaned_data}
        if not change:
            tool = services.tool_register(by=request.user, **values)
            obj.pk, obj.version, obj.created_at = tool.pk, tool.version, tool.created_at
            obj._state.adding = False
            return
        current = Tool.objects.select_for_update().get(pk=obj.pk)
        changed = {key: values[key] for key in form.changed_data if key in values}
        services.tool_update(tool=current, by=request.user, version=current.version, **changed)
        obj.version = current.version


@admin.register(ToolIntegration)
class ToolIntegrationAdmin(ReadOnlyAdmin):
    list_display = ("source", "target", "direction", "method")
    list_filter = ("direction", "method")
    list_select_related = ("source", "target")
    raw_id_fields = ("source", "target", "created_by")


REQUEST_CREATE_FIELDS = (
    "title", "need", "category", "users_count", "budget", "urgency", "data_involved", "holds_customer_data",
)  # fmt: skip


@admin.register(ToolRequest)
class ToolRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "requested_by", "department", "urgency", "answer_by", "decision", "decided_at")
    list_filter = ("decision", "urgency", "department", "category")
    list_select_related = ("requested_by",)
    search_fields = ("title", "need", "reason")
    raw_id_fields = ("requested_by",)
    filter_horizontal = ("integrates_with", "overlaps")
    readonly_fields = (
        "answer_by", "decision", "reason", "existing_tool", "decided_by", "decided_at", "project", "version",
        "created_at", "updated_at",
    )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # the department is the requester's when asked; the deadline is counted from the asking
        return (*self.readonly_fields, "department") if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ToolRequest, form: Any, change: bool) -> None:
        if not change:
            values = {key: form.cleaned_data[key] for key in REQUEST_CREATE_FIELDS if key in form.cleaned_data}
            made = services.request_create(by=form.cleaned_data["requested_by"], **values)
            obj.pk, obj.version, obj.created_at, obj.answer_by = made.pk, made.version, made.created_at, made.answer_by
            obj.department = made.department
            obj._state.adding = False
            return
        # an edit bumps the version, so someone deciding it on the site with the older one gets a conflict
        current = ToolRequest.objects.select_for_update().get(pk=obj.pk)
        obj.version = current.version + 1
        concrete = {f.name for f in ToolRequest._meta.concrete_fields}
        fields = [name for name in form.changed_data if name in concrete]
        # only what the form changed: a decision saved on the site meanwhile is not overwritten
        obj.save(update_fields=[*fields, "version", "updated_at"])


@admin.register(ToolEvent)
class ToolEventAdmin(ReadOnlyAdmin):
    list_display = ("tool", "request", "kind", "from_status", "to_status", "by", "at")
    list_filter = ("kind",)
    list_select_related = ("tool", "request", "by")
