from django.contrib import admin

from parkinglot.models import Comment, MeToo, ResponseSettings, Snag, SnagEvent


class SnagEventInline(admin.TabularInline):
    model = SnagEvent
    extra = 0
    readonly_fields = ("at", "by", "kind", "from_status", "to_status", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    readonly_fields = ("author", "created_at", "edited_at", "is_answer")
    fields = ("author", "body", "is_answer", "created_at", "edited_at")


@admin.register(Snag)
class SnagAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "status", "impact", "raiser_department", "owner", "escalation_level", "created_at")
    list_filter = ("status", "impact", "raiser_department", "escalation_level")
    search_fields = ("code", "title")
    list_select_related = ("owner",)
    raw_id_fields = ("raised_by", "owner", "project", "goal")
    readonly_fields = (
        "code",
        "created_at",
        "updated_at",
        "first_answered_at",
        "resolved_at",
        "me_too_count",
        "version",
    )
    exclude = ("search_document",)
    inlines = [CommentInline, SnagEventInline]
    date_hierarchy = "created_at"


@admin.register(SnagEvent)
class SnagEventAdmin(admin.ModelAdmin):
    list_display = ("snag", "kind", "from_status", "to_status", "by", "at")
    list_filter = ("kind",)
    raw_id_fields = ("snag", "by")
    list_select_related = ("snag", "by")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("snag", "author", "is_answer", "created_at")
    raw_id_fields = ("snag", "author")
    list_select_related = ("snag", "author")


@admin.register(MeToo)
class MeTooAdmin(admin.ModelAdmin):
    list_display = ("snag", "user", "created_at")
    raw_id_fields = ("snag", "user")


@admin.register(ResponseSettings)
class ResponseSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not ResponseSettings.objects.exists()
