"""Admin for every model of the joint projects. History rows (transitions, ranking revisions, sign-offs,
slips, the feed) are read-only here: they are written by the services only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from collab.projects.models import (
    ChangeRequest,
    FeedEntry,
    Goal,
    Milestone,
    MilestoneSlip,
    Project,
    ProjectDepartment,
    ProjectTransition,
    RankChange,
    RankingRevision,
    RequirementsVersion,
    SignOff,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProjectDepartmentInline(admin.TabularInline):
    model = ProjectDepartment
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("title", "owner", "due_date", "done_on")
    raw_id_fields = ("owner",)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "marketing_owner", "it_owner", "target_date")
    search_fields = ("title", "description")
    raw_id_fields = ("marketing_owner", "it_owner")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "rank", "status", "health", "marketing_sponsor", "it_sponsor", "goal")
    list_filter = ("status", "health", "goal")
    search_fields = ("name", "summary")
    raw_id_fields = ("marketing_sponsor", "it_sponsor", "created_by")
    filter_horizontal = ("representatives",)
    readonly_fields = ("rank", "approved_at", "version", "created_at", "updated_at")
    inlines = (ProjectDepartmentInline, MilestoneInline)


@admin.register(ProjectDepartment)
class ProjectDepartmentAdmin(admin.ModelAdmin):
    list_display = ("project", "department")
    list_filter = ("department",)


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "goal", "owner", "due_date", "done_on")
    list_filter = ("done_on",)
    search_fields = ("title",)
    raw_id_fields = ("owner", "project", "goal")
    date_hierarchy = "due_date"


@admin.register(ProjectTransition)
class ProjectTransitionAdmin(ReadOnlyAdmin):
    list_display = ("project", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)


@admin.register(RequirementsVersion)
class RequirementsVersionAdmin(ReadOnlyAdmin):
    list_display = ("project", "number", "created_by", "created_at")
    search_fields = ("project__name", "text")


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ("version", "department", "decision", "by", "at")
    list_filter = ("decision", "department")


class RankChangeInline(admin.TabularInline):
    model = RankChange
    extra = 0
    can_delete = False
    readonly_fields = ("project", "old_rank", "new_rank")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RankingRevision)
class RankingRevisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "reason", "by", "at")
    inlines = (RankChangeInline,)


@admin.register(RankChange)
class RankChangeAdmin(ReadOnlyAdmin):
    list_display = ("revision", "project", "old_rank", "new_rank")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "status", "marketing_decision", "it_decision", "effort_days", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "reason", "project__name")


@admin.register(MilestoneSlip)
class MilestoneSlipAdmin(ReadOnlyAdmin):
    list_display = ("milestone", "old_due", "new_due", "by", "at")


@admin.register(FeedEntry)
class FeedEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "text", "by")
    list_filter = ("kind",)
    search_fields = ("text", "reason")


# The technology register's admin registers itself on import.
from collab.projects.tools import admin as _tools_admin  # noqa: E402, F401
