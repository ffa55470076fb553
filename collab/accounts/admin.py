from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from collab.accounts.models import User

#: Admin actions on people that higher floors add by registration (e.g. "send a test notification").
EXTRA_USER_ACTIONS: list[Callable[..., Any]] = []


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "department", "role", "is_department_head", "is_active")
    list_filter = ("department", "role", "is_department_head", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "job_title")

    def get_actions(self, request: Any) -> dict[str, Any]:
        actions = super().get_actions(request)
        for func in EXTRA_USER_ACTIONS:
            name = func.__name__
            actions[name] = (func, name, getattr(func, "short_description", name))
        return actions

    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("Collab", {"fields": ("department", "job_title", "role", "is_department_head", "time_zone")}),
    )
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
