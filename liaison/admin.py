from django.contrib import admin

from liaison.models import (
    ActionItem,
    AgendaChange,
    AgendaItem,
    AssignmentChange,
    CalendarFeed,
    LiaisonAssignment,
    LogEntry,
    Meeting,
    MeetingSeries,
    MentorCheckIn,
)


class CheckInInline(admin.TabularInline):
    model = MentorCheckIn
    extra = 0
    raw_id_fields = ("mentor",)


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(admin.ModelAdmin):
    list_display = ("person", "home_department", "served_department", "mentor", "start_date", "end_date", "status")
    list_filter = ("status", "served_department", "home_department")
    search_fields = ("person__username", "person__first_name", "person__last_name", "focus_areas")
    raw_id_fields = ("person", "mentor")
    filter_horizontal = ("projects",)
    inlines = (CheckInInline,)


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(admin.ModelAdmin):
    list_display = ("assignment", "action", "detail", "by", "at")
    list_filter = ("action",)


@admin.register(MentorCheckIn)
class MentorCheckInAdmin(admin.ModelAdmin):
    list_display = ("assignment", "mentor", "date", "readiness")
    list_filter = ("readiness",)
    raw_id_fields = ("assignment", "mentor")


class FollowUpInline(admin.TabularInline):
    model = ActionItem
    fk_name = "log_entry"
    extra = 0
    fields = ("title", "owner", "due_date", "done_at")
    raw_id_fields = ("owner",)


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ("liaison", "date", "meeting")
    search_fields = ("meeting", "learned")
    raw_id_fields = ("liaison",)
    inlines = (FollowUpInline,)


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "cadence", "organiser")
    list_filter = ("kind", "cadence")
    search_fields = ("title",)
    raw_id_fields = ("organiser",)
    filter_horizontal = ("default_attendees",)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("position", "title", "source", "done", "link")


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fk_name = "meeting"
    extra = 0
    fields = ("title", "owner", "due_date", "done_at")
    raw_id_fields = ("owner",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("series", "start", "length_minutes", "status", "organiser")
    list_filter = ("status", "series__kind", "series")
    date_hierarchy = "start"
    raw_id_fields = ("organiser",)
    filter_horizontal = ("attendees",)
    inlines = (AgendaItemInline, ActionItemInline)


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("title", "meeting", "source", "position", "done")
    list_filter = ("source", "done")
    search_fields = ("title",)
    raw_id_fields = ("meeting", "action_item", "added_by")


@admin.register(AgendaChange)
class AgendaChangeAdmin(admin.ModelAdmin):
    list_display = ("meeting", "action", "detail", "by", "at")
    list_filter = ("action",)


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "due_date", "done_at", "meeting", "log_entry")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)
    search_fields = ("title",)
    raw_id_fields = ("owner", "meeting", "log_entry", "created_by")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    raw_id_fields = ("user",)
    readonly_fields = ("token",)
