from django.contrib import admin
from django.utils import timezone

from reviews.models import (
    ActionItem,
    AgendaItem,
    AgendaItemChange,
    Decision,
    FactsSnapshot,
    MinutesAddendum,
    Pulse,
    PulseAnswer,
    PulseInvitation,
    PulseQuestion,
    Review,
    ReviewTransition,
    TeamInput,
)


class _FrozenWhenLocked:
    """Rows of a locked review are read only here too: the agenda, the team inputs and the facts change only
    through an unlock on the review's page, with a reason in its history."""

    def _review_of(self, obj):  # noqa: ANN001, ANN202
        return getattr(obj, "review", obj)

    def _frozen(self, obj) -> bool:  # noqa: ANN001
        review = self._review_of(obj) if obj is not None else None
        return bool(review is not None and getattr(review, "is_locked", False))

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return not self._frozen(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return not self._frozen(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return not self._frozen(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class TeamInputInline(_FrozenWhenLocked, admin.TabularInline):
    model = TeamInput
    extra = 0
    raw_id_fields = ("submitted_by", "edited_by")


class AgendaItemInline(_FrozenWhenLocked, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("position", "title", "kind", "team", "presenter", "time_box_minutes")
    raw_id_fields = ("presenter",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("label", "scheduled_at", "status", "facilitator")
    list_filter = ("status", "year")
    filter_horizontal = ("attendees",)
    inlines = (TeamInputInline, AgendaItemInline)

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # the status moves on the review's page (lock, unlock with a reason, publish); published minutes are final
        fields = ["status"]
        if obj is not None and obj.minutes_published:
            fields.append("summary")
        return fields


@admin.register(AgendaItem)
class AgendaItemAdmin(_FrozenWhenLocked, admin.ModelAdmin):
    list_display = ("title", "review", "kind", "team", "time_box_minutes", "position")
    list_filter = ("kind", "team", "review")
    search_fields = ("title", "notes")
    raw_id_fields = ("presenter", "added_by")
    filter_horizontal = ("projects", "milestones")

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return admin.ModelAdmin.has_add_permission(self, request)


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "review", "owner", "due_date", "done_at")
    list_filter = ("review", ("done_at", admin.EmptyFieldListFilter))
    search_fields = ("title",)
    raw_id_fields = ("owner",)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("text", "review", "created_at")
    list_filter = ("review",)

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return not (obj is not None and obj.review.minutes_published) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return not (obj is not None and obj.review.minutes_published) and super().has_delete_permission(request, obj)


@admin.register(MinutesAddendum)
class MinutesAddendumAdmin(admin.ModelAdmin):
    """Corrections to published minutes are added on the review's page and stay as they were written."""

    list_display = ("review", "by", "created_at")
    list_filter = ("review",)
    readonly_fields = ("review", "text", "by", "created_at")

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(ReviewTransition)
class ReviewTransitionAdmin(admin.ModelAdmin):
    list_display = ("review", "from_status", "to_status", "by", "reason", "at")

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(AgendaItemChange)
class AgendaItemChangeAdmin(admin.ModelAdmin):
    list_display = ("review", "action", "item_title", "by", "at")
    list_filter = ("action",)


@admin.register(FactsSnapshot)
class FactsSnapshotAdmin(admin.ModelAdmin):
    list_display = ("review", "frozen_at")
    readonly_fields = ("review", "data", "frozen_at")

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # made by locking the agenda, dropped by unlocking it

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(PulseQuestion)
class PulseQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "position", "active")
    list_editable = ("position", "active")


@admin.register(Pulse)
class PulseAdmin(admin.ModelAdmin):
    list_display = ("review", "opens_at", "closes_at", "invited_count")
    filter_horizontal = ("questions",)


@admin.register(PulseInvitation)
class PulseInvitationAdmin(admin.ModelAdmin):
    """Who was asked and whether they answered — never what they answered."""

    list_display = ("pulse", "user", "department", "answered")
    list_filter = ("pulse", "answered", "department")
    raw_id_fields = ("user",)


@admin.register(PulseAnswer)
class PulseAnswerAdmin(admin.ModelAdmin):
    """Answers carry a department, never a person; the admin cannot join them to anyone."""

    list_display = ("pulse", "question", "department", "score")
    list_filter = ("pulse", "department", "question")
    readonly_fields = ("pulse", "question", "department", "score", "text")
    ordering = ("pulse", "question", "department", "score", "pk")  # never the order they came in

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        # an open pulse's answers are shown to nobody, admins included: watching them arrive undoes the anonymity
        return super().get_queryset(request).filter(pulse__closes_at__lte=timezone.now())

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
