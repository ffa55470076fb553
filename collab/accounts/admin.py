from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from collab.accounts import permissions as perm
from collab.accounts import services
from collab.accounts.models import ApiToken, User
from collab.accounts.people import COLUMNS, MAX_BYTES, people_import

#: Admin actions on people that higher floors add by registration (e.g. "send a test notification").
EXTRA_USER_ACTIONS: list[Callable[..., Any]] = []


class PeopleImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text=f"UTF-8, with a header row: {', '.join(COLUMNS)}.")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run: only show what would change", help_text="Untick to import."
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return upload


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_list_template = "admin/accounts/user/change_list.html"
    list_display = ("username", "get_full_name", "department", "role", "is_department_head", "is_active")
    list_filter = ("department", "role", "is_department_head", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "job_title")

    raw_id_fields = ("manager",)

    def get_urls(self) -> list[URLPattern]:
        extra = [path("import/", self.admin_site.admin_view(self.import_people), name="accounts_user_import")]
        return extra + super().get_urls()  # type: ignore[operator]

    def import_people(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV; a dry run (the default) shows what would change, an import saves all rows or none."""
        if not perm.can_import_people(request.user):
            raise PermissionDenied("Only administrators import people.")
        form = PeopleImportForm(request.POST or None, request.FILES or None)
        result = None
        status = 200
        if request.method == "POST":
            if form.is_valid():
                result = people_import(
                    data=form.cleaned_data["file"].read(), by=request.user, dry_run=form.cleaned_data["dry_run"]
                )
                if result.errors:
                    status = 422
                elif result.saved:
                    self.message_user(request, result.summary)
            else:
                status = 422
        context = {
            **self.admin_site.each_context(request),
            "title": "Import people",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/accounts/user/import_people.html", context, status=status)

    def get_actions(self, request: Any) -> dict[str, Any]:
        actions = super().get_actions(request)
        for func in EXTRA_USER_ACTIONS:
            name = func.__name__
            actions[name] = (func, name, getattr(func, "short_description", name))
        return actions

    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            "Collab",
            {
                "fields": (
                    "department", "job_title", "role", "manager", "is_department_head", "time_zone", "sso_subject",
                )
            },
        ),
    )  # fmt: skip
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            "Collab",
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "email",
                    "department",
                    "job_title",
                    "role",
                    "is_department_head",
                    "time_zone",
                )
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners on /settings/tokens/; here they are only seen and revoked (never the secret,
    which is not stored)."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("hashed_secret",)
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, by=request.user)
        self.message_user(request, "Revoked; requests with these tokens now get 401.")
